// Payload key rotation, the two-step way docs/security.md gives, across a running worker and API
// with setups in flight, on the run's real Temporal dev server and an emulator over HTTP.
// Each "process" is built from an environment by the production config readers, as its main.ts does.
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp, type App } from '../../api/app';
import { loadApiConfig } from '../../api/config';
import { startEmulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type RunningEmulator } from '../../emulator';
import { AesGcmPayloadCodec, encryptingDataConverter } from '../../common/codec';
import { ConfigError, type Env } from '../../common/env';
import { loadWorkerConfig } from '../../worker/config';
import { createWorkers, type Workers } from '../../worker/workers';
import { statusWatcherId } from '../../core/watcher';
import { STATUS_MEMO } from '../../core/search-attributes';
import { TEST_PAYLOAD_KEY_BYTES } from '../support/secret-scan';
import { eventually, tairInstance } from '../support/stack';

const TOKEN = 'key-rotation-test-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const OLD = `old:${TEST_PAYLOAD_KEY_BYTES.toString('base64')}`;
const NEW = `new:${randomBytes(32).toString('base64')}`;

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('payload key configuration', () => {
  const base = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret', API_TOKENS: TOKEN };

  it('needs PAYLOAD_KEY_ID once PAYLOAD_KEYS holds more than one key, in the worker and the API', () => {
    for (const load of [loadWorkerConfig, loadApiConfig]) {
      const problems = problemsOf(() => load({ ...base, PAYLOAD_KEYS: `${NEW},${OLD}` }));
      expect(problems).toEqual([
        'PAYLOAD_KEY_ID is required when PAYLOAD_KEYS holds several keys (new, old): it names the one that encrypts',
      ]);
      expect(load({ ...base, PAYLOAD_KEYS: `${NEW},${OLD}`, PAYLOAD_KEY_ID: 'old' }).payloadKeys.currentKeyId).toBe(
        'old',
      );
    }
  });

  it('defaults to the only key, and refuses an unknown id or a repeated one', () => {
    expect(loadWorkerConfig({ ...base, PAYLOAD_KEYS: OLD }).payloadKeys.currentKeyId).toBe('old');
    expect(problemsOf(() => loadApiConfig({ ...base, PAYLOAD_KEYS: OLD, PAYLOAD_KEY_ID: 'new' }))).toEqual([
      'PAYLOAD_KEY_ID "new" is not one of the ids in PAYLOAD_KEYS',
    ]);
    expect(problemsOf(() => loadApiConfig({ ...base, PAYLOAD_KEYS: `${OLD},${OLD}`, PAYLOAD_KEY_ID: 'old' }))).toEqual([
      'PAYLOAD_KEYS lists the key id "old" twice',
    ]);
  });
});

interface WorkerProcess {
  workers: Workers;
  running: Promise<void>;
  connection: NativeConnection;
  clientConnection: Connection;
}
interface ApiProcess {
  app: App;
  connection: Connection;
}

let emulator: RunningEmulator;
const address = inject('temporalAddress');
const taskQueue = `key-rotation-${randomUUID()}`;
const started: ApiProcess[] = [];
let worker: WorkerProcess | undefined;
/** Setup name by workflow id. */
const names = new Map<string, string>();

function commonEnv(keys: { PAYLOAD_KEYS: string; PAYLOAD_KEY_ID?: string }): Env {
  return { TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: taskQueue, ...keys };
}

/** worker/main.ts from an environment, with the run's prebuilt workflow bundle. */
async function startWorkerProcess(env: Env): Promise<WorkerProcess> {
  const config = loadWorkerConfig({
    ...env,
    DTS_ENDPOINT: emulator.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    DTS_MAX_CALLS_PER_SECOND: '100',
    DTS_STATUS_WATCH_INTERVAL_MS: '500',
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'error',
  });
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({
    connection: clientConnection,
    namespace: config.temporal.namespace,
    dataConverter: encryptingDataConverter(config.payloadKeys),
  });
  const workers = await createWorkers(config, {
    connection,
    client,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  return { workers, running: workers.run(), connection, clientConnection };
}

async function stopWorkerProcess(): Promise<void> {
  if (!worker) return;
  worker.workers.shutdown();
  await worker.running;
  await worker.connection.close();
  await worker.clientConnection.close();
  worker = undefined;
}

/** A rolling restart of the one worker onto a new environment. */
async function rollWorker(env: Env): Promise<void> {
  await stopWorkerProcess();
  worker = await startWorkerProcess(env);
}

/** api/main.ts from an environment (injected requests instead of a port). */
async function startApiProcess(env: Env): Promise<App> {
  const config = loadApiConfig({ ...env, API_TOKENS: TOKEN });
  const connection = await Connection.connect({ address });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: encryptingDataConverter(config.payloadKeys),
  });
  const app = await buildApp({
    temporal: { client, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue },
    tokens: config.tokens,
    codec: new AesGcmPayloadCodec(config.payloadKeys),
  });
  started.push({ app, connection });
  return app;
}

