// `npm run bench:kept`: a fleet kept on `npm run prod-local`, watched for a while without touching it. Reads the
// processes under prod-local (each worker's RSS and CPU, the Temporal server's, PostgreSQL's: the postmaster and
// its backends), every DTS call the emulator logs (the busiest sliding second of both workers together, calls per
// hour) and the setups' history lengths (raw visibility, no payload decoded) at both ends of the window.
//   npm run bench:kept -- --prod-local-pid PID --temporal 127.0.0.1:PORT --emulator URL --minutes M [--budget B]
// Writes bench/out/summary-<N>.json (merged: keptCallsPerHour, kept) and bench/out/chart-kept-<N>.svg.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { CallCollector } from './calls';
import { runChart, type PhaseSample } from './chart';
import { sleep } from './fleet-ops';
import { keptFigures, mergeSummary } from './kept-figures';
import { histories, prodProcesses } from './prod-procs';
import { procRssBytes } from './stats';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
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
  const { workers, server, postgres, cpu } = prodProcesses(root);
  log(
    `workers ${workers.map((w) => w.pid).join(', ')}, server ${server?.pid}, postgres ${postgres().length} processes`,
  );
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
  const kept = {
    ...keptFigures({
      startMs,
      endMs,
      calls: window,
      before,
      after,
      rss,
      cpuBefore,
      cpuAfter,
      budget,
      callLogGap: calls.gap,
    }),
    loadBefore,
    loadAfter: loadavg().map((l) => l.toFixed(2)),
  };
  log(JSON.stringify(kept));
  const file = resolve(`bench/out/summary-${after.setups}.json`);
  mergeSummary(file, after.setups, { keptCallsPerHour: kept.keptCallsPerHour, kept });
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
