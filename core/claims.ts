// A claim on a DTS instance: a tiny workflow whose id is the instance id, so Temporal's workflow-id uniqueness
// makes "who owns this instance" atomic across every worker. It completes at once; its input is the claim.

export interface InstanceClaim {
  dtsJobId: string;
  /** Workflow id of the setup that owns the instance. */
  setupId: string;
  /**
   * `bought`: the purchase answered with it; `adopted`: found after a purchase whose answer was lost;
   * `adopted-existing`: a job bought outside, adopted on request (`adopt`); `released`: the adopting setup let
   * go of it, leaving the job in place (no setup holds it any more).
   */
  how: 'bought' | 'adopted' | 'adopted-existing' | 'released';
  claimedAt: string;
}

export function instanceClaimId(dtsJobId: string): string {
  return `dts-instance-claim.${dtsJobId}`;
}

/** The claim workflow (workflows/instance-claim.ts), started by name outside the sandbox. */
export const INSTANCE_CLAIM_WORKFLOW = 'dtsInstanceClaim';
export type InstanceClaimWorkflow = (claim: InstanceClaim) => Promise<InstanceClaim>;

/** The first purchase activity of a setup (by its ClientToken): a later one knows an earlier one may have bought. */
export interface PurchaseRecord {
  setupId: string;
  /** When that first purchase activity was scheduled (ms since epoch). */
  firstScheduledMs: number;
}

export function purchaseRecordId(clientToken: string): string {
  return `dts-purchase.${clientToken}`;
}

/** The purchase-record workflow (workflows/instance-claim.ts), started by name outside the sandbox. */
export const PURCHASE_RECORD_WORKFLOW = 'dtsPurchaseRecord';
export type PurchaseRecordWorkflow = (record: PurchaseRecord) => Promise<PurchaseRecord>;
