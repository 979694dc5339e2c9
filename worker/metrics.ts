import { Runtime } from '@temporalio/worker';
import type { DtsCallObserver } from '../activities/dts/client';
import type { WatchDeps } from '../activities/watch-statuses';
import { WATCHER_ROUND_METRIC } from './health';

/**
 * DTS call metrics on the SDK's own Prometheus exporter (WORKER_METRICS_PORT), next to the
 * SDK's worker metrics and the workflow's phase metrics.
 */
export function dtsCallMetrics(): DtsCallObserver {
  const meter = Runtime.instance().metricMeter;
  const calls = meter.createCounter('dts_calls', '1', 'DTS API calls by action and outcome');
  const latency = meter.createHistogram('dts_call_latency', 'int', 'ms', 'DTS API call latency');
  return ({ action, outcome, durationMs }) => {
    calls.add(1, { action, outcome });
    latency.record(durationMs, { action });
  };
}

/**
 * Liveness of the status watcher: Unix time of its last completed round, by task queue; 0 once the watch
 * stopped in this process (it runs on one worker of the fleet at a time, so alerts take the max).
 */
export function watcherRoundMetrics(): NonNullable<WatchDeps['onRound']> {
  const gauge = Runtime.instance().metricMeter.createGauge(
    WATCHER_ROUND_METRIC,
    'float',
    's',
    'Unix time of the DTS status watcher last completed round',
  );
  return (input, completedAtMs) =>
    gauge.set(completedAtMs === undefined ? 0 : completedAtMs / 1000, {
      namespace: input.namespace,
      task_queue: input.taskQueue,
    });
}
