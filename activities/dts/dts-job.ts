// The DtsJob family (docs/dts-api.md §12, §13), which Alibaba maintains. A setup keeps the instance's DtsInstanceId;
// the per-task actions name a task by DtsJobId, so each finds the instance's tasks first (DescribeDtsJobs): a
// task id is never kept, since ResetDtsJob may replace it.
import { ApplicationFailure } from '@temporalio/common';
import type { DtsClient, DtsParams } from './client';
import { DEFAULT_REDIS_USER, type ConfigureInput } from './configure';
import { toSnapshot } from './describe';
import { DtsFailure } from './errors';
import { forEachConcurrently } from '../concurrently';
import { withClient, type CallCount, type CreateInput, type DirectionRef, type DtsFamily, type JobRef } from './family';
import { endpointId, type DtsInstanceSummary, type DtsRoute } from './list-instances';
import type { ReleaseResult } from './release';
import type { CheckpointBoard, StatusBoard } from './status-list';
import { directionFacts, type DirectionReading } from './job-facts';
import type { DtsJobFacts } from '../../core/adoption';
import { normalizeDtsStatus } from '../../core/normalize-dts';
import type { DatabaseMapping, Direction, DirectionSnapshot, RedisEndpoint } from '../../core/types';
import { text } from '../../common/text';

type Json = Record<string, unknown>;

/** The largest page DescribeDtsJobs allows (10, 20 or 30). */
const PAGE_SIZE = 30;
const MAX_PAGES = 1000;
/** A status read's batches in flight at once. */
const BATCHES_AT_ONCE = 4;

export function dtsJobFamily(dts: DtsClient): DtsFamily {
  return withClient(dts, 'dtsjob', {
    create,
    configure,
    describe,
    statuses,
    list,
    listSince,
    touching,
    job,
    start,
    suspend,
    reset,
    release,
  });
}

/**
 * A restart must not wait for the read that names the task: when DescribeDtsJobs is refused (credentials or
 * permissions), StartDtsJob names the direction by the instance's Forward task as DTS numbers it, the instance
 * id without `dts` (docs/dts-api.md §12), and DTS's answer tells whether it started. A task DTS does not know by
 * that id (a reset replaced it) leaves the read's refusal as the error.
 */
async function start(dts: DtsClient, input: DirectionRef): Promise<void> {
  let params: DtsParams;
  try {
    params = await taskParams(dts, 'StartDtsJob', input);
  } catch (readErr) {
    if (!isFailure(readErr, DtsFailure.Credentials)) throw readErr;
    try {
      await dts.call('StartDtsJob', { ...instanceParams(input), DtsJobId: input.dtsJobId.replace(/^dts/, '') });
      return;
    } catch (err) {
      throw isFailure(err, DtsFailure.NotFound) ? readErr : err;
    }
  }
  await dts.call('StartDtsJob', params);
}

function isFailure(err: unknown, type: string): boolean {
  return err instanceof ApplicationFailure && err.type === type;
}

async function suspend(dts: DtsClient, input: DirectionRef): Promise<void> {
  await dts.call('SuspendDtsJob', await taskParams(dts, 'SuspendDtsJob', input));
}

async function reset(dts: DtsClient, input: DirectionRef): Promise<void> {
  await dts.call('ResetDtsJob', await taskParams(dts, 'ResetDtsJob', input));
}

/** CreateDtsInstance: a SYNC instance for Redis at both ends. It takes no ClientToken (docs/dts-api.md §13.3). */
async function create(dts: DtsClient, input: CreateInput): Promise<string> {
  const prepaid = input.payType === 'PrePaid';
  const body = await dts.call('CreateDtsInstance', {
    RegionId: input.regionId,
    Type: 'SYNC',
    SourceRegion: input.sourceRegion,
    DestinationRegion: input.destinationRegion,
    SourceEndpointEngineName: 'Redis',
    DestinationEndpointEngineName: 'Redis',
    SyncArchitecture: input.topology,
    InstanceClass: input.jobClass,
    PayType: input.payType,
    Period: prepaid ? input.period : undefined,
    UsedTime: prepaid ? input.usedTime : undefined,
    Quantity: 1,
    // Renewal is the owner's decision, never a side effect of a setup.
    AutoPay: false,
    ResourceGroupId: input.resourceGroupId,
  });
  const instanceId = text(body.InstanceId);
  if (!instanceId) throw new Error('CreateDtsInstance answered without an InstanceId');
  return instanceId;
}

