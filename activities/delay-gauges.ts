import type { Client } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { dtsStatusSignal } from '../core/messages';
import type { CheckpointBoard, StatusBoard } from './dts/status-list';
import { normalizeDtsStatus } from '../core/normalize-dts';
import type { Direction } from '../core/types';

interface DelayNews {
  workflowId: string;
  direction: Direction;
  delaySeconds: number;
}

/**
 * The replication delay gauge `dts_sync_delay_seconds{setup, direction, dts_job_id}`, from the status
 * watcher's batched DescribeSynchronizationJobStatusList (no extra DTS calls): the delay is the age of
 * the direction's Checkpoint, the time of the last change replicated. Only Synchronizing directions
 * have a meaningful delay; a setup no longer watched is set back to 0 (a gauge cannot be removed).
 */
export class DelayGauges {
  private shown = new Map<string, { setup: string; direction: string; dts_job_id: string }>();
  private readonly buckets = new Map<string, number>();
  private readonly gauge;

  constructor(
    meter: MetricMeter,
    private readonly client: Client,
  ) {
    this.gauge = meter.createGauge('dts_sync_delay_seconds', 'float', 's', 'Replication delay per setup and direction');
  }

  /**
   * One region's answer; `setupOf` maps a job id to its setup's workflow id. Signals the setup when a
   * Synchronizing direction's delay moved to another octave (10s, 20s, 40s, …): the setup, which alone
   * knows its maxDelay, then looks at it, without a signal every round.
   */
  async record(
    board: StatusBoard,
    checkpoints: CheckpointBoard,
    setupOf: (jobId: string) => string | undefined,
  ): Promise<void> {
    const news: DelayNews[] = [];
    const nowSeconds = Date.now() / 1000;
    for (const [jobId, directions] of Object.entries(board)) {
      const setup = setupOf(jobId);
      if (!setup) continue;
      for (const [direction, raw] of Object.entries(directions)) {
        const stamp = checkpoints[jobId]?.[direction as Direction];
        // Unix seconds as documented; milliseconds (13 digits) are read too.
        const checkpoint = stamp && stamp > 1e12 ? stamp / 1000 : stamp;
        const synchronizing = normalizeDtsStatus(raw) === 'synchronizing';
        const seconds = synchronizing && checkpoint ? Math.max(0, Math.round(nowSeconds - checkpoint)) : 0;
        const labels = { setup, direction, dts_job_id: jobId };
        this.gauge.set(seconds, labels);
        const key = `${jobId}/${direction}`;
        this.shown.set(key, labels);
        const before = this.buckets.get(key);
        const bucket = octave(seconds);
        // Down only once clearly below (by a fifth): a delay wobbling at a boundary is not news each round.
        const moved = before !== undefined && (bucket > before || (bucket < before && octave(seconds * 1.25) < before));
        if (moved && synchronizing)
          news.push({ workflowId: setup, direction: direction as Direction, delaySeconds: seconds });
        if (before === undefined || moved) this.buckets.set(key, bucket);
      }
    }
    for (const { workflowId, direction, delaySeconds } of news)
      await this.client.workflow
        .getHandle(workflowId)
        .signal(dtsStatusSignal, { direction, status: 'synchronizing', delaySeconds })
        .catch(() => undefined);
  }

  /** Setups no longer watched (released, ended): their delay reads 0 from now on. */
  forgetAllBut(liveJobIds: Set<string>): void {
    for (const [key, labels] of this.shown) {
      if (liveJobIds.has(labels.dts_job_id)) continue;
      this.gauge.set(0, labels);
      this.shown.delete(key);
      this.buckets.delete(key);
    }
  }
}

/** 0 below 10 s, then 1 for 10–20 s, 2 for 20–40 s, … */
function octave(seconds: number): number {
  return seconds < 10 ? 0 : Math.floor(Math.log2(seconds / 10)) + 1;
}
