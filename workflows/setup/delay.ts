import { log, metricMeter, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../../core/tuning';
import { DEFAULT_DELAY_GRACE, DEFAULT_MAX_DELAY, type Direction } from '../../core/types';
import { enterAttention } from './attention';
import type { Setup } from './setup';

export function delayLimitsMs(setup: Setup): { maxMs: number; graceMs: number } {
  return {
    maxMs: durationMs(setup.request.maxDelay ?? DEFAULT_MAX_DELAY),
    graceMs: durationMs(setup.request.delayGrace ?? DEFAULT_DELAY_GRACE),
  };
}

/**
 * The gauge `dts_sync_max_delay_seconds{setup}` the delay alert compares the watcher's delay with.
 * No command (workflow metrics are not emitted on replay).
 */
export function showMaxDelay(setup: Setup): void {
  metricMeter
    .createGauge('dts_sync_max_delay_seconds', 'float', 's', "The setup's maxDelay")
    .set(delayLimitsMs(setup).maxMs / 1000, { setup: workflowInfo().workflowId });
}

/** The direction lagging most among those Synchronizing, with its delay in seconds. */
function worstDelay(setup: Setup): { direction: Direction; seconds: number } | undefined {
  let worst: { direction: Direction; seconds: number } | undefined;
  for (const direction of setup.directions) {
    const d = setup.direction(direction);
    if (d.status !== 'synchronizing' || d.delaySeconds === undefined) continue;
    if (!worst || d.delaySeconds > worst.seconds) worst = { direction, seconds: d.delaySeconds };
  }
  return worst;
}

/**
 * After a round of reads in monitor.ts: note since when the delay is above maxDelay, and once that lasted
 * delayGrace, enter needs-attention (kind `delay`). Returns how long until the grace ends (to
 * read again then), or undefined when the delay is within its limit.
 */
export function superviseDelay(setup: Setup): number | undefined {
  const { maxMs, graceMs } = delayLimitsMs(setup);
  const worst = worstDelay(setup);
  if (!worst || worst.seconds * 1000 <= maxMs) {
    if (setup.state.delayOverSinceMs !== undefined) log.info('delay back within its limit', { ...worst });
    delete setup.state.delayOverSinceMs;
    return undefined;
  }
  const now = Date.now();
  setup.state.delayOverSinceMs ??= now;
  const left = setup.state.delayOverSinceMs + graceMs - now;
  if (left > 0) return left;
  const limits = `maxDelay ${String(setup.request.maxDelay ?? DEFAULT_MAX_DELAY)}`;
  const grace = String(setup.request.delayGrace ?? DEFAULT_DELAY_GRACE);
  delete setup.state.delayOverSinceMs;
  enterAttention(setup, {
    kind: 'delay',
    direction: worst.direction,
    reason: `${worst.direction} lags ${worst.seconds}s behind, above ${limits} for longer than ${grace}`,
  });
  return undefined;
}

/** While parked for delay: back to monitoring once the delay is within its limit, or DTS left Synchronizing. */
export function delayRecovered(setup: Setup, status: string, delaySeconds: number | undefined): boolean {
  if (status !== 'synchronizing') return true; // the monitor handles a failure or a suspension
  return (delaySeconds ?? 0) * 1000 <= delayLimitsMs(setup).maxMs;
}
