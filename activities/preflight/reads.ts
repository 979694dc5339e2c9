// The preflight's reads, each a cheap call: R-KVStore per instance, DTS's job list, our own setups in visibility.
// A permanent error (credentials, not found) comes back as data for the report; a transient one is thrown so
// Temporal retries it within the preflight's short deadline.
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { DtsClient } from '../dts/client';
import type { RkvstoreClient } from '../rkvstore/client';
import type { ExistingDirection, InstanceFacts, Read, ReadError } from '../../core/preflight-checks';
import { DestinationInstanceIdKey, SourceInstanceIdKey, SyncTopologyKey } from '../../core/search-attributes';
import { text } from '../../common/text';
import { setupsQuery } from '../../core/visibility';

export interface DescribeInstanceInput {
  instanceId: string;
  regionId: string;
}

export interface ListDirectionsInput {
  /** Regions whose DTS jobs may involve the pair. */
  regionIds: string[];
  instanceIds: string[];
}

/** The largest page the reference allows (10, 20 or 30; docs/dts-api.md §1.7). */
const PAGE_SIZE = 30;
/** Up to 2,000 jobs per region, as before the page size was cut to the documented maximum. */
const MAX_PAGES = 67;

function asReadError(err: unknown, api: ReadError['api'], action: string): ReadError {
  if (!(err instanceof ApplicationFailure) || !err.nonRetryable) throw err;
  const code = (err.details?.[0] as { code?: string } | undefined)?.code;
  return { api, action, type: err.type ?? 'error', ...(code ? { code } : {}), message: err.message };
}

export async function preflightDescribeInstance(
  rkvstore: RkvstoreClient,
  input: DescribeInstanceInput,
): Promise<Read<InstanceFacts>> {
  try {
    return { ok: true, value: await rkvstore.describeInstance(input.instanceId, input.regionId) };
  } catch (err) {
    const action = /^(\w+) /.exec((err as Error).message)?.[1] ?? 'DescribeInstanceAttribute';
    return { ok: false, error: asReadError(err, 'R-KVStore', action) };
  }
}

/** Configured directions of every live DTS sync job in the regions that touch either instance. */
export async function preflightListDtsDirections(
  dts: DtsClient,
  input: ListDirectionsInput,
): Promise<Read<ExistingDirection[]>> {
  const found: ExistingDirection[] = [];
  const wanted = new Set(input.instanceIds);
  try {
    for (const regionId of [...new Set(input.regionIds)]) {
      for (let page = 1; page <= MAX_PAGES; page++) {
        const body = await dts.call('DescribeSynchronizationJobs', {
          RegionId: regionId,
          PageSize: PAGE_SIZE,
          PageNum: page,
        });
        const items = Array.isArray(body.SynchronizationInstances)
          ? (body.SynchronizationInstances as Record<string, unknown>[])
          : [];
        for (const direction of items) {
          const source = endpointId(direction.SourceEndpoint);
          const destination = endpointId(direction.DestinationEndpoint);
          if (!source || !destination || (!wanted.has(source) && !wanted.has(destination))) continue;
          found.push({
            source,
            destination,
            seenIn: ['DTS', direction.SynchronizationJobId, direction.SynchronizationDirection]
              .filter(Boolean)
              .join(' '),
          });
        }
        const total = Number(body.TotalRecordCount ?? 0);
        if (items.length === 0 || page * PAGE_SIZE >= total) break;
      }
    }
    return { ok: true, value: found };
  } catch (err) {
    return { ok: false, error: asReadError(err, 'DTS', 'DescribeSynchronizationJobs') };
  }
}

/** Directions of our own running setups (any task queue of the namespace) that touch either instance. */
export async function preflightListOwnDirections(
  client: Client,
  input: { instanceIds: string[] },
): Promise<ExistingDirection[]> {
  const ids = input.instanceIds.map((id) => `'${id.replace(/[^A-Za-z0-9.:_-]/g, '')}'`).join(', ');
  const query =
    `${setupsQuery()} AND ExecutionStatus = 'Running'` +
    ` AND (SourceInstanceId IN (${ids}) OR DestinationInstanceId IN (${ids}))`;
  const found: ExistingDirection[] = [];
  for await (const execution of client.workflow.list({ query })) {
    const source = execution.typedSearchAttributes.get(SourceInstanceIdKey);
    const destination = execution.typedSearchAttributes.get(DestinationInstanceIdKey);
    if (!source || !destination) continue;
    found.push({ source, destination, seenIn: `setup ${execution.workflowId}` });
    if (execution.typedSearchAttributes.get(SyncTopologyKey) === 'bidirectional') {
      found.push({ source: destination, destination: source, seenIn: `setup ${execution.workflowId}` });
    }
  }
  return found;
}

function endpointId(endpoint: unknown): string | undefined {
  if (!endpoint || typeof endpoint !== 'object') return undefined;
  const e = endpoint as Record<string, unknown>;
  if (typeof e.InstanceId === 'string' && e.InstanceId) return e.InstanceId;
  if (typeof e.IP === 'string' && e.IP) return `${e.IP}:${text(e.Port)}`;
  return undefined;
}
