import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/** A command the chaos engine can start, kill and start again with the same arguments. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Appended to on every (re)start, so one file tells the whole story. */
  logFile: string;
  /** True once the process serves. */
  ready?: () => Promise<boolean>;
  /** Or: ready once a line of its output matches. */
  readyLine?: RegExp;
  readyTimeoutMs?: number;
}

/**
 * One real child process. Started in its own process group (detached) so a kill reaches
 * grandchildren too; only this group, by its id, is ever signalled.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly log: WriteStream;
  /** How often it died without being asked (worker crash on a lost server, …). */
  unexpectedExits = 0;
  starts = 0;
  private stopping = false;
  private sawReadyLine = false;

  constructor(readonly spec: ProcessSpec) {
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.starts += 1;
    this.stopping = false;
    this.log.write(`\n=== start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: ROOT,
      env: { ...process.env, ...this.spec.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    if (child.pid) liveGroups.add(child.pid);
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.sawReadyLine = false;
    const readyLine = this.spec.readyLine;
    if (readyLine)
      child.stdout?.on('data', (chunk: Buffer) => {
        if (readyLine.test(chunk.toString())) this.sawReadyLine = true;
      });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.log.write(`=== exit code=${code} signal=${signal} at ${new Date().toISOString()}\n`);
        if (!this.stopping) this.unexpectedExits += 1;
        if (child.pid) liveGroups.delete(child.pid);
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`${this.spec.name} exited while starting (see ${this.spec.logFile})`);
      if (this.sawReadyLine || (this.spec.ready && (await this.spec.ready().catch(() => false)))) return;
      await sleep(200);
    }
    throw new Error(
      `${this.spec.name} not ready within ${this.spec.readyTimeoutMs ?? 60_000} ms (see ${this.spec.logFile})`,
    );
  }

  /** SIGKILL: no goodbye. SIGTERM: graceful, escalated to SIGKILL after graceMs. */
  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM', graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    this.stopping = true;
    this.log.write(`=== ${signal} at ${new Date().toISOString()}\n`);
    killGroup(child.pid, signal);
    const escalate = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(escalate);
  }

  async restart(signal: 'SIGKILL' | 'SIGTERM', downMs: number): Promise<void> {
    await this.stop(signal);
    await sleep(downMs);
    await this.start();
  }

  close(): void {
    this.log.end();
  }
}

// Detached groups outlive their parent: whatever is still running goes when this process does.
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** `node --import tsx file.ts`: one process per service (the tsx CLI would add a relay parent). */
export function tsxCommand(file: string): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', 'tsx', join(ROOT, file)] };
}

export { freePort } from '../support/ports';

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
