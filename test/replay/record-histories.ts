// Records the histories that test/replay/replay.int.test.ts replays against the current workflow code.
//
//   npx tsx test/replay/record-histories.ts [scenario names...]
//
// Re-record ONLY when a workflow change is meant to be incompatible with running setups (none are
// in production yet, or all were drained). Otherwise a failing replay test means: guard the change
// with patched() instead. Runs its own Temporal dev server, emulator and worker (test/chaos/stack.ts);
// payloads are encrypted with the test key (test/chaos/keys.ts = TEST_PAYLOAD_KEYS).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { historyToJson } from './history-json';
import { BASELINE_PATHS, FROZEN_PATHS, PATCHED_PATHS } from './paths';
import { preflightTaskQueue, setupWorkflowId } from '../../core/ids';
import {
  abortUpdate,
  changeUpdate,
  releaseSignal,
  releaseUpdate,
  releaseWithOptionsUpdate,
  retryUpdate,
  setupStatusQuery,
  verifyUpdate,
} from '../../core/messages';
import { DtsClient } from '../../activities/dts/client';
import { configureDirection } from '../../activities/dts/configure';
import { describeDirection } from '../../activities/dts/describe';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';
import { redisSync } from '../../workflows/redis-sync';
import { preflight } from '../../workflows/preflight';
import { summarizeEndpoint } from '../../core/types';
import { PREFLIGHT_REPLAY_ID } from './paths';
import type { Direction, DtsApi, SetupPhase, SetupRequest, Topology } from '../../core/types';
import { sleep } from '../chaos/processes';
import { startChaosStack, type ChaosStack } from '../chaos/stack';

const OUT = join(__dirname, '../histories');
const TUNING = { firstPoll: '200ms', maxPoll: '1s', monitorInterval: '1s', restartBackoff: '200ms' } as const;

function request(name: string, topology: Topology): SetupRequest {
  const endpoint = (side: string) => ({
    kind: 'enterprise' as const,
    region: 'cn-hangzhou',
    instanceId: `r-replay-${name}-${side}`,
    password: `${name}-${side}-Pa55`,
  });
  return {
    name: `replay-${name}`,
    topology,
    region: 'cn-hangzhou',
    source: endpoint('src'),
    destination: endpoint('dst'),
    databases: [{ from: 0, to: 0 }],
    jobClass: 'small',
    payType: 'PostPaid',
    keepInstanceOnFailure: false,
    waitDeadline: '1h',
    attentionDeadline: '1h',
  };
}

async function register(
  stack: ChaosStack,
  req: SetupRequest,
  destinationPassword = req.destination.password,
): Promise<void> {
  const entry = (instanceId: string, password: string) => ({
    instanceId,
    password,
    region: 'cn-hangzhou',
    edition: 'enterprise',
  });
  await stack.admin('instances', [
    entry(req.source.instanceId!, req.source.password),
    entry(req.destination.instanceId!, destinationPassword),
  ]);
}

async function untilPhase(handle: WorkflowHandle<typeof redisSync>, phase: SetupPhase): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if ((await handle.query(setupStatusQuery).catch(() => undefined))?.phase === phase) return;
    await sleep(200);
  }
  throw new Error(`${handle.workflowId} never reached ${phase}`);
}

type Start = (
  req: SetupRequest,
  tuning?: Record<string, unknown>,
  /** The DTS API family the setup speaks (absent: what a starter that names none gets, the legacy one). */
  api?: DtsApi,
) => Promise<WorkflowHandleWithFirstExecutionRunId<typeof redisSync>>;
type Scenario = (stack: ChaosStack, start: Start) => Promise<WorkflowHandle<typeof redisSync>>;

/** The plain path: set up, reach synchronizing, tear down. */
async function synchronizedThenReleased(stack: ChaosStack, start: Parameters<Scenario>[1], req: SetupRequest) {
  await register(stack, req);
  const handle = await start(req);
  await untilPhase(handle, 'synchronizing');
  await handle.signal(releaseSignal);
  await handle.result();
  return handle;
}

