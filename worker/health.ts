// The worker container's health check: the metrics endpoint answers, and if this worker runs the status
// watcher, its last round completed recently. `node_modules/.bin/tsx worker/health.ts` exits 0 or 1.
/** Set by worker/metrics.ts; the alerting rules look for it too. */
export const WATCHER_ROUND_METRIC = 'dts_status_watcher_last_round_timestamp_seconds';

/** A problem with the watcher rounds reported in this Prometheus text, or undefined when healthy. */
export function watcherProblem(metricsText: string, nowS: number, staleAfterS: number): string | undefined {
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(WATCHER_ROUND_METRIC)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    // 0: the watch ran here once and has moved to another worker.
    if (value > 0 && nowS - value > staleAfterS) {
      return `status watcher's last round ended ${Math.round(nowS - value)} s ago (limit ${staleAfterS} s): ${line}`;
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  const port = process.env.WORKER_METRICS_PORT || '9464';
  // Well above the longest pause between rounds (DTS_STATUS_WATCH_INTERVAL_MS, 5 s by default).
  const staleAfterS = Number(process.env.WORKER_WATCHER_STALE_AFTER_S || 120);
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!res.ok) throw new Error(`metrics answered ${res.status}`);
  const problem = watcherProblem(await res.text(), Date.now() / 1000, staleAfterS);
  if (problem) throw new Error(problem);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
