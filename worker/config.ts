import { EnvReader, type Env } from '../common/env';
import { readTemporalConfig, type TemporalConfig } from '../common/temporal-config';
import type { DtsClientConfig } from '../activities/dts/client';
import { readPayloadKeys, type PayloadKeys } from '../common/codec';
import { DTS_ACTIVITY_TIMEOUT_MS } from '../core/timing';
import { DEFAULT_CANARY_KEY_PREFIX } from '../activities/canary';
import { DEFAULT_VERIFY_TUNING, type VerifyTuning } from '../activities/verify/activity';
import { readNotifyConfig, type NotifyConfig } from '../activities/notify/config';
import { callSpacingMs, DEFAULT_MAX_LANE_WAIT_MS } from '../activities/dts/rate-limiter';
import { DTS_APIS } from '../core/vocabulary';
import type { DtsApi } from '../core/types';
import type { PreflightDtsList } from '../activities/preflight/reads';

/**
 * After SIGTERM, running activities get this long to finish before they are cancelled: longer than the
 * longest activity attempt, so a rolling restart cuts no DTS call off (a platform's kill timeout, such as
 * Kubernetes' terminationGracePeriodSeconds, must be longer still).
 */
export const WORKER_SHUTDOWN_GRACE_MS = DTS_ACTIVITY_TIMEOUT_MS + 5_000;

/** A preflight reads 3 actions per instance: 60 a second lets 10 preflights a second through without queueing. */
export const DEFAULT_RKVSTORE_MAX_CALLS_PER_SECOND = 60;

export interface WorkerConfig {
  temporal: TemporalConfig;
  dts: DtsClientConfig;
  /** The DTS API family new setups speak (DTS_API); a running setup keeps the one it started with. */
  dtsApi: DtsApi;
  /** How the preflight reads DTS's jobs (DTS_PREFLIGHT_LIST): the pair's (`pair`) or the region's every one. */
  preflightDtsList?: PreflightDtsList;
  /** R-KVStore endpoint; by default Alibaba's, or the DTS endpoint when that is not Alibaba's (the emulator). */
  rkvstoreEndpoint?: string;
  /** The account's R-KVStore call budget (the preflight's instance reads), shared by the DTS_WORKERS processes. */
  rkvstoreMaxCallsPerSecond?: number;
  /** The account's DTS call budget, enforced for all workers on the DTS task queue. */
  dtsMaxCallsPerSecond: number;
  /** Workers sharing the budget: each spaces its own calls at budget / workers per second. */
  dtsWorkers: number;
  maxConcurrentDtsCalls: number;
  /** How often the status watcher reads every watched job (batched). */
  statusWatchIntervalMs: number;
  /** Its shortest pause, used while the DTS budget has room (fast reaction at a small share of the budget). */
  statusWatchMinIntervalMs?: number;
  /** Its pause while every watched setup is settled (synchronizing or parked): a failure is seen within it. */
  statusWatchSettledIntervalMs?: number;
  statusBatchSize: number;
  /** Instances younger than this may be a purchase not yet claimed; older unowned ones are reported. */
  unclaimedSettleMs?: number;
  /** The unclaimed-instance sweep's pause after a change, and the longest it slows to while nothing changes. */
  unclaimedSweepIntervalMs?: number;
  unclaimedSweepMaxIntervalMs?: number;
  maxCachedWorkflows: number;
  /** Data verification (activities/verify/): its pace and how many run at once on this worker. */
  verify?: VerifyTuning & { maxConcurrent: number };
  /** The canary's keys start with this (never a user key); verifications skip them. */
  canaryKeyPrefix?: string;
  /** Time running activities get to finish after SIGTERM (WORKER_SHUTDOWN_GRACE_MS; unset: none, as in tests). */
  shutdownGraceMs?: number;
  metricsPort: number;
  metricsHost: string;
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  payloadKeys: PayloadKeys;
  /** Where setup events are announced (NOTIFY_*); none configured: nowhere. */
  notify?: NotifyConfig;
}

