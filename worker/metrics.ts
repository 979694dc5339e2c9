import { Runtime } from '@temporalio/worker';
import type { DtsCallObserver } from '../activities/dts/client';

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
