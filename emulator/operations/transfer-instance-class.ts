// TransferInstanceClass: upgrades the class (DTS cannot downgrade); DTS reports the new class after a while.
import { operationErrors } from '../errors';
import { currentClass } from '../lifecycle';
import type { Operation } from './context';
import { findTask } from './dtsjob/common';

const CLASSES = ['micro', 'small', 'medium', 'large'];
/** How long the order takes to show (scaled like every duration). */
const UPGRADE_MS = 30_000;

export const transferInstanceClass: Operation = (ctx) => {
  ctx.reader.region('RegionId', false);
  // Its page names a task's DtsJobId; the emulator takes a legacy SynchronizationJobId there too (docs/dts-api.md).
  const id = ctx.reader.required('DtsJobId');
  const job = findTask(ctx, id)?.job ?? ctx.state.liveJob(id);
  ctx.call.jobId = job.jobId;
  ctx.reader.required('OrderType');
  const wanted = ctx.reader.required('InstanceClass');
  if (job.classChange && ctx.now < job.classChange.at)
    throw operationErrors.jobStatus(`an upgrade to ${job.classChange.to} is still in progress`);
  const current = currentClass(job, ctx.now);
  if (CLASSES.indexOf(wanted) <= CLASSES.indexOf(current))
    throw operationErrors.invalid('InstanceClass', `${wanted} is not above the current class ${current}`);
  job.jobClass = current;
  job.classChange = { to: wanted, at: ctx.now + UPGRADE_MS * ctx.options.timeScale };
  return {
    Success: true,
    DtsJobId: job.jobId,
    InstanceId: job.jobId,
    ChargeType: job.payType === 'PrePaid' ? 'PREPAY' : 'POSTPAY',
  };
};
