import type { DtsClient } from './client';
import { normalizeDirection, normalizeDtsStatus } from '../../core/normalize-dts';
import type { Direction } from '../../core/types';
import { text } from '../../common/text';

/** A configured direction's endpoints: an instance id, or `ip:port` for a self-managed Redis. */
export interface DtsRoute {
  direction: Direction;
  source: string;
  destination: string;
}

/** One DTS instance as its family's list shows it (its directions folded together). */
export interface DtsInstanceSummary {
  dtsJobId: string;
  name: string;
  jobClass: string;
  payType: string;
  /** How many directions it has; undefined where the list does not tell an unconfigured instance's topology. */
  directions?: number;
  /** Its configured directions (the preflight's cascade check). */
  routes: DtsRoute[];
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
  // One item of an unconfigured instance: its Reverse may simply not be listed yet (dialect unconfiguredReverse).
  for (const instance of byId.values())
    if (instance.unconfigured && instance.directions === 1) delete instance.directions;
  return [...byId.values()];
}

function fold(byId: Map<string, DtsInstanceSummary>, item: Json): void {
  const dtsJobId = text(item.SynchronizationJobId);
  if (!dtsJobId) return;
  const name = text(item.SynchronizationJobName);
  const status = normalizeDtsStatus(text(item.Status));
  const unconfigured = status === 'notconfigured' || (status === 'notstarted' && name === '');
  const route = routeOf(item);
  const known = byId.get(dtsJobId);
  if (known) {
    known.directions = (known.directions ?? 0) + 1;
    if (route) known.routes.push(route);
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
    routes: route ? [route] : [],
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

function routeOf(item: Json): DtsRoute | undefined {
  const source = endpointId(item.SourceEndpoint);
  const destination = endpointId(item.DestinationEndpoint);
  if (!source || !destination) return undefined;
  return { direction: normalizeDirection(item.SynchronizationDirection) ?? 'Forward', source, destination };
}

/** An endpoint as the preflight names it: its instance id, or `ip:port` (both families' spellings). */
export function endpointId(endpoint: unknown): string | undefined {
  if (!endpoint || typeof endpoint !== 'object') return undefined;
  const e = endpoint as Json;
  const instanceId = text(e.InstanceId ?? e.InstanceID);
  if (instanceId) return instanceId;
  const ip = text(e.IP ?? e.Ip);
  return ip ? `${ip}:${text(e.Port)}` : undefined;
}
