import { ApplicationFailure } from '@temporalio/common';
import type { DtsClient } from './client';
import { DtsFailure } from './errors';
import { directionFacts, type DirectionReading } from './job-facts';
import type { DtsJobFacts } from '../../core/adoption';
import type { DatabaseMapping } from '../../core/types';
import { text } from '../../common/text';

export interface DescribeJobInput {
  dtsJobId: string;
  regionId: string;
  /** Read the instance's owner tag too (ListTagResources), for the adoption check. */
  ownerTag?: boolean;
}

type Json = Record<string, unknown>;

const PAGE_SIZE = 30;
const MAX_PAGES = 1000;

/**
 * What DTS says about one existing job, for an adoption: DescribeSynchronizationJobStatus (Forward) proves it
 * exists and names it; DescribeSynchronizationJobs (filtered by that name when it has one) lists one item per
 * direction, which tells the topology and shows Reverse. `undefined` when DTS does not know the job.
 */
export async function describeJob(dts: DtsClient, input: DescribeJobInput): Promise<DtsJobFacts | undefined> {
  let forwardBody: Json;
  try {
    forwardBody = await dts.call('DescribeSynchronizationJobStatus', {
      SynchronizationJobId: input.dtsJobId,
      RegionId: input.regionId,
      SynchronizationDirection: 'Forward',
    });
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === DtsFailure.NotFound) return undefined;
    throw err;
  }
  const name = text(forwardBody.SynchronizationJobName);
  const items = await listedItems(dts, input, name);
  const listedForward = items.find((i) => direction(i) === 'forward');
  const listedReverse = items.find((i) => direction(i) === 'reverse');
  return {
    dtsJobId: input.dtsJobId,
    api: 'synchronizationjob',
    inRegion: items.length > 0,
    name,
    jobClass: text(forwardBody.SynchronizationJobClass) || text(listedForward?.SynchronizationJobClass),
    payType: text(forwardBody.PayType) || text(listedForward?.PayType),
    ...(items.length > 0 ? { topology: listedReverse ? 'bidirectional' : 'oneway' } : {}),
    forward: directionFacts(forwardBody, LEGACY_READING),
    ...(listedReverse ? { reverse: directionFacts(listedReverse, LEGACY_READING) } : {}),
  } satisfies DtsJobFacts;
}

/** The job's items of DescribeSynchronizationJobs in the region (one per direction), every page read. */
async function listedItems(dts: DtsClient, input: DescribeJobInput, name: string): Promise<Json[]> {
  const found: Json[] = [];
  const seen = new Set<string>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await dts.call('DescribeSynchronizationJobs', {
      RegionId: input.regionId,
      PageSize: PAGE_SIZE,
      PageNum: page,
      ...(name ? { SynchronizationJobName: name } : {}),
    });
    const items = Array.isArray(body.SynchronizationInstances) ? (body.SynchronizationInstances as Json[]) : [];
    const before = seen.size;
    for (const item of items) {
      const id = text(item.SynchronizationJobId);
      seen.add(`${id}/${direction(item)}`);
      if (id === input.dtsJobId && !found.some((f) => direction(f) === direction(item))) found.push(item);
    }
    const total = Number(body.TotalRecordCount);
    const jobsSeen = new Set([...seen].map((k) => k.split('/')[0])).size;
    if (items.length === 0 || seen.size === before || (Number.isFinite(total) && jobsSeen >= total)) break;
  }
  return found;
}

const LEGACY_READING: DirectionReading = {
  endpointsRequired: false,
  databases: (item) => databases(item.SynchronizationObjects),
};

function direction(item: Json): string {
  return text(item.SynchronizationDirection, 'Forward').toLowerCase();
}

export function databases(value: unknown): DatabaseMapping[] {
  if (!Array.isArray(value)) return [];
  return (value as Json[]).flatMap((o) => {
    const from = Number.parseInt(text(o.SchemaName ?? o.DBName), 10);
    const to = Number.parseInt(text(o.NewSchemaName ?? o.NewDBName ?? o.SchemaName ?? o.DBName), 10);
    return Number.isFinite(from) && Number.isFinite(to) ? [{ from, to }] : [];
  });
}
