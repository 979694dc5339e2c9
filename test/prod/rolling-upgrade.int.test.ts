import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_CONVERTER_PATH } from '../../common/codec';
import { startTopology, type Topology, type TopologyPorts } from '../../scripts/prod-local/topology';
import { WORKER_SHUTDOWN_GRACE_MS } from '../../worker/config';
import { freeLowPort } from '../support/ports';
import { syncRequest, type EmulatorJob } from '../support/requests';
import { eventually } from '../support/stack';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// A rolling upgrade on `npm run prod-local`'s topology (docs/deployment.md, "Upgrading"): setups in every
// phase that matters run on two workers of this build; the workers are then replaced one at a time, as the
// Helm chart's rolling update does (SIGTERM, drained within the shutdown grace, the new one polling before
// the next goes), by a new build whose workflow code carries a change behind a patched() id. PROD_LOCAL=1.
//
// The new build is a copy of this checkout with one edit to the workflow code and its own prebuilt workflow
// bundle (dist/workflow-bundle.js, as the image has): after every phase change the setup records a memo
// field, but only behind patched(). That branch adds a command, so without the patch every old run that
// replays on the new build would fail its workflow task with a nondeterminism error.
const ROOT = join(__dirname, '..', '..');
const PATCH_ID = 'rolling-upgrade-test-v1';
const MEMO_KEY = 'upgradeTestPhase';
const BUILD_DIRS = ['worker', 'activities', 'common', 'core', 'workflows'];
const ANCHOR = 'announceChanges(this, status.phase !== before);';
/** Only a worker that hangs is killed: well after the grace, so a slow exit shows in the drain time. */
const KILL_AFTER_MS = WORKER_SHUTDOWN_GRACE_MS + 60_000;

function makeNewBuild(dir: string): string {
  for (const d of BUILD_DIRS) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
  for (const f of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, f), join(dir, f));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const file = join(dir, 'workflows', 'setup', 'setup.ts');
  const source = readFileSync(file, 'utf8');
  if (!source.includes(ANCHOR)) throw new Error(`the new build's edit needs "${ANCHOR}" in workflows/setup/setup.ts`);
  writeFileSync(
    file,
    `import { patched as upgradePatched, upsertMemo as upgradeUpsertMemo } from '@temporalio/workflow';\n` +
      source.replace(
        ANCHOR,
        `${ANCHOR}\n    if (status.phase !== before && upgradePatched('${PATCH_ID}')) upgradeUpsertMemo({ ${MEMO_KEY}: status.phase });`,
      ),
  );
  return dir;
}

type Event = temporal.api.history.v1.IHistoryEvent;
const { WorkflowTaskFailedCause } = temporal.api.enums.v1;
interface Setup {
  name: string;
  id: string;
  source: string;
}