/** Until the setup's change `id` has ended with `outcome`. */
async function untilChange(handle: WorkflowHandle<typeof redisSync>, id: number, outcome: 'applied' | 'failed') {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const status = await handle.query(setupStatusQuery).catch(() => undefined);
    const change = status?.changes?.find((c) => c.id === id);
    if (change && change.outcome !== 'applying') {
      if (change.outcome !== outcome) throw new Error(`change ${id} ended ${change.outcome}`);
      return;
    }
    await sleep(200);
  }
  throw new Error(`${handle.workflowId}: change ${id} never ended`);
}

async function statusOf(handle: WorkflowHandle<typeof redisSync>) {
  return handle.query(setupStatusQuery);
}

/** The setup's DTS job id, once bought. */
async function jobIdOf(handle: WorkflowHandle<typeof redisSync>): Promise<string> {
  const id = (await statusOf(handle)).dtsJobId;
  if (!id) throw new Error(`${handle.workflowId} has no DTS job`);
  return id;
}

async function releaseAndWait(handle: WorkflowHandle<typeof redisSync>): Promise<void> {
  await handle.executeUpdate(releaseUpdate);
  await handle.result().catch(() => undefined);
}

/** A job bought and configured outside the service (as in the console), straight through the DTS client. */
async function jobBoughtOutside(stack: ChaosStack, req: SetupRequest, directions: Direction[]): Promise<string> {
  const dts = new DtsClient({
    endpoint: stack.emulatorUrl,
    apiVersion: '2020-01-01',
    accessKeyId: DEFAULT_ACCESS_KEY_ID,
    accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
    timeoutMs: 5_000,
  });
  const created = await dts.call('CreateSynchronizationJob', {
    RegionId: req.region,
    SourceRegion: req.source.region,
    DestRegion: req.destination.region,
    SynchronizationJobClass: req.jobClass,
    PayType: req.payType,
    Topology: req.topology,
    'SourceEndpoint.InstanceType': 'Redis',
    'DestinationEndpoint.InstanceType': 'Redis',
  });
  const dtsJobId = created.SynchronizationJobId as string;
  for (const direction of directions) {
    const [source, destination] =
      direction === 'Forward' ? [req.source, req.destination] : [req.destination, req.source];
    await configureDirection(dts, {
      dtsJobId,
      regionId: req.region,
      direction,
      jobName: req.name,
      source,
      destination,
      databases: req.databases,
    });
    const deadline = Date.now() + 120_000;
    while ((await describeDirection(dts, { dtsJobId, regionId: req.region, direction })).status !== 'synchronizing') {
      if (Date.now() > deadline) throw new Error(`${direction} of ${dtsJobId} never synchronized`);
      await sleep(200);
    }
  }
  return dtsJobId;
}

/** Adopt a job bought outside, reach synchronizing, then release or leave it. */
async function adopted(
  stack: ChaosStack,
  start: Start,
  req: SetupRequest,
  directions: Direction[],
  releaseInstance: boolean,
): Promise<WorkflowHandle<typeof redisSync>> {
  await register(stack, req);
  const dtsJobId = await jobBoughtOutside(stack, req, directions);
  const handle = await start({ ...req, adopt: { dtsJobId } });
  await untilPhase(handle, 'synchronizing');
  if (releaseInstance) await handle.executeUpdate(releaseWithOptionsUpdate, { args: [{ releaseInstance }] });
  else await handle.executeUpdate(releaseUpdate);
  await handle.result();
  return handle;
}

