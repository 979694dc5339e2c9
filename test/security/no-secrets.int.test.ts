import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { Runtime } from '@temporalio/worker';
import { AUTH, buildTestApp } from '../support/api';
import { toSetupRequest } from '../../api/setup-request';
import { setupWorkflowId } from '../../core/ids';
import { redisSync } from '../../workflows/redis-sync';
import { rawExecutionRecords, type RawRecord } from '../support/history-scan';
import {
  describeHits,
  findSecrets,
  TEST_PAYLOAD_KEY_BYTES,
  TEST_SECRETS,
  TEST_TOKEN_VALUE,
  type Secret,
} from '../support/secret-scan';
import { eventually, startStack, tairInstance, TEST_PAYLOAD_KEYS, TEST_TOKEN, type Stack } from '../support/stack';
import type { App } from '../../api/app';

// One setup through the API that fails its precheck on a wrong password, one that fails at once
// on a permanent DTS error; then every trace the run leaves is searched for the passwords.
const tag = randomUUID().slice(0, 8);
const REAL = { source: `nosecret-src-${tag}-Pa55`, destination: `nosecret-dst-${tag}-Pa55` };
const WRONG = `nosecret-wrong-${tag}-Pa55`;
const OTHER = `nosecret-other-${tag}-Pa55`;
const SECRETS: Secret[] = [
  ...TEST_SECRETS,
  { label: 'source-password', value: REAL.source },
  { label: 'destination-password', value: REAL.destination },
  { label: 'wrong-password', value: WRONG },
  { label: 'other-password', value: OTHER },
];

const apiLog: string[] = [];
const stdio: string[] = [];
const emulatorLog: string[] = [];
const responses: string[] = [];
const restore: (() => void)[] = [];
let stack: Stack;
let app: App;

beforeAll(async () => {
  captureStdio();
  stack = await startStack({ emulator: { log: (line) => emulatorLog.push(line) } });
  lowerWorkerLogLevel(); // the stack installs the Runtime
  const stream = new Writable({ write: (chunk, _enc, done) => (apiLog.push(String(chunk)), done()) });
  app = await buildTestApp(stack, { logger: { level: 'trace', stream } });
});
afterAll(async () => {
  await app?.close();
  await stack?.stop();
  for (const undo of restore.reverse()) undo();
});

async function call(options: InjectOptions) {
  const res = await app.inject(options);
  responses.push(
    `${options.method} ${JSON.stringify(options.url)} ${res.statusCode} ${JSON.stringify(res.headers)} ${res.body}`,
  );
  return res;
}

async function untilStatus(id: string, done: (s: { phase: string; workflowStatus?: string }) => boolean, what: string) {
  return eventually(
    async () => {
      const body = (await call({ method: 'GET', url: `/v1/syncs/${id}`, headers: AUTH })).json();
      return done(body) ? body : undefined;
    },
    { what, timeoutMs: 45_000 },
  );
}

function endpoint(instanceId: string, password: string, region = 'cn-hangzhou') {
  return { instanceId, region, password };
}

async function registerInstance(instanceId: string, password: string, region = 'cn-hangzhou') {
  await stack.admin('instances', tairInstance(instanceId, password, { region }));
}

