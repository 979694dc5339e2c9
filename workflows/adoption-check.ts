// A short workflow the API runs before starting a setup that adopts a DTS job: reads the job on the worker
// (which holds the cloud credentials) and answers where it differs from the request. Nothing is bought or changed.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { adoptionDifferences, type AdoptionDifference, type AdoptionRequest, type DtsJobFacts } from '../core/adoption';
import { dtsTaskQueue } from '../core/ids';
import { ANSWER_CALL } from '../core/timing';
import type { DtsApi } from '../core/types';

export interface AdoptionCheckInput {
  /** The family the setup would speak; an id of the other family is accepted too (the answer names its family). */
  api?: DtsApi;
  dtsJobId: string;
  request: AdoptionRequest;
}

export interface AdoptionCheck {
  /** DTS knows the job. */
  found: boolean;
  job?: DtsJobFacts;
  differences: AdoptionDifference[];
}

export async function adoptionCheck(input: AdoptionCheckInput): Promise<AdoptionCheck> {
  const { describeJob } = proxyActivities<Activities>({
    taskQueue: dtsTaskQueue(workflowInfo().taskQueue),
    ...ANSWER_CALL,
  });
  const job = await describeJob({
    ...(input.api ? { api: input.api } : {}),
    dtsJobId: input.dtsJobId,
    regionId: input.request.region,
    // Short-lived and not replayed across deploys: the extra read needs no patch.
    ownerTag: true,
  });
  if (!job) return { found: false, differences: [] };
  return { found: true, job, differences: adoptionDifferences(input.request, job) };
}
