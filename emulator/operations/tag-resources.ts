// TagResources, UntagResources and ListTagResources on DTS instances (ResourceType ALIYUN::DTS::INSTANCE).
// Lists are numbered from 1 (ResourceId.1, Tag.1.Key), as the SDKs flatten them (docs/dts-api.md §13.5).
import { operationErrors } from '../errors';
import type { JobRecord } from '../model';
import type { Operation, OperationContext } from './context';
import { DTS_RESOURCE_TYPE } from '../reference/dts';

/** "You can bind up to 20 tags to each instance", "up to 50 instances in each call" (TagResources page). */
export const MAX_TAGS = 20;
export const MAX_RESOURCES = 50;

function list(ctx: OperationContext, name: (n: number) => string, max: number): string[] {
  const out: string[] = [];
  for (let n = 1; n <= max; n++) {
    const value = ctx.reader.optional(name(n));
    if (value !== undefined) out.push(value);
  }
  return out;
}

function resources(ctx: OperationContext, required: boolean): JobRecord[] {
  const ids = list(ctx, (n) => `ResourceId.${n}`, MAX_RESOURCES);
  if (required && ids.length === 0) throw operationErrors.missing('ResourceId.1');
  const jobs = ids.map((id) => ctx.state.liveJob(id));
  if (jobs.length === 1) ctx.call.jobId = jobs[0]!.jobId;
  return jobs;
}

function resourceType(ctx: OperationContext): void {
  ctx.reader.region('RegionId', true);
  ctx.reader.requiredEnum('ResourceType', [DTS_RESOURCE_TYPE], { caseInsensitive: true });
}

export const tagResources: Operation = (ctx) => {
  resourceType(ctx);
  const jobs = resources(ctx, true);
  const tags: [string, string][] = [];
  for (let n = 1; n <= MAX_TAGS; n++) {
    const key = ctx.reader.optional(`Tag.${n}.Key`);
    if (key !== undefined) tags.push([key, ctx.reader.optional(`Tag.${n}.Value`) ?? '']);
  }
  if (tags.length === 0) throw operationErrors.missing('Tag.1.Key');
  for (const job of jobs) {
    // The same key overwrites its value: tagging twice is harmless.
    const next = { ...job.tags, ...Object.fromEntries(tags) };
    if (Object.keys(next).length > MAX_TAGS)
      throw operationErrors.invalidParameter('Tag.N.Key', `an instance holds at most ${MAX_TAGS} tags`);
    job.tags = next;
  }
  return { Success: true };
};

export const untagResources: Operation = (ctx) => {
  resourceType(ctx);
  const jobs = resources(ctx, true);
  const keys = list(ctx, (n) => `TagKey.${n}`, MAX_TAGS);
  const all = ctx.reader.boolean('All') ?? false;
  if (keys.length === 0 && !all) throw operationErrors.missing('TagKey.1');
  for (const job of jobs) {
    if (all) delete job.tags;
    else job.tags = Object.fromEntries(Object.entries(job.tags ?? {}).filter(([k]) => !keys.includes(k)));
  }
  return { Success: true };
};

export const listTagResources: Operation = (ctx) => {
  resourceType(ctx);
  const named = resources(ctx, false);
  const wanted: [string, string | undefined][] = [];
  for (let n = 1; n <= MAX_TAGS; n++) {
    const key = ctx.reader.optional(`Tag.${n}.Key`);
    if (key !== undefined) wanted.push([key, ctx.reader.optional(`Tag.${n}.Value`)]);
  }
  if (named.length === 0 && wanted.length === 0)
    throw operationErrors.invalidParameter('ResourceId.N', 'give ResourceId.N or Tag.N.Key');
  const jobs = named.length > 0 ? named : ctx.state.allJobs().filter((j) => !j.released);
  const matches = (job: JobRecord) =>
    wanted.every(([key, value]) => job.tags?.[key] !== undefined && (value === undefined || job.tags[key] === value));
  const rows = jobs.filter(matches).flatMap((job) =>
    Object.entries(job.tags ?? {}).map(([TagKey, TagValue]) => ({
      ResourceId: job.jobId,
      ResourceType: DTS_RESOURCE_TYPE,
      TagKey,
      TagValue,
    })),
  );
  // One page: the emulator's accounts are small (NextToken is answered empty).
  return { Success: true, NextToken: '', TagResources: rows };
};
