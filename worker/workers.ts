import type { Client } from '@temporalio/client';
import {
  type NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { createActivities } from '../activities';
import { createAnswerActivities, createOwnSetupsActivities, createRkvstoreActivities } from '../activities/preflight';
import { dtsFamilies } from '../activities/dts/families';
import { createNotifyActivities } from '../activities/notify/deliver';
import { InstanceClaims } from '../activities/instance-claims';
import { DtsClient, type DtsCallObserver } from '../activities/dts/client';
import type { WatchDeps } from '../activities/watch-statuses';
import { createVerifyActivities, DEFAULT_VERIFY_TUNING } from '../activities/verify/activity';
import { RateLimiter } from '../activities/dts/rate-limiter';
import { defaultRkvstoreEndpoint, RkvstoreClient } from '../activities/rkvstore/client';
import { workerCredentials, type CredentialsGetter } from './credentials';
import { canaryTaskQueue, dtsTaskQueue, preflightTaskQueue, rkvstoreTaskQueue, verifyTaskQueue } from '../core/ids';
import { createCanaryActivities, DEFAULT_CANARY_KEY_PREFIX } from '../activities/canary';
import { statusWatcherId, type WatchInput } from '../core/watcher';
import { dtsStatusWatcher } from '../workflows/status-watcher';
import { encryptingDataConverter } from '../common/codec';
import { DEFAULT_RKVSTORE_MAX_CALLS_PER_SECOND, dtsCallsPerSecondPerWorker, type WorkerConfig } from './config';
import { bundleWorkflows, prebuiltWorkflowBundle } from './workflow-bundle';

export interface WorkerDeps {
  connection: NativeConnection;
  /** Starts the status watcher; the watcher reads visibility and signals setups through it. */
  client: Client;
  /** A prebuilt bundle (tests); otherwise the image's (Dockerfile), else workflows/ is bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  observeDtsCall?: DtsCallObserver;
  /** Alibaba Cloud credentials (worker/credentials.ts); by default from the configuration or the provider chain. */
  credentials?: CredentialsGetter;
  onWatchRound?: WatchDeps['onRound'];
}

/** What every worker of the process shares: the connection, the namespace, the payload codec, the grace. */
type WorkerCommon = Pick<WorkerOptions, 'connection' | 'namespace' | 'dataConverter' | 'shutdownGraceTime'>;

export interface Workers {
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * Workers on one connection: workflows (and notification deliveries) on the main queue, the preflights on theirs,
 * DTS calls on their own queue (each process's limiter spends its share of the account's budget), R-KVStore reads,
 * data verifications and canaries.
 */
export async function createWorkers(config: WorkerConfig, deps: WorkerDeps): Promise<Workers> {
  const common: WorkerCommon = {
    connection: deps.connection,
    namespace: config.temporal.namespace,
    dataConverter: encryptingDataConverter(config.payloadKeys),
    ...(config.shutdownGraceMs ? { shutdownGraceTime: config.shutdownGraceMs } : {}),
  };
  const workflowBundle = deps.workflowBundle ?? prebuiltWorkflowBundle() ?? { code: await bundleWorkflows() };
  // One credentials source for every cloud client: an STS token is refreshed once for all of them.
  const credentials = deps.credentials ?? workerCredentials(config.dts);
  const rkvstore = rkvstoreClient(config, credentials);
  const limiter = new RateLimiter(dtsCallsPerSecondPerWorker(config));
  const dtsClient = new DtsClient(config.dts, deps.observeDtsCall, limiter, credentials);
  const answers = preflightReads(config, deps.client, dtsClient, rkvstore);
  const workflows = await Worker.create({
    ...common,
    taskQueue: config.temporal.taskQueue,
    workflowBundle,
    maxCachedWorkflows: config.maxCachedWorkflows,
    activities: { ...workflowQueueActivities(config, deps.client), ...answers },
  });
  const dts = await Worker.create({
    ...common,
    taskQueue: dtsTaskQueue(config.temporal.taskQueue),
    activities: createActivities({
      client: deps.client,
      dts: dtsClient,
      api: config.dtsApi,
      claims: new InstanceClaims(deps.client, config.temporal.namespace, config.temporal.taskQueue),
      rkvstore,
      onWatchRound: deps.onWatchRound,
      preflightDtsList: config.preflightDtsList,
    }),
    maxTaskQueueActivitiesPerSecond: config.dtsMaxCallsPerSecond,
    maxConcurrentActivityTaskExecutions: config.maxConcurrentDtsCalls,
  });
  // The preflight's R-KVStore reads: their own queue, so they never wait for a DTS slot; ahead of the
  // verifications' reads in R-KVStore's limiter.
  const rkvstoreReads = await Worker.create({
    ...common,
    taskQueue: rkvstoreTaskQueue(config.temporal.taskQueue),
    activities: createRkvstoreActivities(rkvstore.forAnswers()),
  });
  const preflights = await createPreflightWorker(config, { common, workflowBundle, answers });
  // Data verifications: long, heartbeating, paced by their own cap; their own queue, so they hold up
  // neither DTS calls nor notifications.
  const { maxConcurrent, ...verifyTuning } = config.verify ?? { ...DEFAULT_VERIFY_TUNING, maxConcurrent: 2 };
  const canaryPrefix = config.canaryKeyPrefix ?? DEFAULT_CANARY_KEY_PREFIX;
  const verify = await Worker.create({
    ...common,
    taskQueue: verifyTaskQueue(config.temporal.taskQueue),
    activities: createVerifyActivities({ rkvstore, tuning: { ...verifyTuning, excludePrefix: canaryPrefix } }),
    maxConcurrentActivityTaskExecutions: maxConcurrent,
    // A verification's heartbeat carries its SCAN cursor: a retry redoes at most this much of the pass.
    maxHeartbeatThrottleInterval: '2s',
  });
  const canary = await Worker.create({
    ...common,
    taskQueue: canaryTaskQueue(config.temporal.taskQueue),
    activities: createCanaryActivities({ rkvstore, keyPrefix: canaryPrefix, meter: Runtime.instance().metricMeter }),
    maxConcurrentActivityTaskExecutions: 1000,
    // The API shows the lag from the latest heartbeat.
    maxHeartbeatThrottleInterval: '2s',
  });
  await ensureStatusWatcher(config, deps.client);
  const all = [workflows, preflights, dts, rkvstoreReads, verify, canary];
  return {
    run: async () => {
      await Promise.all(all.map((w) => w.run()));
    },
    shutdown: () => {
      for (const worker of all) if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}

/**
 * A POST's preflight: its workflow tasks and its DTS and visibility reads on their own queue and slots, so a
 * person's request waits neither behind the setups' workflow tasks nor FIFO behind their DTS activities; its DTS
 * calls go first in the same limiter (DtsClient.forAnswers), so the account's budget holds.
 */
function createPreflightWorker(
  config: WorkerConfig,
  {
    common,
    workflowBundle,
    answers,
  }: { common: WorkerCommon; workflowBundle: WorkflowBundleOption; answers: WorkerOptions['activities'] },
): Promise<Worker> {
  return Worker.create({
    ...common,
    taskQueue: preflightTaskQueue(config.temporal.taskQueue),
    workflowBundle,
    // A preflight lives 15 s at most, but holds its cache slot while its reads run (local activities): one slot
    // per preflight under way in this process.
    maxCachedWorkflows: PREFLIGHT_CACHED_WORKFLOWS,
    activities: answers,
  });
}

const PREFLIGHT_CACHED_WORKFLOWS = 100;

/** What a preflight reads, in the lanes that answer a person first: on whichever worker runs its workflow task. */
function preflightReads(config: WorkerConfig, client: Client, dts: DtsClient, rkvstore: RkvstoreClient) {
  return {
    ...createAnswerActivities({
      families: dtsFamilies(dts.forAnswers()),
      client,
      dtsList: config.preflightDtsList,
    }),
    ...createRkvstoreActivities(rkvstore.forAnswers()),
  };
}

/** R-KVStore's client: its own budget, shared like DTS's by the DTS_WORKERS processes. */
function rkvstoreClient(config: WorkerConfig, credentials: CredentialsGetter): RkvstoreClient {
  return new RkvstoreClient(
    {
      endpoint: config.rkvstoreEndpoint ?? defaultRkvstoreEndpoint(config.dts.endpoint),
      timeoutMs: config.dts.timeoutMs,
    },
    credentials,
    new RateLimiter((config.rkvstoreMaxCallsPerSecond ?? DEFAULT_RKVSTORE_MAX_CALLS_PER_SECOND) / config.dtsWorkers),
  );
}

/** Notifications and the preflight's visibility read: on the workflows' queue, so they never spend the DTS budget. */
function workflowQueueActivities(config: WorkerConfig, client: Client) {
  return {
    ...createNotifyActivities(config.notify, config.temporal.namespace),
    ...createOwnSetupsActivities(client),
  };
}

/** Bumped when the watch changes in a way a running watcher must pick up (restarted like a settings change). */
const WATCHER_VERSION = 2;

/**
 * One watcher per task queue, wherever it runs. A running watcher started with the same settings is kept; one
 * started with other settings (or by an older version) is replaced, so a worker with new settings applies them.
 * The settings are in the watcher's memo, which describe() reads without running its code.
 */
export async function ensureStatusWatcher(config: WorkerConfig, client: Client): Promise<void> {
  const workflowId = statusWatcherId(config.temporal.taskQueue);
  const input: WatchInput = {
    taskQueue: config.temporal.taskQueue,
    namespace: config.temporal.namespace,
    intervalMs: config.statusWatchIntervalMs,
    minIntervalMs: config.statusWatchMinIntervalMs,
    batchSize: config.statusBatchSize,
    unclaimedSettleMs: config.unclaimedSettleMs,
    settledIntervalMs: config.statusWatchSettledIntervalMs,
    sweepIntervalMs: config.unclaimedSweepIntervalMs,
    sweepMaxIntervalMs: config.unclaimedSweepMaxIntervalMs,
  };
  const settings = JSON.stringify({ version: WATCHER_VERSION, ...input });
  const running = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch(() => undefined);
  const same = running?.status.name === 'RUNNING' && running.memo?.settings === settings;
  await client.workflow.start(dtsStatusWatcher, {
    workflowId,
    taskQueue: config.temporal.taskQueue,
    args: [input],
    memo: { settings },
    workflowIdConflictPolicy: same ? 'USE_EXISTING' : 'TERMINATE_EXISTING',
    staticSummary: `Batched DTS status watch for ${config.temporal.taskQueue}`,
  });
}
