import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { InstanceClaim } from '../workflows/instance-claim';
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

/** Claims an adopted job for the calling setup; returns the claim in force (another setup's when it holds the job). */
export async function claimAdoptedJob(
  claims: InstanceClaims | undefined,
  input: JobClaimInput,
): Promise<InstanceClaim> {
  const claim: InstanceClaim = {
    dtsJobId: input.dtsJobId,
    setupId: setupId(),
    how: 'adopted-existing',
    claimedAt: new Date().toISOString(),
  };
  return claims ? claims.claimExisting(claim) : claim;
}

/** The adopting setup lets go of the job it leaves in place. */
export async function releaseJobClaim(claims: InstanceClaims | undefined, input: JobClaimInput): Promise<void> {
  await claims?.release(input.dtsJobId, setupId());
}