/** ConfigureDtsJob for one direction of the instance; DTS runs the precheck, then the sync, by itself. */
async function configure(dts: DtsClient, input: ConfigureInput): Promise<void> {
  const { source, destination } = input;
  const bothEnterprise = source.kind === 'enterprise' && destination.kind === 'enterprise';
  const reserve = {
    ...(bothEnterprise ? { srcRedisType: 'enterprise', destRedisType: 'enterprise' } : {}),
    // none: the task waits NotStarted for StartDtsJob (the initialization window).
    ...((input.startAutomatically ?? true) ? {} : { autoStartModulesAfterConfig: 'none' }),
  };
  await dts.call(
    'ConfigureDtsJob',
    {
      DtsInstanceId: input.dtsJobId,
      RegionId: input.regionId,
      SynchronizationDirection: input.direction,
      JobType: 'SYNC',
      DtsJobName: input.jobName,
      // Full plus incremental in both directions, as for the legacy family (docs/dts-api.md §2.4).
      StructureInitialization: true,
      DataInitialization: true,
      DataSynchronization: true,
      DbList: dbList(input.databases),
      ...endpointParams('SourceEndpoint', source),
      ...endpointParams('DestinationEndpoint', destination),
      Reserve: Object.keys(reserve).length > 0 ? JSON.stringify(reserve) : undefined,
    },
    [source.password, destination.password],
  );
}

function endpointParams(prefix: 'SourceEndpoint' | 'DestinationEndpoint', endpoint: RedisEndpoint): DtsParams {
  const cloud = endpoint.kind === 'enterprise' || endpoint.kind === 'community';
  return {
    [`${prefix}EngineName`]: 'REDIS',
    [`${prefix}Region`]: endpoint.region,
    [`${prefix}Password`]: endpoint.password,
    [`${prefix}InstanceType`]: cloud ? 'REDIS' : endpoint.kind.toUpperCase(),
    // An Express endpoint is only an address.
    ...(endpoint.kind === 'express' ? {} : { [`${prefix}InstanceID`]: endpoint.instanceId }),
    // This family names the account in its own parameter: for a cloud instance, absent means its default account;
    // ECS and Express are reached by address, with Redis's default account when none is named.
    ...(cloud
      ? { [`${prefix}UserName`]: endpoint.username }
      : {
          [`${prefix}IP`]: endpoint.ip,
          [`${prefix}Port`]: endpoint.port,
          [`${prefix}UserName`]: endpoint.username ?? DEFAULT_REDIS_USER,
        }),
  };
}

/** One DescribeDtsJobs page of synchronization instances. */
function listPage(dts: DtsClient, regionId: string, page: number, filter: DtsParams = {}): Promise<Json> {
  return dts.call('DescribeDtsJobs', {
    Region: regionId,
    JobType: 'SYNC',
    PageSize: PAGE_SIZE,
    PageNumber: page,
    WithoutDbList: filter.DtsInstanceId === undefined && filter.DtsJobId === undefined ? true : undefined,
    ...filter,
  });
}

function items(body: Json): Json[] {
  return Array.isArray(body.DtsJobList) ? (body.DtsJobList as Json[]) : [];
}

/** The listed item of one instance (its Forward task, Reverse as ReverseJob), or undefined when DTS knows none. */
export async function findInstance(dts: DtsClient, regionId: string, instanceId: string): Promise<Json | undefined> {
  const body = await listPage(dts, regionId, 1, { DtsInstanceId: instanceId });
  return items(body).find((item) => text(item.DtsInstanceID) === instanceId);
}

export function task(item: Json, direction: Direction): Json | undefined {
  if (direction === 'Forward') return item;
  const reverse = item.ReverseJob;
  return reverse && typeof reverse === 'object' ? (reverse as Json) : undefined;
}

