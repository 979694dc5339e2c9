import type { MetricMeter } from '@temporalio/common';
import type { CheckpointBoard, StatusBoard } from './dts/status-list';
import { normalizeStatus } from '../workflows/status';

/**
 * The replication delay gauge `dts_sync_delay_seconds{setup, direction, dts_job_id}`, from the status
 * watcher's batched DescribeSynchronizationJobStatusList (no extra DTS calls): the delay is the age of
 * the direction's Checkpoint, the time of the last change replicated. Only Synchronizing directions
 * have a meaningful delay; a setup no longer watched is set back to 0 (a gauge cannot be removed).
 */
export class DelayGauges {
  private shown = new Map<string, { setup: string; direction: string; dts_job_id: string }>();
  private readonly gauge;

  constructor(meter: MetricMeter) {
    this.gauge = meter.createGauge('dts_sync_delay_seconds', 'float', 's', 'Replication delay per setup and direction');
  }

  /** One region's answer; `setupOf` maps a job id to its setup's workflow id. */
  record(board: StatusBoard, checkpoints: CheckpointBoard, setupOf: (jobId: string) => string | undefined): void {
    const nowSeconds = Date.now() / 1000;
    for (const [jobId, directions] of Object.entries(board)) {
      const setup = setupOf(jobId);
      if (!setup) continue;
      for (const [direction, raw] of Object.entries(directions)) {
        const checkpoint = checkpoints[jobId]?.[direction as 'Forward' | 'Reverse'];
        const synchronizing = normalizeStatus(raw) === 'synchronizing';
        const seconds = synchronizing && checkpoint ? Math.max(0, Math.round(nowSeconds - checkpoint)) : 0;
        const labels = { setup, direction, dts_job_id: jobId };
        this.gauge.set(seconds, labels);
        this.shown.set(`${jobId}/${direction}`, labels);
      }
    }
  }

  /** Setups no longer watched (released, ended): their delay reads 0 from now on. */
  forgetAllBut(liveJobIds: Set<string>): void {
    for (const [key, labels] of this.shown) {
      if (liveJobIds.has(labels.dts_job_id)) continue;
      this.gauge.set(0, labels);
      this.shown.delete(key);
    }
  }
}
