// The preflight's reads, each a cheap call: R-KVStore per instance, DTS's job list, our own setups in visibility.
// A permanent error (credentials, not found) comes back as data for the report; a transient one is thrown so
// Temporal retries it within the preflight's short deadline.
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { DtsFamily } from '../dts/family';
import type { RkvstoreClient } from '../rkvstore/client';
import type { DtsApi } from '../../core/types';
import type { ExistingDirection, InstanceFacts, Read, ReadError } from '../../core/preflight-checks';
import { DestinationInstanceIdKey, SourceInstanceIdKey, SyncTopologyKey } from '../../core/search-attributes';
import { setupsQuery } from '../../core/visibility';

export interface DescribeInstanceInput {
  instanceId: string;
  regionId: string;
  /** The source since patch preflight-own-queue-v1: only its attribute is checked (RkvstoreClient.describeInstance). */
  attributeOnly?: boolean;
}

export interface ListDirectionsInput {
  /** The family the setup would speak (absent: the legacy one). */
  api?: DtsApi;
  /** Regions whose DTS jobs may involve the pair. */
  regionIds: string[];
  instanceIds: string[];
  /**
   * Both ends are cloud instances (the preflight since patch preflight-pair-reads-v1): a family that filters its
   * list by instance reads only the jobs touching them, not every job of the region.
   */
  byInstance?: boolean;
}

/**
 * How the preflight reads DTS's jobs (DTS_PREFLIGHT_LIST): `pair` asks DTS for the jobs from or to the pair's
 * instances; `region` lists the region's every job and filters here (about one call per 30 jobs), for an
 * account where DTS's instance filter does not match Redis or Tair instance ids.
 */
export type PreflightDtsList = 'pair' | 'region';

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
    return {
      ok: true,
      value: await rkvstore.describeInstance(input.instanceId, input.regionId, input.attributeOnly === true),
    };
  } catch (err) {
    const action = /^(\w+) /.exec((err as Error).message)?.[1] ?? 'DescribeInstanceAttribute';
    return { ok: false, error: asReadError(err, 'R-KVStore', action) };
  }
}

/** Configured directions of every live DTS sync job in the regions that touch either instance. */
export async function preflightListDtsDirections(
  dts: DtsFamily,
  input: ListDirectionsInput,
  how: PreflightDtsList = 'pair',
): Promise<Read<ExistingDirection[]>> {
  const found: ExistingDirection[] = [];
  const wanted = new Set(input.instanceIds);
  try {
    for (const regionId of [...new Set(input.regionIds)]) {
      const filtered =
        how === 'pair' && input.byInstance ? await dts.touching?.(regionId, input.instanceIds) : undefined;
      for (const instance of filtered ?? (await dts.list(regionId))) {
        for (const { direction, source, destination } of instance.routes) {
          if (!wanted.has(source) && !wanted.has(destination)) continue;
          found.push({ source, destination, seenIn: `DTS ${instance.dtsJobId} ${direction}` });
        }
      }
    }
    return { ok: true, value: found };
  } catch (err) {
    return { ok: false, error: asReadError(err, 'DTS', listAction(dts.api)) };
  }
}

/** The action a family lists its instances with, for a read error that names it. */
export function listAction(api: DtsApi | undefined): string {
  return api === 'dtsjob' ? 'DescribeDtsJobs' : 'DescribeSynchronizationJobs';
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
