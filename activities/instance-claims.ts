import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { fromPayloadsAtIndex } from '@temporalio/common';
import { setupsQuery } from '../core/visibility';
import {
  INSTANCE_CLAIM_WORKFLOW,
  instanceClaimId,
  PURCHASE_RECORD_WORKFLOW,
  purchaseRecordId,
  type InstanceClaim,
  type InstanceClaimWorkflow,
  type PurchaseRecord,
  type PurchaseRecordWorkflow,
} from '../core/claims';

/**
 * Who owns which DTS instance, kept in Temporal: one claim workflow per instance id. Starting it is the claim;
 * the id is unique (REJECT_DUPLICATE), so of two setups claiming the same instance exactly one wins, on any worker.
 * A closed claim is forgotten after the namespace's retention; by then the owner has configured the instance
 * (it has a name and shows in the owner's DtsJobId search attribute), so it is no longer a candidate for adoption.
 */
export class InstanceClaims {
  constructor(
    private readonly client: Client,
    private readonly namespace: string,
    /** The workflow task queue (the claim workflow completes at once there). */
    private readonly taskQueue: string,
  ) {}

  /** Claims the instance for `claim.setupId`, or returns the claim that got there first (maybe the same setup's). */
  async claim(claim: InstanceClaim): Promise<InstanceClaim> {
    try {
      await this.client.workflow.start<InstanceClaimWorkflow>(INSTANCE_CLAIM_WORKFLOW, {
        workflowId: instanceClaimId(claim.dtsJobId),
        taskQueue: this.taskQueue,
        args: [claim],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
        staticSummary: `DTS instance ${claim.dtsJobId} belongs to ${claim.setupId}`,
      });
      return claim;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const owner = await this.owner(claim.dtsJobId);
      if (!owner) throw err;
      return owner;
    }
  }

  /**
   * Claims a job bought outside for the setup adopting it. A claim of the same setup (an earlier adoption of the
   * pair, or its purchase) or a released one is taken over with a new run of the claim workflow; a claim of another
   * setup is returned as it is (the caller refuses). Two setups adopting one job would be setups of one pair (the
   * job's endpoints are the request's), which Temporal already keeps to one running setup.
   */
  async claimExisting(claim: InstanceClaim): Promise<InstanceClaim> {
    const first = await this.claim(claim);
    if (first === claim) return claim;
    if (first.setupId !== claim.setupId && first.how !== 'released') return first;
    await this.restart(claim);
    return (await this.owner(claim.dtsJobId)) ?? claim;
  }

  /** The adopting setup lets go of the job: a `released` claim, so no setup holds it any more. */
  async release(dtsJobId: string, setupId: string): Promise<void> {
    const owner = await this.owner(dtsJobId);
    if (!owner || owner.setupId !== setupId || owner.how === 'released') return;
    await this.restart({ dtsJobId, setupId, how: 'released', claimedAt: new Date().toISOString() });
  }

  /** A new run of the (closed) claim workflow: the owner() read returns its input from now on. */
  private async restart(claim: InstanceClaim): Promise<void> {
    await this.client.workflow.start<InstanceClaimWorkflow>(INSTANCE_CLAIM_WORKFLOW, {
      workflowId: instanceClaimId(claim.dtsJobId),
      taskQueue: this.taskQueue,
      args: [claim],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      staticSummary:
        claim.how === 'released'
          ? `DTS instance ${claim.dtsJobId} left in place by ${claim.setupId}`
          : `DTS instance ${claim.dtsJobId} belongs to ${claim.setupId}`,
    });
  }

  /**
   * Records the first purchase activity of a ClientToken. Returns when an earlier purchase activity of the same
   * token was first scheduled, if there was one: that one may have bought an instance whose answer was lost
   * (a workflow that retries a purchase with new activities, not with activity retries, looks the same).
   */
  async earlierPurchase(clientToken: string, record: PurchaseRecord): Promise<number | undefined> {
    const workflowId = purchaseRecordId(clientToken);
    try {
      await this.client.workflow.start<PurchaseRecordWorkflow>(PURCHASE_RECORD_WORKFLOW, {
        workflowId,
        taskQueue: this.taskQueue,
        args: [record],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
        staticSummary: `Purchase of ${record.setupId}`,
      });
      return undefined;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const first = await this.firstInput<PurchaseRecord>(workflowId);
      return first ? first.firstScheduledMs : record.firstScheduledMs;
    }
  }

  /** How many other setups are buying now: only they could claim a just-bought instance besides us. */
  async otherPurchases(setupId: string): Promise<number> {
    const { count } = await this.client.workflowService.countWorkflowExecutions({
      namespace: this.namespace,
      query: `${setupsQuery()} AND ExecutionStatus = 'Running' AND SyncPhase = 'purchasing' AND WorkflowId != '${setupId.replace(/'/g, "\\'")}'`,
    });
    return Number(count ?? 0);
  }

  /** The claim on an instance, if any (read from the claim workflow's input). */
  owner(dtsJobId: string): Promise<InstanceClaim | undefined> {
    return this.firstInput<InstanceClaim>(instanceClaimId(dtsJobId));
  }

  private async firstInput<T>(workflowId: string): Promise<T | undefined> {
    try {
      const history = await this.client.workflowService.getWorkflowExecutionHistory({
        namespace: this.namespace,
        execution: { workflowId },
        maximumPageSize: 1,
      });
      const started = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
      if (!started) return undefined;
      // The client's codecs (encryption) undo the last-applied first, as the SDK decodes workflow inputs.
      const { payloadConverter, payloadCodecs } = this.client.workflow.options.loadedDataConverter;
      let payloads = started.input?.payloads ?? [];
      for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
      return fromPayloadsAtIndex<T>(payloadConverter, 0, payloads);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) return undefined;
      throw err;
    }
  }
}