export function loadWorkerConfig(environment: Env = process.env): WorkerConfig {
  const env = new EnvReader(environment);
  const config: WorkerConfig = {
    temporal: readTemporalConfig(env, environment),
    dtsApi: env.oneOf('DTS_API', DTS_APIS, 'dtsjob'),
    preflightDtsList: env.oneOf('DTS_PREFLIGHT_LIST', ['pair', 'region'] as const, 'pair'),
    dts: {
      endpoint: env.url('DTS_ENDPOINT', 'https://dts.aliyuncs.com'),
      apiVersion: env.string('DTS_API_VERSION', '2020-01-01'),
      // Optional: without them the default provider chain applies (worker/credentials.ts).
      accessKeyId: env.optional('ALIBABA_CLOUD_ACCESS_KEY_ID') ?? '',
      accessKeySecret: env.optional('ALIBABA_CLOUD_ACCESS_KEY_SECRET') ?? '',
      securityToken: env.optional('ALIBABA_CLOUD_SECURITY_TOKEN'),
      timeoutMs: env.int('DTS_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
    },
    rkvstoreEndpoint: env.optional('RKVSTORE_ENDPOINT'),
    dtsMaxCallsPerSecond: env.number('DTS_MAX_CALLS_PER_SECOND', 20, { min: 0.1, max: 1000 }),
    rkvstoreMaxCallsPerSecond: env.number('RKVSTORE_MAX_CALLS_PER_SECOND', DEFAULT_RKVSTORE_MAX_CALLS_PER_SECOND, {
      min: 0.1,
      max: 1000,
    }),
    dtsWorkers: env.int('DTS_WORKERS', 1, { min: 1, max: 1000 }),
    statusWatchIntervalMs: env.int('DTS_STATUS_WATCH_INTERVAL_MS', 5_000, { min: 500, max: 600_000 }),
    statusWatchMinIntervalMs: env.int('DTS_STATUS_WATCH_MIN_INTERVAL_MS', 500, { min: 200, max: 600_000 }),
    // At most a minute: a settled job that fails must be seen within one (docs/performance.md has the cost).
    statusWatchSettledIntervalMs: env.int('DTS_STATUS_WATCH_SETTLED_INTERVAL_MS', 30_000, { min: 500, max: 60_000 }),
    statusBatchSize: env.int('DTS_STATUS_BATCH_SIZE', 50, { min: 1, max: 500 }),
    unclaimedSettleMs: env.int('DTS_UNCLAIMED_SETTLE_MS', 120_000, { min: 0, max: 86_400_000 }),
    unclaimedSweepIntervalMs: env.int('DTS_UNCLAIMED_SWEEP_INTERVAL_MS', 60_000, { min: 1_000, max: 86_400_000 }),
    unclaimedSweepMaxIntervalMs: env.int('DTS_UNCLAIMED_SWEEP_MAX_INTERVAL_MS', 1_200_000, {
      min: 1_000,
      max: 86_400_000,
    }),
    maxConcurrentDtsCalls: env.int('DTS_MAX_CONCURRENT_CALLS', defaultConcurrentDtsCalls(env), { min: 1, max: 1000 }),
    // Each costs about 1 MB: 50 keeps a worker with 1,000 setups in flight under 512 MB (docs/performance.md).
    maxCachedWorkflows: env.int('WORKER_MAX_CACHED_WORKFLOWS', 50, { min: 0 }),
    verify: {
      ...DEFAULT_VERIFY_TUNING,
      maxKeysPerSecond: env.int('VERIFY_MAX_KEYS_PER_SECOND', DEFAULT_VERIFY_TUNING.maxKeysPerSecond, {
        min: 1,
        max: 1_000_000,
      }),
      maxConcurrent: env.int('VERIFY_MAX_CONCURRENT', 2, { min: 1, max: 100 }),
    },
    canaryKeyPrefix: env.string('CANARY_KEY_PREFIX', DEFAULT_CANARY_KEY_PREFIX),
    shutdownGraceMs: WORKER_SHUTDOWN_GRACE_MS,
    metricsPort: env.int('WORKER_METRICS_PORT', 9464, { min: 0, max: 65535 }),
    metricsHost: env.string('WORKER_METRICS_HOST', '0.0.0.0'),
    logLevel: env.string('LOG_LEVEL', 'info').toUpperCase() as WorkerConfig['logLevel'],
    payloadKeys: readPayloadKeys(env),
    notify: readNotifyConfig(env),
  };
  if (!config.dts.accessKeyId !== !config.dts.accessKeySecret) {
    env.problem(
      'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET go together (or neither: default chain)',
    );
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(config.dts.apiVersion))
    env.problem(`DTS_API_VERSION must look like 2020-01-01 (got "${config.dts.apiVersion}")`);
  if (!['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(config.logLevel))
    env.problem(`LOG_LEVEL must be one of trace, debug, info, warn, error (got "${config.logLevel.toLowerCase()}")`);
  if (config.canaryKeyPrefix === '')
    env.problem("CANARY_KEY_PREFIX must not be empty: every key would be the canary's");
  checkDtsTimeout(env, config);
  env.done();
  return config;
}

/**
 * A DTS call waits for its rate-limit slot inside the activity, then runs for up to DTS_TIMEOUT_MS: both
 * must fit in the activity's start-to-close timeout, or a slow call would be cut off as a timeout and retried.
 */
/**
 * Unset, a worker runs at most 10 s of its budget at once (and never more than 50 calls), so the wait for a
 * rate-limit slot fits in the DTS activity's timeout on a small budget too.
 */
function defaultConcurrentDtsCalls(env: EnvReader): number {
  const perWorker =
    env.number('DTS_MAX_CALLS_PER_SECOND', 20, { min: 0.1, max: 1000 }) /
    env.int('DTS_WORKERS', 1, { min: 1, max: 1000 });
  return Math.min(50, Math.max(1, Math.floor(10_000 / callSpacingMs(perWorker))));
}

/** DTS_MAX_CALLS_PER_SECOND is the account's budget: each of DTS_WORKERS processes spends its share. */
export function dtsCallsPerSecondPerWorker(config: Pick<WorkerConfig, 'dtsMaxCallsPerSecond' | 'dtsWorkers'>): number {
  return config.dtsMaxCallsPerSecond / config.dtsWorkers;
}

function checkDtsTimeout(env: EnvReader, config: WorkerConfig): void {
  const perWorker = dtsCallsPerSecondPerWorker(config);
  const worstWaitMs = Math.ceil(DEFAULT_MAX_LANE_WAIT_MS + config.maxConcurrentDtsCalls * callSpacingMs(perWorker));
  if (!Number.isFinite(worstWaitMs) || !(config.dts.timeoutMs + worstWaitMs > DTS_ACTIVITY_TIMEOUT_MS)) return;
  env.problem(
    `DTS_TIMEOUT_MS (${config.dts.timeoutMs} ms) plus the longest wait for a rate-limit slot (${worstWaitMs} ms: ` +
      `${DEFAULT_MAX_LANE_WAIT_MS} ms + DTS_MAX_CONCURRENT_CALLS × the spacing of DTS_MAX_CALLS_PER_SECOND / DTS_WORKERS, ` +
      `5 % wider than the budget) must fit ` +
      `in the DTS activities' ${DTS_ACTIVITY_TIMEOUT_MS} ms start-to-close timeout: lower DTS_TIMEOUT_MS ` +
      `to at most ${Math.max(0, DTS_ACTIVITY_TIMEOUT_MS - worstWaitMs)} or DTS_MAX_CONCURRENT_CALLS`,
  );
}
