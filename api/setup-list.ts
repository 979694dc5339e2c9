// GET /v1/syncs: this deployment's setups from Temporal's visibility store, a page at a time, with counts on request.
import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { Static } from '@fastify/type-provider-typebox';
import * as attributes from '../core/search-attributes';
import { SETUPS_PAGE_SIZE, setupsQuery } from '../core/visibility';
import { ENDED_PHASES, SETUP_PHASES, TOPOLOGIES } from '../core/vocabulary';
import { badFields } from './errors';
import { wordOr } from './literals';
import type { ListQuery } from './schemas';
import type { TemporalDeps } from './temporal';

const GRPC_INVALID_ARGUMENT = 3;
/** Phases only an ended setup reports; any other is asked of running setups (a closed run is not `synchronizing`). */
const ENDED: ReadonlySet<string> = new Set(ENDED_PHASES);

/**
 * How long one answer serves the same list request again. Under a hundred lists a second every one was a
 * visibility query competing for the server's and PostgreSQL's CPU; an answer at most this old is never older than
 * the last phase change by more than this (visibility itself lags the workflow by its own few hundred ms). Once an
 * answer is half this old, the next request starts the list again in the background and is still answered from it
 * (stale-while-revalidate): under steady traffic no caller waits for a list.
 */
export const LIST_CACHE_MS = 1_000;
/** Distinct requests kept at once: a bound on memory whatever the callers ask. */
const LIST_CACHE_ENTRIES = 500;
interface ListEntry {
  /** When the list was asked: the answer is at least this fresh. */
  atMs: number;
  answer: Promise<unknown>;
  settled: boolean;
  renewing: boolean;
}
const listCaches = new WeakMap<TemporalDeps, Map<string, ListEntry>>();

/** listSetups, answered from the same request's answer of the last LIST_CACHE_MS when there is one. */
export function cachedListSetups(
  temporal: TemporalDeps,
  filters: Static<typeof ListQuery>,
  nowMs = Date.now(),
): Promise<Awaited<ReturnType<typeof listSetups>>> {
  let cache = listCaches.get(temporal);
  if (!cache) {
    cache = new Map<string, ListEntry>();
    listCaches.set(temporal, cache);
  }
  const entries = cache;
  for (const [key, entry] of entries) if (nowMs - entry.atMs >= LIST_CACHE_MS) entries.delete(key);
  const key = JSON.stringify(Object.entries(filters).sort(([a], [b]) => a.localeCompare(b)));
  const hit = entries.get(key);
  if (hit) {
    if (hit.settled && !hit.renewing && nowMs - hit.atMs >= LIST_CACHE_MS / 2) {
      hit.renewing = true;
      const answer = listSetups(temporal, filters);
      const renewed: ListEntry = { atMs: nowMs, answer, settled: false, renewing: false };
      answer.then(
        () => {
          renewed.settled = true;
          entries.set(key, renewed);
        },
        // A failed renewal keeps the answer until its bound: the next request past half of it tries again.
        () => (hit.renewing = false),
      );
    }
    return hit.answer as ReturnType<typeof listSetups>;
  }
  const answer = listSetups(temporal, filters);
  if (entries.size < LIST_CACHE_ENTRIES) {
    const entry: ListEntry = { atMs: nowMs, answer, settled: false, renewing: false };
    entries.set(key, entry);
    answer.then(
      () => (entry.settled = true),
      // A failed list is not kept: the next request asks again.
      () => entries.get(key) === entry && entries.delete(key),
    );
  }
  return answer;
}

/** One page of the setups the filters select, newest first, with counts per phase and region when asked. */
export async function listSetups(temporal: TemporalDeps, filters: Static<typeof ListQuery>) {
  const pageToken = filters.pageToken ? Buffer.from(filters.pageToken, 'base64url') : undefined;
  // Visibility page tokens are JSON; anything else makes the server fail with UNKNOWN, which
  // the client retries for many seconds before the caller would see a 500 (found by fuzzing).
  if (pageToken && !isJsonObject(pageToken)) throw badPageToken();
  const query = listQuery(temporal.taskQueue, filters);
  let page;
  try {
    page = await listPage(temporal, query, Number(filters.pageSize ?? 20), pageToken);
  } catch (err) {
    if (pageToken && (err as { code?: number }).code === GRPC_INVALID_ARGUMENT) throw badPageToken();
    throw err;
  }
  const items = (page.executions ?? []).map(listItem);
  const token =
    page.nextPageToken && page.nextPageToken.length > 0
      ? Buffer.from(page.nextPageToken).toString('base64url')
      : undefined;
  const summary = filters.summary === 'true' ? await summarize(temporal, query) : undefined;
  return { items, ...(token ? { nextPageToken: token } : {}), ...(summary ? { summary } : {}) };
}

