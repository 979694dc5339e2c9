import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** One long-running part of the topology: its own process group, output appended to a log file. */
export class Service {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;
  private output = '';

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    readonly logFile: string,
    private readonly onUnexpectedExit: (name: string, code: number | null, signal: string | null) => void,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the process and waits until `ready` says yes (or `readyLine` shows in its output). */
  async start(ready: { check?: () => Promise<boolean>; line?: RegExp; timeoutMs?: number }): Promise<void> {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    log.write(`\n=== ${this.name} started at ${new Date().toISOString()}\n`);
    this.stopping = false;
    this.output = '';
    const child = spawn(this.command, this.args, { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.pipe(log, { end: false });
      stream?.on('data', (chunk: Buffer) => {
        if (this.output.length < 65_536) this.output += chunk.toString();
      });
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        log.end(`=== ${this.name} exited (${signal ?? code}) at ${new Date().toISOString()}\n`);
        if (this.child === child) this.child = undefined;
        if (!this.stopping) this.onUnexpectedExit(this.name, code, signal);
        resolve();
      });
    });
    const timeoutMs = ready.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child !== child)
        throw new Error(`${this.name} exited while starting (${this.logFile}):\n${this.tail()}`);
      if (ready.line?.test(this.output)) return;
      if (ready.check && (await ready.check().catch(() => false))) return;
      await sleep(200);
    }
    throw new Error(`${this.name} not ready within ${timeoutMs / 1000} s (see ${this.logFile})`);
  }

  /** The last lines it printed, for an error message. */
  tail(lines = 8): string {
    return this.output
      .trim()
      .split('\n')
      .slice(-lines)
      .map((line) => line.slice(0, 400))
      .join('\n');
  }

  /** SIGKILL: the crash a test wants. Otherwise `signal`, then SIGKILL after graceMs. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    this.stopping = true;
    killGroup(pid, signal);
    const escalate = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(escalate);
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
