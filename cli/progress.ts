import { EXIT } from './exit-codes';

/** The part of GET /v1/syncs/:id the progress lines read. */
export interface SetupStatus {
  id: string;
  name?: string;
  phase: string;
  dtsJobId?: string;
  forward?: { rawStatus?: string; status?: string; progress?: number };
  reverse?: { rawStatus?: string; status?: string; progress?: number };
  attention?: { kind?: string; reason: string; failures: { item: string; message: string; repairMethod?: string }[] };
  error?: { type: string; message: string };
  released?: { outcome: string };
}

/** Phases a setup does not leave by itself: `watch` stops at them. */
const ENDED = new Set(['failed', 'cancelled', 'released', 'release-failed']);

/** The same line `npm start` shows: phase, DTS job, each direction's DTS status and percent. */
export function progressLine(status: SetupStatus): string {
  const dir = (name: string, d?: SetupStatus['forward']) =>
    d ? ` ${name} ${d.rawStatus ?? d.status ?? '-'} ${d.progress ?? 0}%` : '';
  return `[${status.phase}] DTS ${status.dtsJobId ?? '(buying)'}${dir('forward', status.forward)}${dir('reverse', status.reverse)}`;
}

/** Where following a setup stops, and with which exit code; undefined while it is still on its way. */
export function outcome(status: SetupStatus): number | undefined {
  if (status.phase === 'synchronizing') return EXIT.ok;
  if (status.phase === 'needs-attention') return EXIT.needsAttention;
  if (ENDED.has(status.phase)) return EXIT.ended;
  return undefined;
}

/** Why it stopped, for people: the precheck's failed items, or the error. */
export function explain(status: SetupStatus): string[] {
  const lines: string[] = [];
  if (status.attention) {
    lines.push(`  needs attention: ${status.attention.reason}`);
    for (const f of status.attention.failures)
      lines.push(`  ${f.item}: ${f.message}${f.repairMethod ? ` → ${f.repairMethod}` : ''}`);
  }
  if (status.error) lines.push(`  ${status.error.type}: ${status.error.message}`);
  return lines;
}

/**
 * Live lines, one per setup: on a terminal they are redrawn in place; piped, each change is a new line
 * (prefixed with the setup's label when there are several).
 */
export class ProgressBoard {
  private readonly lines = new Map<string, string>();
  private drawn = 0;
  private readonly tty = Boolean(process.stdout.isTTY);

  constructor(private readonly labels: string[]) {}

  update(label: string, line: string): void {
    if (this.lines.get(label) === line) return;
    this.lines.set(label, line);
    const prefix = this.labels.length > 1 ? `${label.padEnd(Math.max(...this.labels.map((l) => l.length)))}  ` : '';
    if (!this.tty) {
      process.stdout.write(`${prefix}${line}\n`);
      return;
    }
    const width = process.stdout.columns || 120;
    const fit = (s: string) => (s.length > width - 1 ? `${s.slice(0, width - 2)}…` : s);
    let out = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const l of this.labels) {
      const p = this.labels.length > 1 ? `${l.padEnd(Math.max(...this.labels.map((x) => x.length)))}  ` : '';
      out += `\r\x1b[2K${fit(`${p}${this.lines.get(l) ?? '…'}`)}\n`;
    }
    this.drawn = this.labels.length;
    process.stdout.write(out);
  }
}