describe.runIf(process.env.PROD_LOCAL === '1')('a rolling upgrade to a patched build (npm run prod-local)', () => {
  let topology: Topology;
  let client: Client;
  let dataDir: string;
  let newBuild: string;
  const figures: Record<string, string> = {};
  const setups: Record<string, Setup> = {};
  const call = async (i: number, path: string, method = 'GET', body?: unknown) => {
    const res = await fetch(`${topology.apiUrls[i]}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${topology.apiToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${topology.emulatorUrl}/__emulator/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, `emulator ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  };
  const NAMES = ['kept', 'attention', 'release', 'reverse', 'forward', 'purchase', 'new'];
  const pair = (name: string) => ({
    source: { instanceId: `r-up-src-${name}`, password: `up-src-${name}-Pa55` },
    destination: { instanceId: `r-up-dst-${name}`, password: `up-dst-${name}-Pa55` },
  });
  const create = async (name: string, topologyKind: 'oneway' | 'bidirectional') => {
    const { source, destination } = pair(name);
    const res = await call(
      0,
      '/v1/syncs',
      'POST',
      syncRequest({
        name: `up-${name}`,
        topology: topologyKind,
        source: { kind: 'enterprise', region: 'cn-hangzhou', ...source },
        destination: { kind: 'enterprise', region: 'cn-hangzhou', ...destination },
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    setups[name] = { name, id: res.body.id as string, source: source.instanceId };
    return setups[name];
  };
  const phaseOf = async (s: Setup) => (await call(1, `/v1/syncs/${encodeURIComponent(s.id)}`)).body.phase;
  const untilPhase = (s: Setup, phase: string, timeoutMs = 240_000) =>
    eventually(async () => ((await phaseOf(s)) === phase ? true : undefined), {
      timeoutMs,
      intervalMs: 500,
      what: `${s.name} to be ${phase}`,
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'redis-dts-upgrade-'));
    chmodSync(dataDir, 0o711); // PostgreSQL runs as `postgres` when the tests run as root
    const started = Date.now();
    newBuild = makeNewBuild(join(dataDir, 'new-build'));
    mkdirSync(join(newBuild, 'dist'));
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(newBuild, 'workflows', 'index.ts'),
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error: console.error },
    });
    expect(code).toContain(PATCH_ID);
    writeFileSync(join(newBuild, 'dist', 'workflow-bundle.js'), code);
    figures['new build (copy + workflow bundle)'] = `${((Date.now() - started) / 1000).toFixed(1)} s`;

    const instances = NAMES.flatMap((name) => Object.values(pair(name)));
    const instancesFile = join(dataDir, 'instances.json');
    writeFileSync(instancesFile, JSON.stringify(instances));
    const ports: TopologyPorts = {
      postgres: await freeLowPort(),
      frontend: await freeLowPort(),
      frontendHttp: await freeLowPort(),
      frontendMembership: await freeLowPort(),
      history: await freeLowPort(),
      historyMembership: await freeLowPort(),
      matching: await freeLowPort(),
      matchingMembership: await freeLowPort(),
      temporalWorker: await freeLowPort(),
      temporalWorkerMembership: await freeLowPort(),
      emulator: await freeLowPort(),
      apis: [await freeLowPort(), await freeLowPort()],
      workerMetrics: [await freeLowPort(), await freeLowPort()],
    };
    const startedTopology = Date.now();
    topology = await startTopology({
      dataDir,
      ports,
      log: () => {},
      vars: {
        // Each DTS direction takes about a minute: setups stay in their waiting phases through a replacement.
        EMULATOR_TIME_SCALE: '2',
        EMULATOR_INSTANCES_FILE: instancesFile,
        DTS_STATUS_WATCH_INTERVAL_MS: '1000',
        LOG_LEVEL: 'warn',
      },
    });
    figures['topology start'] = `${((Date.now() - startedTopology) / 1000).toFixed(1)} s`;
    client = new Client({
      connection: await Connection.connect({ address: topology.temporalAddress }),
      namespace: topology.namespace,
    });
  }, 900_000);

  afterAll(async () => {
    console.log(
      `rolling-upgrade figures:\n${Object.entries(figures)
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n')}`,
    );
    await client?.connection.close();
    await topology?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('replaces both workers one at a time while setups run in every phase; none fails, is lost or is released', async () => {
    // Every phase that matters, reached by waiting for it (never for a fixed time).
    const kept = await create('kept', 'oneway');
    const attention = await create('attention', 'oneway');
    await admin('faults', { kind: 'precheck-fail', instanceId: attention.source });
    const release = await create('release', 'oneway');
    const reverse = await create('reverse', 'bidirectional');
    await untilPhase(attention, 'needs-attention');
    await untilPhase(release, 'synchronizing');
    // The next delete fails: the setup stays in release-failed until an operator retries.
    // Each fault names the action of either DTS API family (DTS_API picks the one the setups speak).
    for (const action of ['DeleteDtsJob', 'DeleteSynchronizationJob'])
      await admin('faults', { kind: 'error', action, code: 'OperationDenied.Upgrade' });
    expect((await call(0, `/v1/syncs/${encodeURIComponent(release.id)}`, 'DELETE')).status).toBe(200);
    await untilPhase(release, 'release-failed');
    await untilPhase(kept, 'synchronizing');
    await untilPhase(reverse, 'waiting-reverse');
    const forward = await create('forward', 'oneway');
    await untilPhase(forward, 'waiting-forward');
    // A purchase whose DTS call is slow: still buying when the first worker goes.
    for (const action of ['CreateDtsInstance', 'CreateSynchronizationJob'])
      await admin('faults', { kind: 'delay-before', action, delayMs: 8_000 });
    const purchase = await create('purchase', 'oneway');
    await untilPhase(purchase, 'purchasing', 30_000);
    const before = Object.fromEntries(
      await Promise.all(Object.values(setups).map(async (s) => [s.name, await phaseOf(s)])),
    );
    figures['phases when the first worker got SIGTERM'] = JSON.stringify(before);
    expect(before).toEqual({
      kept: 'synchronizing',
      attention: 'needs-attention',
      release: 'release-failed',
      reverse: 'waiting-reverse',
      forward: 'waiting-forward',
      purchase: 'purchasing',
    });

    // The API answers throughout: both processes, a setup's status and the list, every 500 ms.
    const answers = { ok: 0, failed: [] as string[] };
    let polling = true;
    const poller = (async () => {
      for (let i = 0; polling; i++) {
        const path =
          i % 3 === 2 ? '/v1/syncs?pageSize=50' : `/v1/syncs/${encodeURIComponent(setups[NAMES[i % 6]!]!.id)}`;
        try {
          const { status } = await call(i % 2, path);
          if (status === 200) answers.ok++;
          else answers.failed.push(`${status} ${path}`);
        } catch (err) {
          answers.failed.push(`${(err as Error).message} ${path}`);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();

    // The chart's rolling update (maxSurge 0, maxUnavailable 1): stop one, start its replacement, wait until
    // it polls, then the next.
    const oldPids = topology.workers.map((w) => w.pid!);
    const newPids: number[] = [];
    const upgradeStarted = Date.now();
    for (let i = 0; i < topology.workers.length; i++) {
      const stopping = Date.now();
      await topology.workers[i]!.stop('SIGTERM', KILL_AFTER_MS);
      const drainMs = Date.now() - stopping;
      figures[`worker ${i + 1}: exited after SIGTERM in`] = `${(drainMs / 1000).toFixed(1)} s`;
      // By itself: running activities get the shutdown grace, then the worker closes, before the chart's
      // terminationGracePeriodSeconds (at least the grace + 10 s, test/deploy/helm-chart.test.ts) would kill it.
      expect(drainMs, 'the old worker exits by itself').toBeLessThan(WORKER_SHUTDOWN_GRACE_MS + 10_000);
      const starting = Date.now();
      // Kubernetes' readiness probe reads /metrics, which answers before the worker polls: how much before
      // is what the chart's worker.minReadySeconds covers.
      let metricsAt: number | undefined;
      const metricsUrl = `http://127.0.0.1:${topology.ports.workerMetrics[i]}/metrics`;
      const started = topology.startWorker(i, newBuild);
      while (metricsAt === undefined && (await Promise.race([started.then(() => 'up'), sleep(100)])) !== 'up')
        if ((await fetch(metricsUrl).catch(() => undefined))?.ok) metricsAt = Date.now();
      newPids.push((await started).pid!);
      const pollingAt = Date.now();
      figures[`worker ${i + 1}: new build polling after`] = `${((pollingAt - starting) / 1000).toFixed(1)} s`;
      figures[`worker ${i + 1}: /metrics answered before polling by`] =
        metricsAt === undefined ? 'not before' : `${((pollingAt - metricsAt) / 1000).toFixed(1)} s`;
    }
    figures['upgrade (both workers)'] = `${((Date.now() - upgradeStarted) / 1000).toFixed(1)} s`;
    const upgradedAt = Date.now();

    // After the upgrade: the operators' actions, and a new setup.
    expect((await call(1, `/v1/syncs/${encodeURIComponent(attention.id)}/retry`, 'POST')).status).toBe(200);
    expect((await call(1, `/v1/syncs/${encodeURIComponent(release.id)}/retry`, 'POST')).status).toBe(200);
    const fresh = await create('new', 'oneway');
    for (const s of [kept, attention, reverse, forward, purchase, fresh]) await untilPhase(s, 'synchronizing');
    await untilPhase(release, 'released');
    polling = false;
    await poller;
    figures['API answers during the upgrade and after'] = `${answers.ok} ok, ${answers.failed.length} failed`;
    expect(answers.failed).toEqual([]);
    expect(answers.ok).toBeGreaterThan(0);

    // One DTS job per setup (no second purchase); only the released setup's job is released.
    const { jobs } = (await (await fetch(`${topology.emulatorUrl}/__emulator/jobs`)).json()) as {
      jobs: (EmulatorJob & { directions: { Forward: { source?: { instanceId?: string } } } })[];
    };
    for (const s of Object.values(setups)) {
      const own = jobs.filter((j) => j.directions.Forward.source?.instanceId === s.source);
      expect(own.length, `${s.name}: DTS jobs`).toBe(1);
      expect(own[0]!.released, `${s.name}: released`).toBe(s === release);
    }

    // Every workflow of the namespace: no failed workflow task (a nondeterminism error would be one), none
    // failed or terminated; the new branch only in tasks the new build completed, and in every setup that
    // changed phase after the upgrade.
    const { executions } = await client.workflowService.listWorkflowExecutions({
      namespace: topology.namespace,
      pageSize: 1000,
    });
    expect((executions ?? []).length).toBeGreaterThan(NAMES.length);
    let histories = 0;
    let unhandledCommand = 0;
    for (const e of executions ?? []) {
      const id = e.execution!.workflowId!;
      const events = (await client.workflow.getHandle(id, e.execution!.runId!).fetchHistory()).events ?? [];
      histories++;
      // UNHANDLED_COMMAND is the server refusing a completing command because a signal came in meanwhile: the
      // worker runs the task again with the signal, and no code failed. Any other failed task (a nondeterminism
      // error is one) fails the test, with its cause.
      const failedTasks = events.filter((ev) => ev.workflowTaskFailedEventAttributes);
      const refused = failedTasks.filter(
        (ev) =>
          ev.workflowTaskFailedEventAttributes?.cause ===
          WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
      );
      unhandledCommand += refused.length;
      expect(
        failedTasks
          .filter((ev) => !refused.includes(ev))
          .map((ev) => {
            const { cause, failure } = ev.workflowTaskFailedEventAttributes!;
            return `${WorkflowTaskFailedCause[cause ?? 0]}: ${failure?.message ?? ''}`;
          }),
        `${id}: failed workflow tasks`,
      ).toEqual([]);
      expect(
        events.some((ev) => ev.workflowExecutionFailedEventAttributes || ev.workflowExecutionTerminatedEventAttributes),
      ).toBe(false);
      for (const ev of withNewBranch(events))
        expect(newPids, `${id}: the new branch in a task of pid ${completedBy(events, ev)}`).toContain(
          completedBy(events, ev),
        );
    }
    figures['histories checked'] = String(histories);
    figures['workflow tasks refused as a signal came in (UNHANDLED_COMMAND)'] = String(unhandledCommand);
    for (const s of [attention, release, fresh]) {
      const runs = await runsOf(s.id);
      expect(
        runs.some((events) => withNewBranch(events).length > 0),
        `${s.name} took the new branch`,
      ).toBe(true);
    }
    // A setup that stayed synchronizing through the upgrade changed no phase: it never reached the new code.
    expect((await runsOf(kept.id)).every((events) => withNewBranch(events).length === 0)).toBe(true);
    figures['setups on the new branch'] = (
      await Promise.all(
        Object.values(setups).map(async (s) =>
          (await runsOf(s.id)).some((events) => withNewBranch(events).length > 0) ? s.name : '',
        ),
      )
    )
      .filter(Boolean)
      .join(', ');
    figures['time from upgraded to every setup settled'] = `${((Date.now() - upgradedAt) / 1000).toFixed(1)} s`;
    expect(oldPids.some((pid) => newPids.includes(pid))).toBe(false);
  }, 1_200_000);

  /** The events where the new build's branch upserted its memo field. */
  function withNewBranch(events: Event[]): Event[] {
    return events.filter(
      (ev) => MEMO_KEY in (ev.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields ?? {}),
    );
  }

  /** The pid of the worker that completed the workflow task an event came from. */
  function completedBy(events: Event[], event: Event): number {
    const task = events.find(
      (ev) =>
        ev.workflowTaskCompletedEventAttributes &&
        Number(ev.eventId) === Number(event.workflowPropertiesModifiedEventAttributes?.workflowTaskCompletedEventId),
    );
    return Number((task?.workflowTaskCompletedEventAttributes?.identity ?? '').split('@')[0]);
  }

  /** Every run of a setup (it may have continued as new), each as its events. */
  async function runsOf(workflowId: string): Promise<Event[][]> {
    const { executions } = await client.workflowService.listWorkflowExecutions({
      namespace: topology.namespace,
      query: `WorkflowId = '${workflowId}'`,
    });
    return Promise.all(
      (executions ?? []).map(
        async (e) => (await client.workflow.getHandle(workflowId, e.execution!.runId!).fetchHistory()).events ?? [],
      ),
    );
  }
});
