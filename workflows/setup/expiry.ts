import { log, metricMeter, patched, workflowInfo } from '@temporalio/workflow';
import { daysLeft, EXPIRY_WARNING_DAYS } from '../../core/renewal';
import { announce } from './notify';
import { AUTO_RENEW_PATCH, RENEW_TAGS_PATCH } from './patches';
import { askChange } from './change';
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
  if ((changed || unannounced) && patched(RENEW_TAGS_PATCH)) {
    if (changed) setup.updateStatus({ expiresAt: expireTime });
    if (unannounced) {
      log.warn('the DTS instance expires soon', { expiresAt: expireTime });
      setup.state.expiryAnnounced = expireTime;
      announce(setup, 'expiring');
    }
  }
  autoRenew(setup, expireTime);
}

/**
 * A setup that asked for it renews itself: the `renew` change, recorded `by: auto-renew`, asked once per
 * ExpireTime (kept in the state before the order, so a crash or a lost answer never asks again; the change
 * reads ExpireTime back before any second order). A change already applying: asked at a later read.
 */
function autoRenew(setup: Setup, expireTime: string): void {
  const wanted = setup.request.renew;
  if (!wanted?.auto || setup.state.autoRenewedFor === expireTime || setup.state.change) return;
  if (daysLeft(expireTime, Date.now()) >= wanted.daysBefore || setup.state.teardown) return;
  if (!patched(AUTO_RENEW_PATCH)) return;
  log.info('renewing by itself, as the request asked', { expiresAt: expireTime, daysBefore: wanted.daysBefore });
  setup.state.autoRenewedFor = expireTime;
  askChange(setup, { kind: 'renew', period: wanted.period, usedTime: wanted.usedTime, by: 'auto-renew' });
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
