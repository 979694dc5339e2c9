import { ParentClosePolicy, patched, startChild, workflowInfo } from '@temporalio/workflow';
import { differingVerification, noticeEventFor, noticeId, noticeOf, type NoticeEvent } from '../../core/notify';
import { setupNotice } from '../notify';
import { NOTIFY_PATCH } from './patches';
import type { Setup } from './setup';

/**
 * After a phase change: when operators must hear of it, start the notifying workflow (workflows/notify.ts)
 * and go on. The setup never waits for a delivery, only (before it continues as new or ends) for the
 * server to have started the notifiers, which then outlive it.
 */
export function announceChanges(setup: Setup, phaseChanged: boolean): void {
  const log = setup.state.notices ?? { count: 0 };
  const event = phaseChanged ? noticeEventFor(setup.status, log) : undefined;
  if (event && patched(NOTIFY_PATCH)) announce(setup, event);
  const verification = differingVerification(setup.status, log);
  if (verification && patched(NOTIFY_PATCH)) {
    announce(setup, 'verification-differs');
    setup.state.notices = { ...setup.state.notices!, verification };
  }
}

/** Tell operators about `event` now (also for steps with news outside a phase change). */
export function announce(setup: Setup, event: NoticeEvent): void {
  const log = setup.state.notices ?? { count: 0 };
  const id = noticeId(workflowInfo().workflowId, log.count, event);
  setup.state.notices = {
    ...log,
    count: log.count + 1,
    // A verification's finding is beside the phase story: `recovered` still follows the last trouble.
    // An expiry warning too: neither is a turn of the phase story.
    ...(event === 'verification-differs' || event === 'expiring' ? {} : { last: event }),
    synchronized: log.synchronized || event === 'synchronizing',
  };
  const started = startChild(setupNotice, {
    workflowId: id,
    args: [noticeOf(id, event, setup.status, setup.request.region)],
    // The notifier outlives this run: a delivery still retrying is not cut off by a release or a continue-as-new.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: `${event}: ${setup.status.name}`,
  }).catch(() => undefined); // already started (the same event id): announced once
  setup.noticeStarts.push(started);
}

/** Before the run ends: every notifier started (a child not yet started when its parent closes never is). */
export async function noticesStarted(setup: Setup): Promise<void> {
  while (setup.noticeStarts.length > 0) await Promise.all(setup.noticeStarts.splice(0));
}
