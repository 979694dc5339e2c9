import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { InstanceClaim } from '../core/claims';
import type { InstanceClaims } from './instance-claims';

export interface JobClaimInput {
  dtsJobId: string;
}

/** The calling setup's workflow id: the claim's holder. */
function setupId(): string {
  const id = Context.current().info.workflowExecution?.workflowId;
  if (!id) throw ApplicationFailure.nonRetryable('a job claim is made by a setup workflow', 'NoSetup');
  return id;
}

export interface JobClaimResult {
  /** The calling setup holds the job now. */
  ours: boolean;
  /** Who holds it (the caller when `ours`). */
  holder: string;
}

/**
 * Claims an adopted job for the calling setup. The answer says whether it is ours (decided here, from the
 * activity's own workflow id, so the workflow's decision is in its history and replays anywhere).
 */
export async function claimAdoptedJob(
  claims: InstanceClaims | undefined,
  input: JobClaimInput,
): Promise<JobClaimResult> {
  const claim: InstanceClaim = {
    dtsJobId: input.dtsJobId,
    setupId: setupId(),
    how: 'adopted-existing',
    claimedAt: new Date().toISOString(),
  };
  const owner = claims ? await claims.claimExisting(claim) : claim;
  return { ours: owner.setupId === claim.setupId && owner.how !== 'released', holder: owner.setupId };
}

/** The adopting setup lets go of the job it leaves in place. */
export async function releaseJobClaim(claims: InstanceClaims | undefined, input: JobClaimInput): Promise<void> {
  await claims?.release(input.dtsJobId, setupId());
}
