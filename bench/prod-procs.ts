// What runs under `npm run prod-local`, seen from outside: its processes (workers, Temporal server, PostgreSQL)
// by their command lines, and the setups' history lengths from raw visibility pages.
import { readdirSync, readFileSync } from 'node:fs';
import type { Connection } from '@temporalio/client';
import { SETUPS_PAGE_SIZE, setupsQuery } from '../core/visibility';
import { procCpuSeconds } from './stats';

/** Every process under `root`, with its command line. */
export function descendants(root: number): { pid: number; cmd: string }[] {
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      cmd.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...cmd.entries()].filter(([pid]) => under(pid)).map(([pid, c]) => ({ pid, cmd: c }));
}

export interface ProdProcesses {
  workers: { pid: number; cmd: string }[];
  server?: { pid: number; cmd: string };
  /** The postmaster and its backends, which come and go: looked up at each reading. */
  postgres: () => { pid: number; cmd: string }[];
  /** CPU seconds used so far by each worker, the server and PostgreSQL. */
  cpu: () => { workers: number[]; server: number; postgres: number };
}

export function prodProcesses(root: number): ProdProcesses {
  const procs = descendants(root);
  const workers = procs.filter((p) => /worker\/main\.(ts|js)/.test(p.cmd) && !p.cmd.includes('tsx/dist/cli'));
  const server = procs.find((p) => p.cmd.includes('temporal-server'));
  const postgres = () =>
    descendants(root).filter((p) => p.cmd.startsWith('postgres') || p.cmd.includes('bin/postgres'));
  const cpu = () => ({
    workers: workers.map((w) => procCpuSeconds(w.pid) ?? 0),
    server: server ? (procCpuSeconds(server.pid) ?? 0) : 0,
    postgres: postgres().reduce((sum, p) => sum + (procCpuSeconds(p.pid) ?? 0), 0),
  });
  return { workers, server, postgres, cpu };
}

/** Running setups and the sum of their history lengths, from raw visibility pages (nothing decoded). */
export async function histories(
  connection: Pick<Connection, 'workflowService'>,
  namespace: string,
): Promise<{ setups: number; events: number }> {
  let setups = 0;
  let events = 0;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await connection.workflowService.listWorkflowExecutions({
      namespace,
      pageSize: SETUPS_PAGE_SIZE,
      nextPageToken,
      query: `${setupsQuery()} AND ExecutionStatus = 'Running'`,
    });
    for (const e of page.executions ?? []) {
      setups += 1;
      events += Number(e.historyLength ?? 0);
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { setups, events };
}

/** Busy and total CPU ticks of the whole machine so far, all cores (from /proc/stat). */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  // idle and iowait
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU seconds used so far by every process under `root` (the whole topology: emulator and APIs too). */
export function treeCpuSeconds(root: number): number {
  return descendants(root).reduce((sum, p) => sum + (procCpuSeconds(p.pid) ?? 0), 0);
}

export function busyPercent(before: { busy: number; total: number }, after: { busy: number; total: number }): number {
  const total = after.total - before.total;
  return total > 0 ? Math.round((100 * (after.busy - before.busy)) / total) : 0;
}