export function notFound(action: string, input: JobRef): ApplicationFailure {
  return ApplicationFailure.create({
    message: `${action}: DTS lists no instance ${input.dtsJobId} in ${input.regionId}`,
    type: DtsFailure.NotFound,
    nonRetryable: true,
    details: [{ action, code: 'Forbidden.InstanceNotFound' }],
  });
}

/** DescribeDtsJobs filtered by the instance: one read gives a direction's status, precheck and progress. */
async function describe(dts: DtsClient, input: DirectionRef): Promise<DirectionSnapshot> {
  const item = await findInstance(dts, input.regionId, input.dtsJobId);
  if (!item) throw notFound('DescribeDtsJobs', input);
  const found = task(item, input.direction);
  // A Reverse not listed yet (dialect unconfiguredReverse=omitted) is one not configured.
  if (!found) return toSnapshot({ Status: 'NotConfigured' });
  return toSnapshot(legacyShape(found));
}

/** The task's fields in the words toSnapshot reads (the legacy status answer). */
function legacyShape(item: Json): Json {
  const precheck = object(item.PrecheckStatus);
  const detail = Array.isArray(precheck.Detail) ? (precheck.Detail as Json[]) : [];
  return {
    Status: item.Status,
    ErrorMessage: item.ErrorMessage,
    Delay: item.Delay,
    Checkpoint: item.Checkpoint,
    // The instance's, on the Forward task's item (the read the keeper makes anyway: no extra call).
    ExpireTime: item.ExpireTime,
    PrecheckStatus: {
      ...precheck,
      Detail: detail.map((d) => ({
        ItemName: d.CheckItem,
        CheckStatus: d.CheckResult,
        ErrorMessage: d.FailedReason,
        RepairMethod: d.RepairMethod,
      })),
    },
    StructureInitializationStatus: item.StructureInitializationStatus,
    DataInitializationStatus: item.DataInitializationStatus,
    DataSynchronizationStatus: item.DataSynchronizationStatus,
  };
}

/**
 * What StartDtsJob, SuspendDtsJob and ResetDtsJob name: the direction's own task, with its instance and direction,
 * so the call names it however DTS looks it up.
 */
async function taskParams(dts: DtsClient, action: string, input: DirectionRef): Promise<DtsParams> {
  const item = await findInstance(dts, input.regionId, input.dtsJobId);
  if (!item) throw notFound(action, input);
  // A Reverse task not listed yet is named by the instance's Forward task and the direction.
  const taskId = text(task(item, input.direction)?.DtsJobId) || text(item.DtsJobId);
  return { ...instanceParams(input), DtsJobId: taskId };
}

function instanceParams(input: DirectionRef): DtsParams {
  return { DtsInstanceId: input.dtsJobId, RegionId: input.regionId, SynchronizationDirection: input.direction };
}

/** DeleteDtsJob of the Forward task releases the instance; one DTS no longer lists counts as released. */
async function release(dts: DtsClient, input: JobRef): Promise<ReleaseResult> {
  const item = await findInstance(dts, input.regionId, input.dtsJobId);
  if (!item) return { outcome: 'already-gone' };
  try {
    await dts.call('DeleteDtsJob', {
      DtsJobId: text(item.DtsJobId),
      DtsInstanceId: input.dtsJobId,
      RegionId: input.regionId,
      JobType: 'SYNC',
    });
    return { outcome: 'released' };
  } catch (err) {
    if (isFailure(err, DtsFailure.NotFound)) return { outcome: 'already-gone' };
    throw err;
  }
}

/**
 * Both directions of many instances of one region: DescribeDtsJobs filtered by up to a page of instance ids at a
 * time, every page of each.
 */
