// `npm run bench:kept`: a fleet kept on `npm run prod-local`, watched for a while without touching it. Reads the
// processes under prod-local (each worker's RSS and CPU, the Temporal server's, PostgreSQL's: the postmaster and
// its backends), every DTS call the emulator logs (the busiest sliding second of both workers together, calls per
// hour) and the setups' history lengths (raw visibility, no payload decoded) at both ends of the window.
//   npm run bench:kept -- --prod-local-pid PID --temporal 127.0.0.1:PORT --emulator URL --minutes M [--budget B]
// Writes bench/out/summary-<N>.json (merged: keptCallsPerHour, kept) and bench/out/chart-kept-<N>.svg.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { CallCollector, countBy, peakInWindow } from './calls';
import { runChart, type PhaseSample } from './chart';
import { sleep } from './fleet-ops';
import { procCpuSeconds, procRssBytes } from './stats';
import { SETUPS_PAGE_SIZE, setupsQuery } from '../core/visibility';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Every process under `root`, with its command line. */
function descendants(root: number): { pid: number; cmd: string }[] {
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

/** Running setups and the sum of their history lengths, from raw visibility pages (nothing decoded). */
async function histories(connection: Connection, namespace: string): Promise<{ setups: number; events: number }> {
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

async function main(): Promise<void> {
  const root = Number(option('--prod-local-pid'));
  const emulatorUrl = option('--emulator');
  const address = option('--temporal');
  const minutes = Number(option('--minutes') ?? 5);
  const budget = Number(option('--budget') ?? 20);
  const namespace = option('--namespace') ?? 'default';
  if (!root || !emulatorUrl || !address) throw new Error('needs --prod-local-pid, --emulator and --temporal');
  const log = (line: string) => console.log(`[bench:kept ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const procs = descendants(root);
  const workers = procs.filter((p) => /worker\/main\.(ts|js)/.test(p.cmd) && !p.cmd.includes('tsx/dist/cli'));
  const server = procs.find((p) => p.cmd.includes('temporal-server'));
  const postgres = () =>
    descendants(root).filter((p) => p.cmd.startsWith('postgres') || p.cmd.includes('bin/postgres'));
  log(
    `workers ${workers.map((w) => w.pid).join(', ')}, server ${server?.pid}, postgres ${postgres().length} processes`,
  );
  const cpu = () => ({
    workers: workers.map((w) => procCpuSeconds(w.pid) ?? 0),
    server: server ? (procCpuSeconds(server.pid) ?? 0) : 0,
    postgres: postgres().reduce((sum, p) => sum + (procCpuSeconds(p.pid) ?? 0), 0),
  });
  const connection = await Connection.connect({ address });
  const loadBefore = loadavg().map((l) => l.toFixed(2));
  const calls = new CallCollector(emulatorUrl);
  await calls.collect();
  const fromSeq = Math.max(0, ...calls.all().map((c) => c.seq));
  calls.start(10_000);
  const before = await histories(connection, namespace);
  const cpuBefore = cpu();
  const startMs = Date.now();
  const rss = workers.map(() => ({ peak: 0, end: 0 }));
  const phases: PhaseSample[] = [];
  log(`${before.setups} running setups, watching for ${minutes} min`);
  while (Date.now() - startMs < minutes * 60_000) {
    workers.forEach((w, i) => {
      const now = procRssBytes(w.pid) ?? 0;
      rss[i] = { peak: Math.max(rss[i]!.peak, now), end: now };
    });
    if (phases.length === 0 || Date.now() - phases.at(-1)!.atMs >= 30_000)
      phases.push({ atMs: Date.now(), counts: { running: before.setups } });
    await sleep(1_000);
  }
  const endMs = Date.now();
  const cpuAfter = cpu();
  const after = await histories(connection, namespace);
  await calls.stop();
  const window = calls.all().filter((c) => c.seq > fromSeq && c.atMs >= startMs && c.atMs <= endMs);
  const hours = (endMs - startMs) / 3_600_000;
  const seconds = (endMs - startMs) / 1000;
  const pct = (cpuSeconds: number) => Math.round((100 * cpuSeconds) / seconds);
  const peak = peakInWindow(window.map((c) => c.atMs));
  const kept = {
    setups: after.setups,
    minutes: Math.round((seconds / 60) * 10) / 10,
    dtsCalls: window.length,
    byAction: countBy(window, (c) => c.action),
    keptCallsPerHour: Math.round(window.length / hours),
    callsPerSetupPerHour: Math.round((window.length / hours / Math.max(1, after.setups)) * 100) / 100,
    peakSlidingSecond: peak.count,
    budgetPerSecond: budget,
    callLogGap: calls.gap,
    historyEventsPerSetupPerHour:
      Math.round(((after.events - before.events) / Math.max(1, after.setups) / hours) * 10) / 10,
    workerRssMb: rss.map((r) => ({ peak: Math.round(r.peak / 1048576), end: Math.round(r.end / 1048576) })),
    cpuPercentOfOneCore: {
      workers: cpuAfter.workers.map((c, i) => pct(c - cpuBefore.workers[i]!)),
      temporalServer: pct(cpuAfter.server - cpuBefore.server),
      postgres: pct(cpuAfter.postgres - cpuBefore.postgres),
    },
    loadBefore,
    loadAfter: loadavg().map((l) => l.toFixed(2)),
  };
  log(JSON.stringify(kept));
  mkdirSync(resolve('bench/out'), { recursive: true });
  const file = resolve(`bench/out/summary-${after.setups}.json`);
  const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as object) : { setups: after.setups };
  writeFileSync(file, `${JSON.stringify({ ...earlier, keptCallsPerHour: kept.keptCallsPerHour, kept }, null, 2)}\n`);
  writeFileSync(
    resolve(`bench/out/chart-kept-${after.setups}.svg`),
    runChart(`${after.setups} setups kept on prod-local, budget ${budget}/s`, startMs, window, phases, budget),
  );
  log(`wrote ${file} and chart-kept-${after.setups}.svg`);
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
