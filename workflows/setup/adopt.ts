import { ApplicationFailure, log } from '@temporalio/workflow';
import { SetupFailure } from '../../core/failures';
import { adoptionDifferences, adoptionRequestOf } from '../../core/adoption';
import type { Direction } from '../../core/types';
import { DTS_CALL } from '../../core/timing';
import type { Setup } from './setup';

/**
 * Take over the job named by `adopt` instead of buying one: read it, prove it is the job the request describes
 * (the API checked it before starting; this is the durable check), claim it, and record where each direction
 * stands. The steps that follow go on from there: configure what is not configured (Reverse of a two-way job that
 * has only Forward), wait for what is not Synchronizing yet, monitor what runs. Nothing is bought.
 */
export async function adopt(setup: Setup): Promise<void> {
  const { dtsJobId } = setup.request.adopt!;
  const regionId = setup.request.region;
  setup.updateStatus({ phase: 'adopting' });
  const job = await setup.callWithRetries(() =>
    setup.dts(`Read DTS job ${dtsJobId} to adopt it`, DTS_CALL).describeJob({ ...setup.family, dtsJobId, regionId }),
  );
  if (!job)
    throw ApplicationFailure.nonRetryable(
      `DTS job ${dtsJobId} does not exist in ${regionId}`,
      SetupFailure.AdoptedJobMismatch,
    );
  const differences = adoptionDifferences(adoptionRequestOf(setup.request), job);
  if (differences.length > 0)
    throw ApplicationFailure.nonRetryable(
      `DTS job ${dtsJobId} differs from the request: ${differences.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
      SetupFailure.AdoptedJobMismatch,
    );
  // The id the setup keeps: the instance (a DtsJob-family task id names one of its tasks).
  const instanceId = job.dtsJobId || dtsJobId;
  // Ids of either family are accepted: the setup speaks the family that knows the job.
  if (setup.state.api && job.api && job.api !== setup.state.api) {
    log.info('the adopted job belongs to the other DTS API family; speaking it', { api: job.api });
    setup.state.api = job.api;
    setup.status.dtsApi = job.api;
  }
  const claim = await setup.callWithRetries(() =>
    setup.dts(`Claim DTS job ${instanceId}`, DTS_CALL).claimAdoptedJob({ dtsJobId: instanceId }),
  );
  if (!claim.ours)
    throw ApplicationFailure.nonRetryable(
      `DTS job ${instanceId} is held by setup ${claim.holder}`,
      SetupFailure.AdoptedJobHeld,
    );
  const now = new Date().toISOString();
  for (const [dir, facts] of [
    ['Forward', job.forward],
    ['Reverse', job.reverse],
  ] as [Direction, typeof job.forward | undefined][]) {
    if (!facts || !setup.directions.includes(dir)) continue;
    const state = setup.direction(dir);
    Object.assign(state, { configured: facts.configured, status: facts.status, rawStatus: facts.rawStatus });
    if (facts.configured) state.configuredAt = now;
    if (facts.status === 'synchronizing') {
      state.synchronizingAt = now;
      setup.status.everSynchronizing = true;
    }
  }
  log.info('adopted an existing DTS job', {
    dtsJobId: instanceId,
    forward: job.forward.rawStatus,
    reverse: job.reverse?.rawStatus,
  });
  setup.updateStatus({ dtsJobId: instanceId, adopted: { dtsJobId: instanceId, at: now } });
}

/** Let go of an adopted job without touching it: no suspend, no delete; the claim is released. */
export async function leaveInPlace(setup: Setup): Promise<void> {
  const dtsJobId = setup.status.dtsJobId!;
  try {
    await setup.callWithRetries(
      () => setup.dts(`Let go of DTS job ${dtsJobId}`, DTS_CALL).releaseJobClaim({ dtsJobId }),
      {
        stoppable: false,
      },
    );
  } catch (err) {
    // Bookkeeping only: the job is left as it is either way.
    log.warn('could not release the claim of the adopted job', { dtsJobId, error: String(err) });
  }
  setup.updateStatus({ released: { at: new Date().toISOString(), outcome: 'left-in-place' } });
}
