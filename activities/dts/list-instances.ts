import type { DtsClient } from './client';
import { normalizeDtsStatus } from '../../core/normalize-dts';
import { text } from '../../common/text';

/** One DTS instance as DescribeSynchronizationJobs shows it (its directions folded together). */
export interface DtsInstanceSummary {
  dtsJobId: string;
  name: string;
  jobClass: string;
  payType: string;
  directions: number;
  /** Every direction is unconfigured (NotConfigured, or NotStarted without a name): nothing runs on it. */
  unconfigured: boolean;
  createdAtMs: number;
}

type Json = Record<string, unknown>;

/** The largest page the reference allows (docs/dts-api.md §1.7). */
const PAGE_SIZE = 30;
const MAX_PAGES = 1000;

/** DescribeSynchronizationJobs of one region, every page: the live instances of the account there. */
export async function listInstances(
  dts: DtsClient,
  regionId: string,
  /** Counts the calls made (pages), for the caller's pace. */
  calls?: { count: number },
): Promise<DtsInstanceSummary[]> {
  const byId = new Map<string, DtsInstanceSummary>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await dts.call('DescribeSynchronizationJobs', {
      RegionId: regionId,
      PageSize: PAGE_SIZE,
      PageNum: page,
    });
    if (calls) calls.count += 1;
    const items = Array.isArray(body.SynchronizationInstances) ? (body.SynchronizationInstances as Json[]) : [];
    const before = byId.size;
    for (const item of items) fold(byId, item);
    const total = Number(body.TotalRecordCount);
    if (items.length === 0 || byId.size === before || (Number.isFinite(total) && byId.size >= total)) break;
  }
  return [...byId.values()];
}

function fold(byId: Map<string, DtsInstanceSummary>, item: Json): void {
  const dtsJobId = text(item.SynchronizationJobId);
  if (!dtsJobId) return;
  const name = text(item.SynchronizationJobName);
  const status = normalizeDtsStatus(text(item.Status));
  const unconfigured = status === 'notconfigured' || (status === 'notstarted' && name === '');
  const known = byId.get(dtsJobId);
  if (known) {
    known.directions += 1;
    known.unconfigured &&= unconfigured;
    if (!known.name) known.name = name;
    return;
  }
  byId.set(dtsJobId, {
    dtsJobId,
    name,
    jobClass: text(item.SynchronizationJobClass),
    payType: text(item.PayType),
    directions: 1,
    unconfigured,
    createdAtMs: createdAt(item),
  });
}

/** InstanceCreateTime (ISO, UTC) if present, else CreateTime (`yyyy-MM-dd HH:mm:ss.0` in UTC+8). */
function createdAt(item: Json): number {
  const iso = Date.parse(text(item.InstanceCreateTime));
  if (Number.isFinite(iso)) return iso;
  const beijing = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})/.exec(text(item.CreateTime));
  return beijing ? Date.parse(`${beijing[1]}T${beijing[2]}+08:00`) : Number.NaN;
}
