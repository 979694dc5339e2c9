import { log, metricMeter, patched, workflowInfo } from '@temporalio/workflow';
import { daysLeft, EXPIRY_WARNING_DAYS } from '../../core/renewal';
import { announce } from './notify';
import { RENEW_TAGS_PATCH } from './patches';
import type { Setup } from './setup';

/**
 * A PrePaid instance's ExpireTime, from the setup's own reads (DescribeSynchronizationJobStatus, or
 * DescribeDtsJobs of the DtsJob family): no call of its own. Kept as `expiresAt`, shown by the gauge
 * `dts_sync_expire_time_seconds{setup, dts_job_id}` (the alert DtsInstanceExpiringSoon counts the days), and
 * announced once per ExpireTime when fewer than EXPIRY_WARNING_DAYS are left.
 */
export function noteExpiry(setup: Setup, expireTime: string | undefined): void {
  if (!expireTime || setup.status.payType !== 'PrePaid') return;
  const changed = setup.status.expiresAt !== expireTime;
  const near = daysLeft(expireTime, Date.now()) < EXPIRY_WARNING_DAYS;
  const unannounced = near && setup.state.expiryAnnounced !== expireTime;
  showExpiry(setup, Date.parse(expireTime) / 1000);
  if ((!changed && !unannounced) || !patched(RENEW_TAGS_PATCH)) return;
  if (changed) setup.updateStatus({ expiresAt: expireTime });
  if (unannounced) {
    log.warn('the DTS instance expires soon', { expiresAt: expireTime });
    setup.state.expiryAnnounced = expireTime;
    announce(setup, 'expiring');
  }
}

/** The setup ends (a teardown starts): its instance is no longer ours to renew, the gauge reads 0 (no alert). */
export function forgetExpiry(setup: Setup): void {
  if (setup.status.expiresAt) showExpiry(setup, 0);
}

/** Workflow metrics are not emitted on replay: no command. */
function showExpiry(setup: Setup, seconds: number): void {
  metricMeter
    .createGauge('dts_sync_expire_time_seconds', 'float', 's', 'When the PrePaid DTS instance of the setup ends')
    .set(seconds, { setup: workflowInfo().workflowId, dts_job_id: setup.status.dtsJobId ?? '' });
}