// The paths of test/replay/paths.ts, recorded from the current code.
const SCENARIOS: Record<string, Scenario> = {
  'oneway-released': (stack, start) => synchronizedThenReleased(stack, start, request('oneway', 'oneway')),
  'twoway-released': (stack, start) => synchronizedThenReleased(stack, start, request('twoway', 'bidirectional')),
  'precheck-failed-retried': async (stack, start) => {
    const req = request('precheck', 'oneway');
    await register(stack, req, 'not-the-password');
    const handle = await start(req);
    await untilPhase(handle, 'needs-attention');
    await register(stack, req); // the operator fixes the password
    await handle.executeUpdate(retryUpdate);
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'precheck-failed-aborted': async (stack, start) => {
    const req = request('abort', 'oneway');
    await register(stack, req, 'not-the-password');
    const handle = await start(req);
    await untilPhase(handle, 'needs-attention');
    await handle.executeUpdate(abortUpdate);
    await handle.result();
    return handle;
  },
  'continued-as-new': async (stack, start) => {
    const req = request('can', 'bidirectional');
    await register(stack, req);
    const handle = await start(req, { maxHistoryEvents: 40, maxPoll: '200ms' });
    // Released only once it continued as new: both runs are recorded.
    const deadline = Date.now() + 120_000;
    while ((await handle.describe()).runId === handle.firstExecutionRunId) {
      if (Date.now() > deadline) throw new Error(`${handle.workflowId} never continued as new`);
      await sleep(200);
    }
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'keeper-restarted-released': async (stack, start) => {
    const req = request('keeper', 'oneway');
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    await stack.admin('faults', {
      kind: 'fail-later',
      instanceId: req.source.instanceId,
      afterMs: 100,
      message: 'recorded failure',
    });
    const deadline = Date.now() + 60_000;
    while ((await statusOf(handle)).forward.restarts < 1) {
      if (Date.now() > deadline) throw new Error('Forward was never restarted');
      await sleep(100);
    }
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'reset-and-reconfigured': async (stack, start) => {
    const req = request('reset', 'oneway');
    await register(stack, req);
    await stack.admin('faults', { action: '*', instanceId: req.source.instanceId, kind: 'init-fail', count: 1 });
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'suspended-outside-resumed': async (stack, start) => {
    const req = request('suspend', 'oneway');
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    const jobId = await jobIdOf(handle);
    await stack.admin(`jobs/${jobId}/suspend`, { direction: 'Forward' }, 'POST');
    await untilPhase(handle, 'needs-attention');
    await stack.admin(`jobs/${jobId}/resume`, { direction: 'Forward' }, 'POST');
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'credentials-while-synchronizing': async (stack, start) => {
    const req = request('ram', 'oneway');
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    const jobId = await jobIdOf(handle);
    await stack.admin('faults', {
      action: 'DescribeSynchronizationJobStatus',
      jobId,
      kind: 'error',
      code: 'Forbidden.RAM',
      httpStatus: 403,
      count: 3,
    });
    await untilPhase(handle, 'needs-attention');
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'restarts-exhausted-retried': async (stack, start) => {
    const req = request('exhausted', 'oneway');
    await register(stack, req);
    const handle = await start(req, { maxAutoRestarts: 0 });
    await untilPhase(handle, 'synchronizing');
    await stack.admin('faults', {
      kind: 'fail-later',
      instanceId: req.source.instanceId,
      afterMs: 100,
      message: 'recorded failure',
    });
    await untilPhase(handle, 'needs-attention');
    await handle.executeUpdate(retryUpdate);
    await untilPhase(handle, 'synchronizing');
    await handle.signal('dtsStatusChanged'); // a signal without its payload: no news, no crash
    await releaseAndWait(handle);
    return handle;
  },
  'notified-attention-recovered': async (stack, start) => {
    // Patch notify-v1: synchronizing, needs-attention, recovered and released each start a notifying workflow.
    const req = request('notified', 'bidirectional');
    await register(stack, req);
    const handle = await start(req, { maxAutoRestarts: 0 });
    await untilPhase(handle, 'synchronizing');
    await stack.admin('faults', {
      kind: 'fail-later',
      instanceId: req.source.instanceId,
      direction: 'Forward',
      afterMs: 100,
      message: 'recorded failure',
    });
    await untilPhase(handle, 'needs-attention');
    await handle.executeUpdate(retryUpdate);
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'release-failed-retried': async (stack, start) => {
    const req = request('release-failed', 'oneway');
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    await stack.admin('faults', {
      action: 'DeleteSynchronizationJob',
      kind: 'error',
      code: 'OperationDenied.Recorded',
      httpStatus: 400,
      count: 1,
    });
    await handle.executeUpdate(releaseUpdate);
    await untilPhase(handle, 'release-failed');
    await handle.executeUpdate(retryUpdate);
    await handle.result();
    return handle;
  },
  'kept-suspended': async (stack, start) => {
    const req = { ...request('kept', 'oneway'), keepInstanceOnFailure: true };
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    await handle.executeUpdate(abortUpdate);
    await handle.result();
    return handle;
  },
  'window-waited': async (stack, start) => {
    // The window opens at the next minute boundary at least 5 s away (real time: timers are not scaled).
    const opensAt = Math.ceil((Date.now() + 5_000) / 60_000) * 60_000;
    const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const req = {
      ...request('window', 'oneway'),
      initializationWindow: { start: clock(opensAt), end: clock(opensAt + 3600_000), timeZone: 'UTC' },
    };
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'waiting-for-window');
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'twoway-cancelled': async (stack, start) => {
    const req = request('cancelled', 'bidirectional');
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'waiting-forward');
    await handle.cancel();
    await handle.result().catch(() => undefined); // ends cancelled, after releasing the instance
    return handle;
  },
  'purchase-reset-cancelled': async (stack, start) => {
    // DTS bought, the connection reset, a cancel in the backoff.
    const req = request('purchase-reset', 'oneway');
    await register(stack, req);
    await stack.admin('faults', { action: 'CreateSynchronizationJob', kind: 'drop-after', count: 1 });
    const handle = await start(req);
    const deadline = Date.now() + 30_000;
    while (!(await statusOf(handle)).error) {
      if (Date.now() > deadline) throw new Error('the purchase never failed');
      await sleep(50);
    }
    await handle.cancel();
    await handle.result().catch(() => undefined);
    return handle;
  },
  'wait-deadline-unread': async (stack, start) => {
    // Patch wait-deadline-unread-v1: every status read refused past the wait deadline parks; reads work again.
    const req: SetupRequest = { ...request('wait-unread', 'oneway'), waitDeadline: '3s' };
    await register(stack, req);
    await stack.admin('faults', {
      action: 'DescribeSynchronizationJobStatus',
      kind: 'error',
      code: 'Forbidden.RAM',
      httpStatus: 403,
      count: 3,
    });
    const handle = await start(req);
    await untilPhase(handle, 'needs-attention');
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'purchase-outcome-kept': async (stack, start) => {
    // Patch purchase-outcome-kept-v1: a lost purchase answer, then a refusal; the token is sent again.
    const req = request('purchase-kept', 'oneway');
    await register(stack, req);
    await stack.admin('faults', { action: 'CreateSynchronizationJob', kind: 'drop-after', count: 1 });
    const handle = await start(req);
    const deadline = Date.now() + 30_000;
    while (!(await statusOf(handle)).error) {
      if (Date.now() > deadline) throw new Error('the purchase never failed');
      await sleep(50);
    }
    // The retry first looks for what the lost call bought (activities/dts/purchase.ts): DTS refuses that for good.
    await stack.admin('faults', {
      action: 'DescribeSynchronizationJobs',
      kind: 'error',
      code: 'InvalidParameter',
      httpStatus: 400,
      count: 3, // the watcher's sweep of unclaimed instances may take one
    });
    await untilPhase(handle, 'needs-attention');
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'watcher-news-while-unreadable': async (stack, start) => {
    // Patch watcher-news-while-unreadable-v1: own reads refused while Forward fails; the watcher's news restarts it.
    const req = request('news-unread', 'oneway');
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    const jobId = await jobIdOf(handle);
    await stack.admin('faults', {
      action: 'DescribeSynchronizationJobStatus',
      jobId,
      kind: 'error',
      code: 'Forbidden.RAM',
      httpStatus: 403,
      count: 4,
    });
    await stack.admin('faults', { kind: 'fail-later', instanceId: req.source.instanceId, afterMs: 100 });
    const deadline = Date.now() + 60_000;
    while ((await statusOf(handle)).forward.restarts < 1) {
      if (Date.now() > deadline) throw new Error('Forward was never restarted');
      await sleep(100);
    }
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'status-memo': (stack, start) => synchronizedThenReleased(stack, start, request('status-memo', 'bidirectional')),
  'adopted-twoway-released': (stack, start) =>
    adopted(stack, start, request('adopted-twoway', 'bidirectional'), ['Forward', 'Reverse'], true),
  'adopted-forward-only-reverse-configured': (stack, start) =>
    adopted(stack, start, request('adopted-forward-only', 'bidirectional'), ['Forward'], true),
  'adopted-left-in-place': (stack, start) =>
    adopted(stack, start, request('adopted-left', 'oneway'), ['Forward'], false),
  'canary-released': async (stack, start) => {
    // Patch e2e-canary-v1: a canary every second beside a two-way sync, until the release ends it.
    const req = { ...request('canary', 'bidirectional'), canary: { intervalSeconds: 1 } };
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    await sleep(3_000);
    await releaseAndWait(handle);
    return handle;
  },
  'day-two-paused-resumed': async (stack, start) => {
    // Patch day-two-changes-v1: a two-way pause whose Reverse suspend DTS refuses (undone), a pause that resumes
    // by itself, and one ended by a resume request.
    const req = request('day-two-pause', 'bidirectional');
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    const jobId = await jobIdOf(handle);
    await stack.admin('faults', {
      action: 'SuspendSynchronizationJob',
      jobId,
      direction: 'Reverse',
      kind: 'error',
      code: 'InvalidParameter',
      httpStatus: 400,
      count: 1,
    });
    await handle.executeUpdate(changeUpdate, { args: [{ kind: 'pause', forMs: 60_000, by: 'ops-alice' }] });
    await untilChange(handle, 1, 'failed');
    await untilPhase(handle, 'synchronizing');
    await handle.executeUpdate(changeUpdate, { args: [{ kind: 'pause', forMs: 1_000, by: 'ops-alice' }] });
    await untilChange(handle, 3, 'applied'); // the schedule's resume
    await untilPhase(handle, 'synchronizing');
    await handle.executeUpdate(changeUpdate, { args: [{ kind: 'pause', by: 'ops-alice' }] });
    await untilPhase(handle, 'paused');
    await handle.executeUpdate(changeUpdate, { args: [{ kind: 'resume', by: 'ops-bob' }] });
    await untilChange(handle, 5, 'applied');
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'day-two-databases-and-class': async (stack, start) => {
    // Patch day-two-changes-v1: databases of a two-way sync through Modifying, tags, then an instance class upgrade.
    const req = request('day-two-dbs', 'bidirectional');
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    const databases = [
      { from: 0, to: 0 },
      { from: 3, to: 3 },
    ];
    await handle.executeUpdate(changeUpdate, { args: [{ kind: 'databases', databases, by: 'ops-alice' }] });
    await untilChange(handle, 1, 'applied');
    await handle.executeUpdate(changeUpdate, { args: [{ kind: 'tags', tags: ['team=payments'], by: 'ops-alice' }] });
    await untilChange(handle, 2, 'applied');
    await handle.executeUpdate(changeUpdate, { args: [{ kind: 'jobClass', jobClass: 'medium', by: 'ops-alice' }] });
    await untilChange(handle, 3, 'applied');
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'renewed-tagged-expiring': async (stack, start) => {
    // Patch renew-tags-v1: a PrePaid DtsJob setup tagged after purchase; tags changed twice (tag, then untag);
    // renewed with its answer lost (read back, not ordered again); its end brought near (notice); released.
    const req: SetupRequest = { ...request('renew', 'oneway'), payType: 'PrePaid', period: 'Month', usedTime: 1 };
    await register(stack, req);
    const handle = await start(req, {}, 'dtsjob');
    await untilPhase(handle, 'synchronizing');
    await handle.executeUpdate(changeUpdate, { args: [{ kind: 'tags', tags: ['team=payments'], by: 'ops-alice' }] });
    await untilChange(handle, 1, 'applied');
    await handle.executeUpdate(changeUpdate, { args: [{ kind: 'tags', tags: ['env=prod'], by: 'ops-alice' }] });
    await untilChange(handle, 2, 'applied');
    await stack.admin('faults', { action: 'RenewInstance', kind: 'drop-after', count: 1 });
    await handle.executeUpdate(changeUpdate, {
      args: [{ kind: 'renew', period: 'Month', usedTime: 1, by: 'ops-alice' }],
    });
    await untilChange(handle, 3, 'applied');
    await stack.admin(`jobs/${await jobIdOf(handle)}/expiry`, { days: 2 });
    const deadline = Date.now() + 60_000;
    while (
      !(await statusOf(handle)).expiresAt?.startsWith(new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10))
    ) {
      if (Date.now() > deadline) throw new Error('the near ExpireTime was never read');
      await sleep(200);
    }
    await releaseAndWait(handle);
    return handle;
  },
  'auto-renewed': async (stack, start) => {
    // Patch auto-renew-v1: a PrePaid setup that asked renew.auto; its end brought near, it renews by itself
    // with the answer lost (read back, not ordered again); released.
    const req: SetupRequest = {
      ...request('autorenew', 'oneway'),
      payType: 'PrePaid',
      period: 'Month',
      usedTime: 1,
      renew: { auto: true, period: 'Month', usedTime: 1, daysBefore: 7 },
    };
    await register(stack, req);
    const handle = await start(req, {}, 'dtsjob');
    await untilPhase(handle, 'synchronizing');
    await stack.admin('faults', { action: 'RenewInstance', kind: 'drop-after', count: 1 });
    await stack.admin(`jobs/${await jobIdOf(handle)}/expiry`, { days: 2 });
    await untilChange(handle, 1, 'applied');
    await releaseAndWait(handle);
    return handle;
  },
  'verified-on-request': async (stack, start) => {
    // Patch data-verification-v1: verified once after Synchronizing, then on request; released.
    const req = request('verified', 'oneway');
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    const done = async (id?: string) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const v = (await statusOf(handle)).verification;
        if (v?.state === 'done' && (!id || v.id === id)) return;
        if (Date.now() > deadline) throw new Error('the verification never ended');
        await sleep(100);
      }
    };
    await done();
    const asked = await handle.executeUpdate(verifyUpdate, { args: [{ depth: 'length', by: 'replay-recorder' }] });
    await done(asked.id);
    await releaseAndWait(handle);
    return handle;
  },
  'dtsjob-twoway-released': async (stack, start) => {
    const req = request('dtsjob-twoway', 'bidirectional');
    await register(stack, req);
    const handle = await start(req, {}, 'dtsjob');
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'dtsjob-continued-as-new': async (stack, start) => {
    const req = request('dtsjob-can', 'bidirectional');
    await register(stack, req);
    const handle = await start(req, { maxHistoryEvents: 40, maxPoll: '200ms' }, 'dtsjob');
    // The new run carries the family in its state: it must go on speaking DtsJob.
    const deadline = Date.now() + 120_000;
    while ((await handle.describe()).runId === handle.firstExecutionRunId) {
      if (Date.now() > deadline) throw new Error(`${handle.workflowId} never continued as new`);
      await sleep(200);
    }
    await untilPhase(handle, 'synchronizing');
    if ((await statusOf(handle)).dtsApi !== 'dtsjob') throw new Error('the continued run lost its DTS API family');
    await releaseAndWait(handle);
    return handle;
  },
  'day-two-dtsjob-changes': async (stack, start) => {
    // Patch day-two-dtsjob-v1: a two-way DtsJob setup's databases (ModifyDtsJob), class and destination password.
    const req = request('day-two-dtsjob', 'bidirectional');
    await register(stack, req);
    const handle = await start(req, {}, 'dtsjob');
    await untilPhase(handle, 'synchronizing');
    const databases = [
      { from: 0, to: 0 },
      { from: 3, to: 3 },
    ];
    await handle.executeUpdate(changeUpdate, { args: [{ kind: 'databases', databases, by: 'ops-alice' }] });
    await untilChange(handle, 1, 'applied');
    await handle.executeUpdate(changeUpdate, { args: [{ kind: 'jobClass', jobClass: 'medium', by: 'ops-alice' }] });
    await untilChange(handle, 2, 'applied');
    const password = 'day-two-dtsjob-dst-new-Pa55';
    await handle.executeUpdate(changeUpdate, {
      args: [{ kind: 'password', endpoint: 'destination', password, by: 'ops-alice' }],
    });
    await untilChange(handle, 3, 'applied');
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  'day-two-dtsjob-rekey-retried': async (stack, start) => {
    // Patch day-two-dtsjob-v1: a re-key DTS refuses on Reverse, asked again: the Forward task is not sent twice.
    const req = request('day-two-rekey', 'bidirectional');
    await register(stack, req);
    const handle = await start(req, {}, 'dtsjob');
    await untilPhase(handle, 'synchronizing');
    await stack.admin('faults', {
      action: 'ModifyDtsJobPassword',
      jobId: await jobIdOf(handle),
      direction: 'Reverse',
      kind: 'error',
      code: 'InvalidParameter',
      httpStatus: 400,
      count: 1,
    });
    const change = { kind: 'password' as const, endpoint: 'source' as const, password: 'day-two-rekey-src-new-Pa55' };
    await handle.executeUpdate(changeUpdate, { args: [{ ...change, by: 'ops-alice' }] });
    await untilChange(handle, 1, 'failed');
    await untilPhase(handle, 'synchronizing');
    await handle.executeUpdate(changeUpdate, { args: [{ ...change, by: 'ops-alice' }] });
    await untilChange(handle, 2, 'applied');
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
  // Patch preflight-local-reads-v1: its reads as local activities in the workflow task.
  'preflight-local-reads': (stack) => recordPreflight(stack),
  'delay-attention-recovered': async (stack, start) => {
    const req = { ...request('delay', 'oneway'), maxDelay: '30s', delayGrace: '2s' } as SetupRequest;
    await register(stack, req);
    const handle = await start(req);
    await untilPhase(handle, 'synchronizing');
    const jobId = await jobIdOf(handle);
    await stack.admin(`jobs/${jobId}/delay`, { direction: 'Forward', seconds: 120 });
    await untilPhase(handle, 'needs-attention');
    await stack.admin(`jobs/${jobId}/delay`, { direction: 'Forward', seconds: 0 });
    await untilPhase(handle, 'synchronizing');
    await releaseAndWait(handle);
    return handle;
  },
};

/**
 * A preflight started on its own queue, as the API does when a worker polls it (patch preflight-own-queue-v1 and
 * the ones after it): DTS's jobs by the pair in the limiter's answer lane, our own setups, the instances.
 */
async function recordPreflight(stack: ChaosStack): Promise<WorkflowHandle<typeof redisSync>> {
  const req = request('preflight', 'bidirectional');
  await register(stack, req);
  const handle = await stack.client().workflow.start(preflight, {
    workflowId: PREFLIGHT_REPLAY_ID,
    taskQueue: preflightTaskQueue(stack.taskQueue),
    args: [
      {
        api: 'dtsjob',
        topology: req.topology,
        region: req.region,
        source: summarizeEndpoint(req.source),
        destination: summarizeEndpoint(req.destination),
        acceptRisks: [],
      },
    ],
  });
  await handle.result();
  return handle as unknown as WorkflowHandle<typeof redisSync>;
}

async function main(): Promise<void> {
  const missing = [...BASELINE_PATHS, ...PATCHED_PATHS]
    .filter((p) => !FROZEN_PATHS.includes(p))
    .filter((p) => !(p.replace(/-first-run$/, '') in SCENARIOS));
  if (missing.length) throw new Error(`no scenario records ${missing.join(', ')}`);
  const stack = await startChaosStack({ timeScale: 0.05, dtsTimeoutMs: 5_000 });
  try {
    const client = stack.client();
    const start: Start = (req, tuning = {}, api) =>
      client.workflow.start(redisSync, {
        workflowId: setupWorkflowId(req),
        taskQueue: stack.taskQueue,
        args: [{ request: req, tuning: { ...TUNING, ...tuning }, ...(api ? { api } : {}) }],
      });
    const only = process.argv.slice(2);
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (only.length && !only.includes(name)) continue;
      const handle = await scenario(stack, start);
      const history = await client.workflow.getHandle(handle.workflowId).fetchHistory();
      writeFileSync(join(OUT, `${name}.json`), `${historyToJson(history)}\n`);
      console.log(`recorded ${name}: ${history.events?.length ?? 0} events`);
      // A setup that continued-as-new: its first run too (it holds the ContinueAsNew command).
      const firstRunId = (handle as { firstExecutionRunId?: string }).firstExecutionRunId;
      const { runId } = await client.workflow.getHandle(handle.workflowId).describe();
      if (firstRunId && runId !== firstRunId) {
        const first = await client.workflow.getHandle(handle.workflowId, firstRunId).fetchHistory();
        writeFileSync(join(OUT, `${name}-first-run.json`), `${historyToJson(first)}\n`);
        console.log(`recorded ${name}-first-run: ${first.events?.length ?? 0} events`);
      }
    }
  } finally {
    await stack.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
