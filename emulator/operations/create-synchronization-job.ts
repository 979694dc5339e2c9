// CreateSynchronizationJob: buys an instance; nothing runs until it is configured (docs/dts-api.md §1.1, §3).
import { operationErrors } from '../errors';
import type { JobRecord } from '../model';
import type { Params } from '../params';
import { emptyDirection } from './common';
import { newIdSuffix } from './direction-actions';
import type { Operation } from './context';

const JOB_CLASSES = ['micro', 'small', 'medium', 'large'] as const;
const PAY_TYPES = ['PrePaid', 'PostPaid'] as const;
const SOURCE_ENGINES = ['MySQL', 'PolarDB', 'Redis', 'DRDS'] as const;
const DESTINATION_ENGINES = ['MySQL', 'PolarDB', 'Redis', 'MaxCompute'] as const;
const BIDIRECTIONAL_ENGINES = ['MySQL', 'PolarDB', 'Redis'];

/** Parameters that are part of the signature envelope, not of the request itself. */
const ENVELOPE = new Set([
  'AccessKeyId',
  'Format',
  'Signature',
  'SignatureMethod',
  'SignatureNonce',
  'SignatureVersion',
  'Timestamp',
  'Version',
  'SecurityToken',
  'ClientToken',
]);

function fingerprint(params: Params): string {
  const entries = Object.keys(params)
    .filter((k) => !ENVELOPE.has(k))
    .sort()
    .map((k) => [k, params[k]]);
  return JSON.stringify(entries);
}

const TOKEN_LIFETIME_MS = 24 * 3600_000;

/** Tokens recorded before this instant are forgotten (-Infinity: kept forever). */
function tokenExpiry(now: number, policy: string, timeScale: number): number {
  return policy === '24h' ? now - TOKEN_LIFETIME_MS * timeScale : -Infinity;
}

function isMainland(region: string): boolean {
  return region.startsWith('cn-') && region !== 'cn-hongkong';
}

export const createSynchronizationJob: Operation = (ctx) => {
  const { reader } = ctx;
  const regionId = reader.region('RegionId', false);
  const sourceRegion = reader.region('SourceRegion', true) as string;
  const destRegion = reader.region('DestRegion', true) as string;
  if (!isMainland(sourceRegion) && destRegion !== sourceRegion) {
    throw operationErrors.invalid(
      'DestRegion',
      'outside mainland China the destination region must equal SourceRegion',
    );
  }
  const jobClass = reader.requiredEnum('SynchronizationJobClass', JOB_CLASSES);
  const payType = reader.requiredEnum('PayType', PAY_TYPES, { caseInsensitive: true });
  let period: 'Year' | 'Month' | undefined;
  let usedTime: number | undefined;
  if (payType === 'PrePaid') {
    period = reader.requiredEnum('Period', ['Year', 'Month'] as const);
    reader.required('UsedTime');
    usedTime = reader.integer('UsedTime', 1, period === 'Year' ? 5 : 60);
  }
  const topology = reader.enumOf('Topology', ['oneway', 'bidirectional'] as const) ?? 'oneway';
  const sourceEngine =
    reader.enumOf('SourceEndpoint.InstanceType', SOURCE_ENGINES, { caseInsensitive: true }) ?? 'MySQL';
  const destinationEngine =
    reader.enumOf('DestinationEndpoint.InstanceType', DESTINATION_ENGINES, { caseInsensitive: true }) ?? 'MySQL';
  if (
    topology === 'bidirectional' &&
    !(BIDIRECTIONAL_ENGINES.includes(sourceEngine) && BIDIRECTIONAL_ENGINES.includes(destinationEngine))
  ) {
    throw operationErrors.invalid('Topology', 'bidirectional needs MySQL, PolarDB or Redis on both sides');
  }
  reader.enumOf('networkType', ['Intranet'] as const);
  if (reader.optional('DBInstanceCount') !== undefined) {
    if (sourceEngine !== 'DRDS') throw operationErrors.invalid('DBInstanceCount', 'only for a DRDS source');
    reader.integer('DBInstanceCount', 1, 1024);
  }
  const clientToken = reader.clientToken();

  // How long DTS honours a token is undocumented (docs/dts-api.md §3): forever, 24 h (scaled), or not at all.
  const tokenPolicy = ctx.options.dialect.clientToken;
  const honoured = clientToken !== undefined && tokenPolicy !== 'ignored';
  if (honoured) {
    const seen = ctx.state.findToken(
      ctx.accessKeyId,
      clientToken,
      tokenExpiry(ctx.now, tokenPolicy, ctx.options.timeScale),
    );
    if (seen) {
      if (seen.fingerprint !== fingerprint(ctx.params)) throw operationErrors.idempotentMismatch();
      ctx.call.jobId = seen.jobId;
      return { SynchronizationJobId: seen.jobId, Success: true };
    }
  }

  const suffix = newIdSuffix();
  const job: JobRecord = {
    jobId: `dts${suffix}`,
    createdAt: ctx.now,
    released: false,
    topology,
    payType,
    jobClass,
    sourceRegion,
    destRegion,
    sourceEngine,
    destinationEngine,
    // The DtsJob family's task ids, given now so they never change (docs/dts-api.md §12).
    directions: { Forward: { ...emptyDirection(), dtsJobId: suffix } },
  };
  if (topology === 'bidirectional') job.directions.Reverse = { ...emptyDirection(), dtsJobId: newIdSuffix() };
  for (const direction of Object.values(job.directions)) {
    direction?.history.push({ status: 'NotConfigured', at: new Date(ctx.now).toISOString() });
  }
  if (regionId) job.regionId = regionId;
  if (period) job.period = period;
  const group = ctx.reader.optional('ResourceGroupId');
  if (group) job.resourceGroupId = group;
  if (usedTime) job.usedTime = usedTime;
  if (honoured) {
    job.clientToken = clientToken;
    ctx.state.addToken({
      accessKeyId: ctx.accessKeyId,
      token: clientToken,
      fingerprint: fingerprint(ctx.params),
      jobId: job.jobId,
      createdAt: ctx.now,
    });
  }
  ctx.state.addJob(job);
  ctx.call.jobId = job.jobId;
  return { SynchronizationJobId: job.jobId, Success: true };
};
