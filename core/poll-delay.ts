/**
 * Adaptive wait: poll fast when a change is likely soon, slowly when DTS is hours away.
 * While initialization progresses, aim for about three polls over the estimated time left,
 * so the switch to Synchronizing is seen within seconds of the ETA and not hammered before.
 */
export interface ProgressSample {
  progress: number;
  atMs: number;
}

export function nextPollDelayMs(
  previousDelayMs: number,
  earlier: ProgressSample | undefined,
  latest: ProgressSample,
  bounds: { minMs: number; maxMs: number },
): number {
  const clamp = (ms: number) => Math.round(Math.min(bounds.maxMs, Math.max(bounds.minMs, ms)));
  if (earlier && latest.progress > earlier.progress && latest.atMs > earlier.atMs) {
    const ratePerMs = (latest.progress - earlier.progress) / (latest.atMs - earlier.atMs);
    const etaMs = (100 - latest.progress) / ratePerMs;
    return clamp(etaMs / 3);
  }
  // No measurable progress: back off gently.
  return clamp(previousDelayMs * 1.5);
}