async function statuses(
  dts: DtsClient,
  regionId: string,
  ids: string[],
  checkpoints?: CheckpointBoard,
  calls?: CallCount,
): Promise<StatusBoard> {
  const board: StatusBoard = {};
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += PAGE_SIZE) batches.push(ids.slice(i, i + PAGE_SIZE));
  // A few batches in flight at once: their answers overlap (the limiter still spaces the calls), so a change is
  // read sooner after it happens, without filling the limiter's read lane ahead of the setups' own reads.
  const readBatch = (wanted: string[]) =>
    eachPage(dts, regionId, { DtsInstanceId: wanted.join(',') }, calls, (item) => {
      const id = text(item.DtsInstanceID);
      if (!wanted.includes(id)) return;
      const entry: StatusBoard[string] = {};
      for (const direction of ['Forward', 'Reverse'] as const) {
        const found = task(item, direction);
        if (!found) continue;
        entry[direction] = text(found.Status);
        const checkpoint = Number.parseInt(text(found.Checkpoint), 10);
        if (checkpoints && checkpoint > 0) (checkpoints[id] ??= {})[direction] = checkpoint;
      }
      board[id] = entry;
    });
  await forEachConcurrently(batches, BATCHES_AT_ONCE, readBatch);
  return board;
}

/** Calls `each` for every item of every page of a filtered list, until TotalRecordCount items came. */
async function eachPage(
  dts: DtsClient,
  regionId: string,
  filter: DtsParams,
  calls: CallCount | undefined,
  each: (item: Json) => void,
  /** Asked after each page: true ends the listing there. */
  done: () => boolean = () => false,
): Promise<void> {
  let seen = 0;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await listPage(dts, regionId, page, filter);
    if (calls) calls.count += 1;
    const found = items(body);
    found.forEach(each);
    if (done()) return;
    seen += found.length;
    const total = Number(body.TotalRecordCount);
    if (found.length < PAGE_SIZE || (Number.isFinite(total) && seen >= total)) return;
  }
}

/** Every synchronization instance of the region, one item each. */
async function list(dts: DtsClient, regionId: string, calls?: CallCount): Promise<DtsInstanceSummary[]> {
  const byId = new Map<string, DtsInstanceSummary>();
  await eachPage(dts, regionId, {}, calls, (item) => summarize(byId, item));
  return [...byId.values()];
}

/**
 * The instances created since `sinceMs` (and perhaps some older), newest first: the pages stop at the first instance
 * created before it, a call or two instead of one per 30 instances of the region. Only while DTS answers in the order
 * asked: an instance out of that order (or without a CreateTime) reads on to the last page, so none is missed.
 */
async function listSince(
  dts: DtsClient,
  regionId: string,
  sinceMs: number,
  calls?: CallCount,
): Promise<DtsInstanceSummary[]> {
  const byId = new Map<string, DtsInstanceSummary>();
  let newest = Number.POSITIVE_INFINITY;
  let ordered = true;
  let reachedOlder = false;
  await eachPage(
    dts,
    regionId,
    { OrderColumn: 'CreateTime', OrderDirection: 'DESC' },
    calls,
    (item) => {
      const createdAtMs = Date.parse(text(item.CreateTime));
      if (createdAtMs <= newest) newest = createdAtMs;
      else ordered = false; // NaN compares false too
      if (createdAtMs < sinceMs) reachedOlder = true;
      summarize(byId, item);
    },
    () => ordered && reachedOlder,
  );
  return [...byId.values()];
}

/**
 * The instances whose Forward task reads from (Type srcRds) or writes to (Type rds) one of the instances, every
 * page: a Reverse task runs between the same two instances, so these are all that touch them. A few calls
 * whatever the number of instances in the region, sent together.
 */
async function touching(
  dts: DtsClient,
  regionId: string,
  instanceIds: string[],
  calls?: CallCount,
): Promise<DtsInstanceSummary[]> {
  // Asked together: all of them wait in the limiter at once instead of one call's slot after another's answer.
  const queries = [...new Set(instanceIds)].flatMap((instanceId) =>
    ['srcRds', 'rds'].map((type) => ({ Type: type, Params: instanceId })),
  );
  const pages = await Promise.all(
    queries.map(async (filter) => {
      const found: Json[] = [];
      await eachPage(dts, regionId, filter, calls, (item) => found.push(item));
      return found;
    }),
  );
  // Merged in the queries' order, so the answer does not depend on which call came back first.
  const byId = new Map<string, DtsInstanceSummary>();
  for (const item of pages.flat()) summarize(byId, item);
  return [...byId.values()];
}

