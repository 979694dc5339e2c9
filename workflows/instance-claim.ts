// Claims on DTS instances (core/claims.ts): tiny workflows whose ids make ownership atomic. Each
// completes at once; its input is the claim.
import type { InstanceClaim, PurchaseRecord } from '../core/claims';

export async function dtsInstanceClaim(claim: InstanceClaim): Promise<InstanceClaim> {
  return claim;
}

export async function dtsPurchaseRecord(record: PurchaseRecord): Promise<PurchaseRecord> {
  return record;
}