function listPage(temporal: TemporalDeps, query: string, pageSize: number, nextPageToken?: Uint8Array) {
  // Visibility lists newest first by default (SQLite visibility refuses ORDER BY).
  return temporal.client.workflowService.listWorkflowExecutions({
    namespace: temporal.namespace,
    pageSize,
    nextPageToken,
    query,
  });
}

/**
 * Every matching setup counted per phase and per region. Visibility groups counts by execution status only, so
 * this reads the matches a thousand at a time: a few calls for a fleet of thousands, paid only when asked.
 */
async function summarize(temporal: TemporalDeps, query: string) {
  const byPhase: Record<string, number> = {};
  const byRegion: Record<string, number> = {};
  let total = 0;
  let token: Uint8Array | undefined;
  do {
    const page = await listPage(temporal, query, SETUPS_PAGE_SIZE, token);
    for (const execution of page.executions ?? []) {
      const item = listItem(execution);
      total += 1;
      const phase = item.phase ?? 'unknown';
      const region = item.region ?? 'unknown';
      byPhase[phase] = (byPhase[phase] ?? 0) + 1;
      byRegion[region] = (byRegion[region] ?? 0) + 1;
    }
    token = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (token);
  return { total, byPhase, byRegion };
}

/** This deployment's setups the list's filters select; the schema's patterns keep quotes out of the values. */
function listQuery(taskQueue: string, filters: Static<typeof ListQuery>): string {
  const wanted = filters.phase;
  // A run that continued as new is not a setup of its own; a phase of a live setup is asked of live ones only.
  const phase = wanted
    ? ` AND SyncPhase = '${wanted}'${ENDED.has(wanted) ? '' : ` AND ExecutionStatus = 'Running'`}`
    : '';
  const name = filters.namePrefix ? ` AND SyncName STARTS_WITH '${filters.namePrefix}'` : '';
  // `=` on a keyword list matches a setup holding that tag among others.
  const tag = filters.tag ? ` AND SyncTags = '${filters.tag}'` : '';
  // This deployment's setups only: its task queue scopes them within a shared namespace.
  return `${setupsQuery(taskQueue)} AND ExecutionStatus != 'ContinuedAsNew'${phase}${name}${tag}`;
}

type ListedExecution = NonNullable<
  Awaited<ReturnType<Client['workflowService']['listWorkflowExecutions']>>['executions']
>[number];

function listItem(execution: ListedExecution) {
  const fields = execution.searchAttributes?.indexedFields;
  const seconds = execution.startTime?.seconds;
  const read = (key: { name: string }) => keyword(fields, key.name);
  const tags = keywords(fields, attributes.SyncTagsKey.name);
  return {
    id: execution.execution?.workflowId ?? '',
    name: read(attributes.SyncNameKey),
    region: read(attributes.SyncRegionKey),
    ...(tags.length > 0 ? { tags } : {}),
    phase: known(SETUP_PHASES, read(attributes.SyncPhaseKey)),
    topology: known(TOPOLOGIES, read(attributes.SyncTopologyKey)),
    dtsJobId: read(attributes.DtsJobIdKey),
    sourceInstanceId: read(attributes.SourceInstanceIdKey),
    destinationInstanceId: read(attributes.DestinationInstanceIdKey),
    workflowStatus: workflowStatusName(execution.status),
    ...(seconds ? { startedAt: new Date(Number(seconds) * 1000).toISOString() } : {}),
  };
}

/** A page token this API did not hand out: named like a schema violation of the query string. */
function badPageToken() {
  const message = 'not a page token this API handed out';
  return badFields([{ field: '/querystring/pageToken', rule: 'page-token', message }]);
}

function isJsonObject(bytes: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

/** Temporal's execution statuses by their number in the protocol, named as `describe()` names them. */
const EXECUTION_STATUS_NAMES: readonly WorkflowExecutionStatusName[] = [
  'UNSPECIFIED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'CONTINUED_AS_NEW',
  'TIMED_OUT',
];
function workflowStatusName(status: number | null | undefined): WorkflowExecutionStatusName {
  return EXECUTION_STATUS_NAMES[status ?? 0] ?? 'UNSPECIFIED';
}

/** A keyword list search attribute of a listed execution. */
function keywords(fields: Record<string, Payload> | null | undefined, name: string): string[] {
  const payload = fields?.[name];
  const value: unknown = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A keyword search attribute of a listed execution: plain JSON payloads (no codec), a one-item list on old servers. */
function keyword(fields: Record<string, Payload> | null | undefined, name: string): string | undefined {
  const payload = fields?.[name];
  const value: unknown = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** A search attribute's word, `unknown` when it is not one this code knows, absent when the run has none. */
function known<const T extends readonly string[]>(words: T, value: string | undefined) {
  return value === undefined ? undefined : wordOr(words, value);
}