/** Starts a two-way setup named `label-…` through the API; answers its id. */
async function startSetup(api: App, label: string): Promise<string> {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  const source = { instanceId: `r-rot-src-${id}`, region: 'cn-hangzhou', password: `src-${id}-Pa55` };
  const destination = { instanceId: `r-rot-dst-${id}`, region: 'cn-hangzhou', password: `dst-${id}-Pa55` };
  for (const e of [source, destination]) {
    const res = await fetch(`${emulator.url}/__emulator/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(tairInstance(e.instanceId, e.password)),
    });
    expect(res.ok).toBe(true);
  }
  const res = await api.inject({
    method: 'POST',
    url: '/v1/syncs',
    headers: AUTH,
    payload: { name: id, topology: 'bidirectional', region: 'cn-hangzhou', source, destination },
  });
  expect(res.statusCode, res.body).toBe(202);
  const workflowId = res.json().id as string;
  names.set(workflowId, id);
  return workflowId;
}

async function phaseOf(api: App, id: string): Promise<string> {
  const res = await api.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers: AUTH });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().phase as string;
}

/** The key id the status in a run's memo was encrypted with (read raw, no codec). */
async function statusKeyId(workflowId: string): Promise<string | undefined> {
  const connection = await Connection.connect({ address });
  try {
    const raw = await connection.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId },
    });
    const status = raw.workflowExecutionInfo?.memo?.fields?.[STATUS_MEMO];
    const keyId = status?.metadata?.['encryption-key-id'];
    return keyId ? Buffer.from(keyId).toString() : undefined;
  } finally {
    await connection.close();
  }
}

/** The key ids on every encrypted payload of a workflow's raw history (no codec). */
async function keyIdsInHistory(client: Client, workflowId: string): Promise<{ first: string; all: Set<string> }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
  // \x12 is the protobuf tag of the metadata entry's value (field 2, length-delimited) right after the key.
  // eslint-disable-next-line no-control-regex
  const ids = [...bytes.matchAll(/encryption-key-id\x12(?:.)(old|new)/gs)].map((m) => m[1]!);
  return { first: ids[0] ?? '', all: new Set(ids) };
}

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  emulator = await startEmulator({
    port: 0,
    timeScale: 0.25,
    log: () => {},
    instancesFile: join(__dirname, '../../emulator/demo-instances.json'),
  });
});

afterAll(async () => {
  const reader = new Client({
    connection: await Connection.connect({ address }),
    dataConverter: encryptingDataConverter({ currentKeyId: 'old', keys: new Map() }),
  });
  await reader.workflow
    .getHandle(statusWatcherId(taskQueue))
    .terminate('test done')
    .catch(() => undefined);
  await reader.connection.close();
  await stopWorkerProcess();
  for (const { app, connection } of started) {
    await app.close();
    await connection.close();
  }
  await emulator?.close();
});

describe('rotating the payload key across a running worker and API', () => {
  it(
    'keeps every setup in flight readable and moving, and new payloads move to the new key',
    { timeout: 240_000 },
    async () => {
      const before = commonEnv({ PAYLOAD_KEYS: OLD });
      const learn = commonEnv({ PAYLOAD_KEYS: `${OLD},${NEW}`, PAYLOAD_KEY_ID: 'old' });
      const switched = commonEnv({ PAYLOAD_KEYS: `${OLD},${NEW}`, PAYLOAD_KEY_ID: 'new' });

      worker = await startWorkerProcess(before);
      const apiBefore = await startApiProcess(before);
      const first = await startSetup(apiBefore, 'first');

      // Step 1: every process learns the new key, one at a time, still encrypting with the old one.
      await rollWorker(learn);
      const second = await startSetup(apiBefore, 'second'); // the API has not restarted yet
      const apiLearned = await startApiProcess(learn);
      expect(await phaseOf(apiLearned, first)).not.toBe('synchronizing');

      // Step 2: PAYLOAD_KEY_ID switches, the worker first. The API still on step 1 reads its answers.
      await rollWorker(switched);
      expect(await phaseOf(apiLearned, first), 'the first setup is still in flight at the switch').not.toBe(
        'synchronizing',
      );
      const third = await startSetup(apiLearned, 'third');
      // Why two steps: a process that never learned the new key cannot read what the worker now encrypts.
      // Once the run's memo holds a status written with the new key, that process still answers, from what it
      // can read (search attributes, upserted in the same workflow task as the status; the request memo):
      // no per-direction story, and a phase no older than the one the full answer shows.
      await eventually(async () => ((await statusKeyId(first)) === 'new' ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: 'a status written with the new key in the memo',
      });
      const phaseBefore = await phaseOf(apiLearned, first);
      const stale = await apiBefore.inject({ method: 'GET', url: `/v1/syncs/${first}`, headers: AUTH });
      const phaseAfter = await phaseOf(apiLearned, first);
      expect(stale.statusCode, stale.body).toBe(200);
      expect(stale.json()).toMatchObject({ id: first, name: names.get(first), workflowStatus: 'RUNNING' });
      expect(stale.json().forward).toBeUndefined();
      expect([phaseBefore, phaseAfter]).toContain(stale.json().phase);
      const learned = await apiLearned.inject({ method: 'GET', url: `/v1/syncs/${first}`, headers: AUTH });
      expect(learned.json().name).toBe(names.get(first));
      expect(learned.json().forward).toBeDefined();
      const apiSwitched = await startApiProcess(switched);
      const fourth = await startSetup(apiSwitched, 'fourth');

      for (const id of [first, second, third, fourth]) {
        await eventually(async () => ((await phaseOf(apiSwitched, id)) === 'synchronizing' ? true : undefined), {
          timeoutMs: 150_000,
          intervalMs: 500,
          what: `${id} synchronizing`,
        });
        expect(await phaseOf(apiLearned, id)).toBe('synchronizing');
      }

      // The raw histories: inputs keep the key they were written with; work after the switch uses the new one.
      const reader = new Client({ connection: await Connection.connect({ address }) });
      try {
        const firstKeys = await keyIdsInHistory(reader, first);
        expect(firstKeys.first).toBe('old');
        expect([...firstKeys.all].sort()).toEqual(['new', 'old']);
        expect((await keyIdsInHistory(reader, third)).first).toBe('old');
        const fourthKeys = await keyIdsInHistory(reader, fourth);
        expect(fourthKeys.first).toBe('new');
        expect([...fourthKeys.all]).toEqual(['new']);
      } finally {
        await reader.connection.close();
      }
    },
  );
});