describe('secrets stay secret', () => {
  const started: string[] = [];

  it('keeps the scanner honest: it finds secrets in text and bytes, and its list matches the stack', () => {
    expect(findSecrets(`{"password":"${REAL.source}"}`, SECRETS).map((h) => h.label)).toEqual(
      expect.arrayContaining(['redis-password(-Pa55)', 'source-password']),
    );
    const hit = findSecrets(Buffer.concat([Buffer.from([0, 1]), Buffer.from(TEST_TOKEN)]), SECRETS)[0];
    expect(hit).toMatchObject({ label: 'api-bearer-token', offset: 2 });
    expect(hit?.context).not.toContain(TEST_TOKEN);
    expect(findSecrets('nothing to see', SECRETS)).toEqual([]);
    expect(TEST_TOKEN_VALUE).toBe(TEST_TOKEN);
    expect(TEST_PAYLOAD_KEYS.keys.get(TEST_PAYLOAD_KEYS.currentKeyId)?.equals(TEST_PAYLOAD_KEY_BYTES)).toBe(true);
  });

  it('refuses bad input without echoing the password, and refuses a missing token', async () => {
    const bad = await call({
      method: 'POST',
      url: '/v1/syncs',
      headers: AUTH,
      payload: {
        name: 'x',
        topology: 'oneway',
        region: 'cn-hangzhou',
        source: endpoint('r-nosecret-src', REAL.source),
        destination: { ...endpoint('bad id', REAL.destination), extra: REAL.destination },
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('Pa55');
    expect((await call({ method: 'POST', url: '/v1/syncs', payload: { password: REAL.source } })).statusCode).toBe(401);
  });

  it('runs a wrong-password precheck failure to needs-attention, then aborts it', async () => {
    const source = `r-nosecret-src-${tag}`;
    const destination = `r-nosecret-dst-${tag}`;
    await registerInstance(source, REAL.source);
    await registerInstance(destination, REAL.destination);
    const res = await call({
      method: 'POST',
      url: '/v1/syncs',
      headers: AUTH,
      payload: {
        name: `nosecret-${tag}`,
        topology: 'oneway',
        region: 'cn-hangzhou',
        source: endpoint(source, WRONG),
        destination: endpoint(destination, REAL.destination),
      },
    });
    expect(res.statusCode).toBe(202);
    const { id } = res.json<{ id: string }>();
    started.push(id);
    const stuck = await untilStatus(id, (s) => s.phase === 'needs-attention', 'needs-attention');
    expect(JSON.stringify(stuck)).toContain('CHECK_AUTH_SRC');
    await call({ method: 'GET', url: '/v1/syncs?pageSize=100', headers: AUTH });
    // An update now: 200 with the status the workflow accepted the abort in.
    expect((await call({ method: 'POST', url: `/v1/syncs/${id}/abort`, headers: AUTH })).statusCode).toBe(200);
    await untilStatus(
      id,
      (s) => s.workflowStatus !== undefined && s.workflowStatus !== 'RUNNING',
      'the aborted setup to end',
    );
  });

  it('fails at once on a permanent DTS error (regions DTS refuses) and says why', async () => {
    // Outside mainland China DTS refuses a destination region other than the source's: InvalidDestRegion.
    const body = {
      name: `nosecret-perm-${tag}`,
      topology: 'oneway' as const,
      region: 'ap-southeast-5',
      source: endpoint(`r-nosecret-ps-${tag}`, OTHER, 'ap-southeast-1'),
      destination: endpoint(`r-nosecret-pd-${tag}`, REAL.destination, 'ap-southeast-5'),
    };
    // The API's preflight refuses it before buying (422, no password echoed) ...
    const res = await call({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: body });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('regions');
    // ... so the permanent DTS error is reached by starting the workflow directly, as a client without the API would.
    const { request } = toSetupRequest(body);
    const id = setupWorkflowId(request!);
    await stack.client.workflow.start(redisSync, {
      workflowId: id,
      taskQueue: stack.taskQueue,
      args: [{ request: request! }],
    });
    started.push(id);
    const failed = await untilStatus(
      id,
      (s) => s.phase === 'failed' && s.workflowStatus === 'FAILED',
      'the permanent failure',
    );
    expect(JSON.stringify(failed)).toMatch(/DestRegion/);
  });

  it('leaves no password in API logs, responses, worker output, the emulator call log or the raw histories', async () => {
    expect(started).toHaveLength(2);
    const calls = JSON.stringify(await stack.admin('calls'));
    const jobs = JSON.stringify(await stack.admin('jobs'));
    // Configure really carried the passwords to DTS (masked in the log): the log is looking at the right calls.
    expect(calls).toContain('ConfigureSynchronizationJob');
    const history: RawRecord[] = [];
    for (const id of started)
      history.push(...(await rawExecutionRecords(stack.client.connection, stack.namespace, { workflowId: id })));
    const places: [string, string | Uint8Array][] = [
      ['API log', apiLog.join('')],
      ['stdout/stderr (worker, runtime, console)', stdio.join('')],
      ['API responses', responses.join('\n')],
      ['emulator call log', calls],
      ['emulator jobs', jobs],
      ['emulator log lines', emulatorLog.join('\n')],
      ...history.map((r) => [r.where, r.bytes] as [string, Uint8Array]),
    ];
    const hits = places.flatMap(([where, data]) => describeHits(where, findSecrets(data, SECRETS)));
    expect(hits).toEqual([]);
    expect(apiLog.join('')).toContain('sync started'); // the log really was captured
    expect(responses.length).toBeGreaterThan(5);
  });

  it('would have found the password: the raw workflow input holds it, encrypted, and decrypting reveals it', async () => {
    const [id] = started;
    const records = await rawExecutionRecords(stack.client.connection, stack.namespace, { workflowId: id! });
    const first = (
      await stack.client.connection.workflowService.getWorkflowExecutionHistory({
        namespace: stack.namespace,
        execution: { workflowId: id! },
      })
    ).history!.events![0]!;
    const input = first.workflowExecutionStartedEventAttributes!.input!.payloads!;
    expect(records[0]!.where).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(Buffer.from(input[0]!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(findSecrets(records[0]!.bytes, SECRETS)).toEqual([]);
    // The same bytes through the codec (what the Temporal UI does with the codec endpoint).
    const decoded = await stack.codec.decode(input);
    const clear = Buffer.concat(decoded.map((p) => Buffer.from(p.data ?? [])));
    expect(findSecrets(clear, SECRETS).map((h) => h.label)).toEqual(
      expect.arrayContaining(['wrong-password', 'destination-password']),
    );
  });
});

/** Copies everything written to stdout/stderr (worker and runtime logs, console) while passing it on. */
function captureStdio() {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      stdio.push(text);
      // The lowered worker log level is for the scan, not for the test output.
      if (/^\S+ \[(TRACE|DEBUG|INFO)\]/.test(text)) return true;
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    };
    restore.push(() => (stream.write = original));
  }
}

/**
 * stack.ts installs the Runtime logger at WARN; this file sees everything down to DEBUG
 * (activity and workflow log lines carry failure messages). Best effort: DefaultLogger keeps
 * its threshold in `severity`.
 */
function lowerWorkerLogLevel() {
  const logger = Runtime.instance().logger as unknown as { level?: string; severity?: number };
  if (typeof logger.severity === 'number') {
    const [level, severity] = [logger.level, logger.severity];
    logger.level = 'DEBUG';
    logger.severity = 1; // TRACE, DEBUG, INFO, WARN, ERROR
    restore.push(() => Object.assign(logger, { level, severity }));
  }
}
