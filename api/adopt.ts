// POST /v1/syncs with `adopt`: before anything is started, prove that the DTS job exists, that no other setup
// holds it, and that it runs between the request's endpoints with the request's topology. The API holds no cloud
// credentials: the job is read by the `adoptionCheck` workflow on the worker (workflows/adoption-check.ts).
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { InstanceClaims } from '../activities/instance-claims';
import { adoptionCheck, type AdoptionCheck } from '../workflows/adoption-check';
import { adoptionRequestOf } from '../core/adoption';
import { OWNER_TAG_KEY } from '../core/renewal';
import type { DtsApi, SetupRequest } from '../core/types';
import { setupsQuery } from '../core/visibility';
import { JOB_CLASSES, PAY_TYPES } from '../core/vocabulary';
import type { CreateSetupBody } from './schemas';
import type { FieldProblem } from './setup-request';
import type { TemporalDeps } from './temporal';

const CHECK_TIMEOUT = '15s';

export interface AdoptionRefusal {
  statusCode: 409 | 422 | 503;
  error: string;
  message: string;
  fields?: FieldProblem[];
  dtsJobId?: string;
}

/**
 * The request to start, with the job's class and pay type where the body left them out; or why not. Nothing is
 * bought or changed either way. `setupId` is the workflow id the setup will have.
 */
export async function checkAdoption(
  temporal: TemporalDeps,
  request: SetupRequest,
  body: CreateSetupBody,
  setupId: string,
): Promise<{ request: SetupRequest; api?: DtsApi } | { refusal: AdoptionRefusal }> {
  const dtsJobId = request.adopt!.dtsJobId;
  const holder = await otherHolder(temporal, dtsJobId, setupId);
  if (holder)
    return {
      refusal: {
        statusCode: 409,
        error: 'Conflict',
        message: `DTS job ${dtsJobId} is held by setup ${holder}; tear that setup down first`,
        dtsJobId,
      },
    };
  const compared = {
    ...adoptionRequestOf(request),
    // Compared only when the caller named them; otherwise the job's are taken.
    jobClass: body.jobClass,
    payType: body.payType,
  };
  let check: AdoptionCheck;
  try {
    check = await temporal.client.workflow.execute(adoptionCheck, {
      workflowId: `adoption-check.${randomUUID()}`,
      taskQueue: temporal.preflightTaskQueue ?? temporal.taskQueue,
      args: [{ dtsJobId, request: compared, ...(temporal.dtsApi ? { api: temporal.dtsApi } : {}) }],
      workflowExecutionTimeout: CHECK_TIMEOUT,
      staticSummary: `Adoption check of ${dtsJobId}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    return {
      refusal: {
        statusCode: 503,
        error: 'Service Unavailable',
        message: `DTS job ${dtsJobId} could not be read in time; try again later`,
      },
    };
  }
  if (!check.found || !check.job)
    return unprocessable([
      {
        field: '/adopt/dtsJobId',
        rule: 'exists',
        message: `DTS knows no job ${dtsJobId} (region ${request.region})`,
      },
    ]);
  const taggedRefusal = await ownerTagRefusal(temporal, check.job.ownerTag, dtsJobId, setupId);
  if (taggedRefusal) return { refusal: taggedRefusal };
  if (check.differences.length > 0) return unprocessable(check.differences);
  const jobClass = JOB_CLASSES.find((c) => c.toLowerCase() === check.job!.jobClass.toLowerCase());
  const payType = PAY_TYPES.find((p) => p.toLowerCase() === check.job!.payType.toLowerCase());
  const job = check.job;
  return {
    request: {
      ...request,
      ...(jobClass ? { jobClass } : {}),
      ...(payType ? { payType } : {}),
    },
    // The family that knows the job: the setup speaks it.
    ...(job.api ? { api: job.api } : {}),
  };
}

function unprocessable(fields: FieldProblem[]): { refusal: AdoptionRefusal } {
  return {
    refusal: {
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: `the DTS job does not match the request, nothing was started: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
      fields,
    },
  };
}

/** Another setup that holds the job: its claim, or a running setup whose DtsJobId it is. */
async function otherHolder(temporal: TemporalDeps, dtsJobId: string, setupId: string): Promise<string | undefined> {
  const claims = new InstanceClaims(temporal.client, temporal.namespace, temporal.taskQueue);
  const claim = await claims.owner(dtsJobId);
  if (claim && claim.how !== 'released' && claim.setupId !== setupId) return claim.setupId;
  const quote = (v: string) => `'${v.replace(/'/g, '')}'`;
  for await (const setup of temporal.client.workflow.list({
    query: `${setupsQuery()} AND ExecutionStatus = 'Running' AND DtsJobId = ${quote(dtsJobId)}`,
    pageSize: 10,
  })) {
    if (setup.workflowId !== setupId) return setup.workflowId;
  }
  return undefined;
}

/** A 409 when the job's owner tag names another setup that still runs. */
async function ownerTagRefusal(
  temporal: TemporalDeps,
  tagged: string | undefined,
  dtsJobId: string,
  setupId: string,
): Promise<AdoptionRefusal | undefined> {
  if (!tagged || tagged === setupId || !(await runs(temporal, tagged))) return undefined;
  return {
    statusCode: 409,
    error: 'Conflict',
    message: `DTS job ${dtsJobId} carries the owner tag of setup ${tagged}, which still runs; tear that setup down first`,
    fields: [
      {
        field: '/adopt/dtsJobId',
        rule: 'not-owned-elsewhere',
        message: `the owner tag ${OWNER_TAG_KEY} of DTS job ${dtsJobId} names setup ${tagged}, which still runs`,
      },
    ],
    dtsJobId,
  };
}

/** Whether the setup an owner tag names still runs (an ended or unknown one no longer holds its instance). */
async function runs(temporal: TemporalDeps, workflowId: string): Promise<boolean> {
  try {
    const d = await temporal.client.workflow.getHandle(workflowId).describe();
    return d.status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * A repeated adoption request that left jobClass or payType out is the same request as the running setup's,
 * which took the job's values: those fields are not differences.
 */
export function withoutJobDefaults(differences: FieldProblem[], body: CreateSetupBody): FieldProblem[] {
  if (!body.adopt) return differences;
  return differences.filter(
    (d) =>
      !(d.field === '/jobClass' && body.jobClass === undefined) &&
      !(d.field === '/payType' && body.payType === undefined),
  );
}
