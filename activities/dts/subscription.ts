// What a DTS instance carries besides its sync: its subscription (RenewInstance) and its tags (TagResources,
// UntagResources, ListTagResources), both families (docs/dts-api.md §13.5).
import type { DtsClient } from './client';
import { tagPair } from '../../core/changes';
import type { RenewPeriod } from '../../core/renewal';
import type { DtsApi } from '../../core/types';
import { text } from '../../common/text';

/** The tag actions' one resource type. */
const RESOURCE_TYPE = 'ALIYUN::DTS::INSTANCE';
/** ListTagResources takes at most 50 ids a call. */
const IDS_PER_CALL = 50;
const MAX_PAGES = 100;

type Json = Record<string, unknown>;

export interface RenewInput {
  api?: DtsApi;
  dtsJobId: string;
  regionId: string;
  period: RenewPeriod;
  usedTime: number;
}

/**
 * RenewInstance, one order. It takes no ClientToken, so the workflow runs it once per attempt and, when an
 * answer is lost, reads ExpireTime before it orders again. Its page names a task id (DtsJobId): the DtsJob
 * family's Forward task; for the legacy family the SynchronizationJobId, as TransferInstanceClass takes it.
 */
export async function renewInstance(dts: DtsClient, input: RenewInput): Promise<{ endTime?: string }> {
  const jobId = input.api === 'dtsjob' ? await forwardTask(dts, input) : input.dtsJobId;
  const body = await dts.call('RenewInstance', {
    DtsJobId: jobId,
    RegionId: input.regionId,
    ChargeType: 'PREPAY',
    Period: input.period,
    BuyCount: input.usedTime,
  });
  const ms = Date.parse(text(body.EndTime));
  return Number.isFinite(ms) ? { endTime: new Date(ms).toISOString() } : {};
}

async function forwardTask(dts: DtsClient, input: RenewInput): Promise<string> {
  const body = await dts.call('DescribeDtsJobs', {
    Region: input.regionId,
    JobType: 'SYNC',
    PageSize: 10,
    DtsInstanceId: input.dtsJobId,
  });
  const items = Array.isArray(body.DtsJobList) ? (body.DtsJobList as Json[]) : [];
  const item = items.find((i) => text(i.DtsInstanceID) === input.dtsJobId);
  // Not listed: the instance id itself, and DTS answers for it.
  return text(item?.DtsJobId) || input.dtsJobId;
}

export interface TagInput {
  dtsJobId: string;
  regionId: string;
  /** `key=value` (or `key:value`, or a bare key), as the setup's tags are written. */
  tags: string[];
  /** The owner tag, given as a pair (its key has a colon, which `tags` would split at). */
  owner?: { key: string; value: string };
}

/** TagResources: a key already there gets the new value, so tagging twice is harmless. */
export async function tagInstance(dts: DtsClient, input: TagInput): Promise<void> {
  const pairs = [...input.tags.map(tagPair), ...(input.owner ? [input.owner] : [])];
  if (pairs.length === 0) return;
  const params: Record<string, string> = {};
  pairs.forEach(({ key, value }, i) => {
    params[`Tag.${i + 1}.Key`] = key;
    params[`Tag.${i + 1}.Value`] = value;
  });
  await dts.call('TagResources', {
    RegionId: input.regionId,
    ResourceType: RESOURCE_TYPE,
    'ResourceId.1': input.dtsJobId,
    ...params,
  });
}

export interface UntagInput {
  dtsJobId: string;
  regionId: string;
  keys: string[];
}

/** UntagResources of these keys (a key not there is no error). */
export async function untagInstance(dts: DtsClient, input: UntagInput): Promise<void> {
  if (input.keys.length === 0) return;
  await dts.call('UntagResources', {
    RegionId: input.regionId,
    ResourceType: RESOURCE_TYPE,
    'ResourceId.1': input.dtsJobId,
    ...Object.fromEntries(input.keys.map((key, i) => [`TagKey.${i + 1}`, key])),
  });
}

/** ListTagResources of these instances (50 a call, every page): instance id → key → value. */
export async function instanceTags(
  dts: DtsClient,
  regionId: string,
  ids: string[],
): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
    const some = ids.slice(i, i + IDS_PER_CALL);
    let token = '';
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await dts.call('ListTagResources', {
        RegionId: regionId,
        ResourceType: RESOURCE_TYPE,
        NextToken: token || undefined,
        ...Object.fromEntries(some.map((id, n) => [`ResourceId.${n + 1}`, id])),
      });
      for (const row of rows(body)) {
        const id = text(row.ResourceId);
        if (id) (out[id] ??= {})[text(row.TagKey)] = text(row.TagValue);
      }
      token = text(body.NextToken);
      if (!token) break;
    }
  }
  return out;
}

/** `TagResources` is a list in the DTS page; other products' models wrap it as `TagResources.TagResource`. */
function rows(body: Json): Json[] {
  const list = body.TagResources;
  if (Array.isArray(list)) return list as Json[];
  const inner = list && typeof list === 'object' ? (list as Json).TagResource : undefined;
  return Array.isArray(inner) ? (inner as Json[]) : [];
}
