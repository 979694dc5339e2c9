import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { showDataMoving } from './demo-data';
import { setupWorkflowId } from '../core/ids';

// `npm run demo`: start a two-way sync of the demo instances through the API and follow it.
export const DEMO_REQUEST = {
  name: 'demo',
  topology: 'bidirectional',
  region: 'cn-hangzhou',
  source: { instanceId: 'r-demo-source-0001', region: 'cn-hangzhou', password: 'demo-source-Pa55' },
  destination: { instanceId: 'r-demo-target-0002', region: 'cn-hangzhou', password: 'demo-target-Pa55' },
};

/** The demo setup's id (one live setup per pair of instances). */
export const demoSetupId = (): string =>
  setupWorkflowId({
    source: { kind: 'enterprise', ...DEMO_REQUEST.source },
    destination: { kind: 'enterprise', ...DEMO_REQUEST.destination },
  });

const DEFAULT_EMULATOR = process.env.DTS_ENDPOINT ?? 'http://127.0.0.1:8780';

interface Status {
  id: string;
  phase: string;
  dtsJobId?: string;
  forward?: { rawStatus?: string; progress?: number };
  reverse?: { rawStatus?: string; progress?: number };
  attention?: { reason: string; failures: { item: string; message: string; repairMethod?: string }[] };
  error?: { type: string; message: string };
}

/** Starts the demo setup and follows it; once it synchronizes, shows data moving both ways and verifies it. */
export async function followDemoSetup(api: string, token?: string, emulatorUrl = DEFAULT_EMULATOR): Promise<Status> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  await printPreflight(api, headers);
  const res = await fetch(`${api}/v1/syncs`, { method: 'POST', headers, body: JSON.stringify(DEMO_REQUEST) });
  const accepted = (await res.json()) as { id: string; phase: string; existing?: boolean; message?: string };
  // Changed since with PATCH (npm run demo:day-two): the same pair, followed as it now runs.
  const changed = res.status === 409 && /already running for this pair/.test(accepted.message ?? '');
  if (!res.ok && !changed) throw new Error(`POST /v1/syncs: ${res.status} ${accepted.message ?? ''}`);
  if (changed) accepted.id = demoSetupId();
  console.log(
    `${changed ? 'following the existing, since changed,' : accepted.existing ? 'following the existing' : 'started'} sync ${accepted.id}`,
  );
  const tty = process.stdout.isTTY;
  let lastLine = '';
  for (;;) {
    const status = (await (
      await fetch(`${api}/v1/syncs/${encodeURIComponent(accepted.id)}`, { headers })
    ).json()) as Status;
    const dir = (name: string, d?: Status['forward']) =>
      d ? ` ${name} ${d.rawStatus ?? '-'} ${d.progress ?? 0}%` : '';
    const line = `[${status.phase}] DTS ${status.dtsJobId ?? '(buying)'}${dir('forward', status.forward)}${dir('reverse', status.reverse)}`;
    if (line !== lastLine) {
      process.stdout.write(tty ? `\r\x1b[2K${fitTerminal(line)}` : `${line}\n`);
      lastLine = line;
    }
    if (['synchronizing', 'failed', 'cancelled', 'released', 'needs-attention'].includes(status.phase)) {
      if (tty) process.stdout.write('\n');
      if (status.attention)
        for (const f of status.attention.failures) console.log(`  ${f.item}: ${f.message} → ${f.repairMethod ?? ''}`);
      if (status.error) console.log(`  ${status.error.type}: ${status.error.message}`);
      if (status.phase === 'synchronizing') await showDataMoving(api, headers, status.id, emulatorUrl, DEMO_REQUEST);
      return status;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The preflight report (POST /v1/syncs/preflight), one line per check; the demo target draws a warning. */
async function printPreflight(api: string, headers: Record<string, string>): Promise<void> {
  const res = await fetch(`${api}/v1/syncs/preflight`, { method: 'POST', headers, body: JSON.stringify(DEMO_REQUEST) });
  if (!res.ok) return console.log(`preflight: ${res.status}`);
  const report = (await res.json()) as { ok: boolean; items: { check: string; outcome: string; message: string }[] };
  console.log(`preflight ${report.ok ? 'passed' : 'FAILED'}:`);
  for (const i of report.items) console.log(`  ${i.outcome.padEnd(4)} ${i.check}: ${i.message}`);
}

/** A line longer than the terminal wraps, and `\r` would then redraw only its last row. */
function fitTerminal(line: string): string {
  const columns = process.stdout.columns || 80;
  return line.length < columns ? line : `${line.slice(0, columns - 2)}…`;
}

if (require.main === module) {
  const api = process.env.API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? '3000'}`;
  const tokenFile = join(__dirname, '..', '.data', 'api-token');
  const token = process.env.API_TOKEN ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
  followDemoSetup(api, token)
    .then((status) => process.exit(status.phase === 'synchronizing' ? 0 : 1))
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