function summarize(byId: Map<string, DtsInstanceSummary>, item: Json): void {
  const id = text(item.DtsInstanceID);
  if (!id || byId.has(id)) return;
  const reverse = task(item, 'Reverse');
  const routes = [route(item, 'Forward'), reverse && route(reverse, 'Reverse')].filter((r): r is DtsRoute =>
    Boolean(r),
  );
  const unconfigured = [item, reverse].every((t) => !t || normalizeDtsStatus(text(t.Status)) === 'notconfigured');
  byId.set(id, {
    dtsJobId: id,
    name: text(item.DtsJobName),
    jobClass: text(item.DtsJobClass),
    payType: text(item.PayType),
    // Without a listed Reverse the topology of an unconfigured instance is unknown (dialect unconfiguredReverse).
    ...(reverse ? { directions: 2 } : unconfigured ? {} : { directions: 1 }),
    routes,
    unconfigured,
    createdAtMs: Date.parse(text(item.CreateTime)),
  });
}

function route(item: Json, direction: Direction): DtsRoute | undefined {
  if (normalizeDtsStatus(text(item.Status)) === 'notconfigured') return undefined;
  const source = endpointId(item.SourceEndpoint);
  const destination = endpointId(item.DestinationEndpoint);
  return source && destination ? { direction, source, destination } : undefined;
}

/**
 * An instance to adopt, by its DtsInstanceId or by one of its task ids (DtsJobId): both are ids of this family.
 * Looked for in the request's region first; found only elsewhere, it is reported as not in the region.
 */
async function job(dts: DtsClient, input: JobRef): Promise<DtsJobFacts | undefined> {
  for (const region of [input.regionId, undefined]) {
    for (const filter of [{ DtsInstanceId: input.dtsJobId }, { DtsJobId: input.dtsJobId }]) {
      const body = await dts.call('DescribeDtsJobs', { Region: region, JobType: 'SYNC', PageSize: 10, ...filter });
      const item = items(body).find((i) => text(i.DtsInstanceID) === input.dtsJobId || ownsTask(i, input.dtsJobId));
      if (item) return facts(item, region !== undefined);
    }
  }
  return undefined;
}

function ownsTask(item: Json, taskId: string): boolean {
  return text(item.DtsJobId) === taskId || text(task(item, 'Reverse')?.DtsJobId) === taskId;
}

const DTSJOB_READING: DirectionReading = { endpointsRequired: true, databases: (item) => databases(item.DbObject) };

function facts(item: Json, inRegion: boolean): DtsJobFacts {
  const reverse = task(item, 'Reverse');
  return {
    dtsJobId: text(item.DtsInstanceID),
    api: 'dtsjob',
    inRegion,
    name: text(item.DtsJobName),
    jobClass: text(item.DtsJobClass),
    payType: text(item.PayType),
    // A one-way instance lists no ReverseJob; neither may a two-way one whose Reverse is unconfigured.
    ...(reverse ? { topology: 'bidirectional' as const } : {}),
    forward: directionFacts(item, DTSJOB_READING),
    ...(reverse ? { reverse: directionFacts(reverse, DTSJOB_READING) } : {}),
  };
}

/** The DbList of ConfigureDtsJob and ModifyDtsJob: every key of each database, into its mapped database. */
export function dbList(mappings: DatabaseMapping[]): string {
  return JSON.stringify(
    Object.fromEntries(mappings.map((db) => [String(db.from), { name: String(db.to), all: true }])),
  );
}

/** DbObject: the DbList as configured, `{"0":{"name":"1","all":true}}` (database 0 into database 1). */
export function databases(value: unknown): DatabaseMapping[] {
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return [];
    }
  }
  return Object.entries(object(list)).flatMap(([db, v]) => {
    const from = Number.parseInt(db, 10);
    const to = Number.parseInt(text(object(v).name, db), 10);
    return Number.isFinite(from) && Number.isFinite(to) ? [{ from, to }] : [];
  });
}

export function object(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
