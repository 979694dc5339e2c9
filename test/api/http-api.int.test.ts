import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AUTH, buildTestApp, untilViewPhase } from '../support/api';
import type { EmulatorCall, EmulatorJob } from '../support/requests';
import { eventually, startStack, tairInstance, TEST_TOKEN, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';
import type { App } from '../../api/app';

let stack: Stack;
let app: App;
beforeAll(async () => {
  stack = await startStack();
  app = await buildTestApp(stack, { tokens: [TEST_TOKEN, `ops-alice:admin:${ALICE_TOKEN}`] });
});

const ALICE_TOKEN = 'alice-token-0123456789abcdef';

/** The first argument of each update the setup accepted, decoded as the UI's codec would. */
async function updateArguments(id: string): Promise<unknown[]> {
  const history = await stack.client.workflow.getHandle(id).fetchHistory();
  const inputs = (history.events ?? [])
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads?.[0])
    .filter((p): p is Payload => Boolean(p));
  expect(JSON.stringify(history)).not.toContain(ALICE_TOKEN);
  const decoded = await stack.codec.decode(inputs);
  return decoded.map((p) => defaultPayloadConverter.fromPayload(p));
}
afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

function pairBody(topology: 'oneway' | 'bidirectional' = 'bidirectional') {
  const id = randomUUID().slice(0, 8);
  return {
    name: `api-${id}`,
    topology,
    region: 'cn-hangzhou',
    source: { instanceId: `r-api-src-${id}`, region: 'cn-hangzhou', password: `src-${id}-Pa55` },
    destination: { instanceId: `r-api-dst-${id}`, region: 'cn-hangzhou', password: `dst-${id}-Pa55` },
  };
}

async function getStatus(id: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers: AUTH });
  return { code: res.statusCode, body: res.json() };
}

describe('HTTP API', () => {
  it('needs a bearer token everywhere but the health checks', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/syncs' })).statusCode).toBe(401);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/v1/syncs',
          headers: { authorization: 'Bearer wrong-token-wrong-token' },
        })
      ).statusCode,
    ).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toEqual({ ok: true, temporal: 'reachable' });
  });

  it('refuses bad input naming every bad field, and starts and buys nothing', async () => {
    const body = pairBody();
    const bad = {
      ...body,
      topology: 'sideways',
      region: 'Hangzhou!',
      source: { ...body.source, instanceId: 'db-1' },
      databases: [{ from: 0, to: 300 }],
      surprise: true,
    };
    const res = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: bad });
    expect(res.statusCode).toBe(400);
    const fields = (res.json().fields as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(
      expect.arrayContaining(['/topology', '/region', '/source/instanceId', '/databases/0/to', '/surprise']),
    );
    expect(res.body).not.toContain(body.source.password);

    const crossField = await app.inject({
      method: 'POST',
      url: '/v1/syncs',
      headers: AUTH,
      payload: {
        ...body,
        source: { ...body.source, kind: 'express', ip: '10.0.0.1', port: 6379, instanceId: undefined },
      },
    });
    expect(crossField.statusCode).toBe(400);
    expect(crossField.json().fields.map((f: { field: string }) => f.field)).toContain('/source/kind');

    // An automatic renewal: PrePaid only, its term as RenewInstance takes it.
    const renewField = async (extra: Record<string, unknown>) => {
      const res = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: { ...body, ...extra } });
      expect(res.statusCode).toBe(400);
      return res.json().fields.map((f: { field: string }) => f.field) as string[];
    };
    const prepaid = { payType: 'PrePaid', period: 'Month', usedTime: 1 };
    expect(await renewField({ renew: { auto: true } })).toContain('/renew');
    expect(await renewField({ ...prepaid, renew: { auto: true, period: 'Year', usedTime: 6 } })).toContain(
      '/renew/usedTime',
    );
    expect(await renewField({ ...prepaid, renew: { auto: true, daysBefore: 0 } })).toContain('/renew/daysBefore');
    expect(await renewField({ ...prepaid, renew: { auto: 'yes' } })).toContain('/renew/auto');

    const calls = (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls;
    expect(calls.filter((c) => c.action === 'CreateSynchronizationJob')).toHaveLength(0);
    const list = await app.inject({ method: 'GET', url: '/v1/syncs', headers: AUTH });
    expect(
      list
        .json()
        .items.map((i: { id: string }) => i.id)
        .join(),
    ).not.toContain(body.source.instanceId);
  });

  it('starts a two-way sync, reports it to synchronizing, returns the same setup for a repeated request, and tears it down', async () => {
    const body = pairBody();
    await registerPair(stack, body);
    const started = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: body });
    expect(started.statusCode).toBe(202);
    const { id } = started.json();
    expect(id).toContain(body.source.instanceId);

    const again = await app.inject({
      method: 'POST',
      url: '/v1/syncs',
      headers: AUTH,
      payload: { ...body, source: body.destination, destination: body.source },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id, existing: true });

    const done = await untilViewPhase(app, id, 'synchronizing');
    expect(done).toMatchObject({
      topology: 'bidirectional',
      forward: { status: 'synchronizing' },
      reverse: { status: 'synchronizing' },
    });
    expect(JSON.stringify(done)).not.toContain(body.source.password);
    const jobs = (await stack.admin<{ jobs: EmulatorJob[] }>('jobs')).jobs.filter((j) => j.jobId === done.dtsJobId);
    expect(jobs).toHaveLength(1);
    const purchases = (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls.filter(
      (c) => c.action === 'CreateSynchronizationJob' && c.jobId === done.dtsJobId,
    );
    expect(purchases).toHaveLength(1);

    const listed = await app.inject({ method: 'GET', url: '/v1/syncs?pageSize=50', headers: AUTH });
    expect(listed.json().items.find((i: { id: string }) => i.id === id)).toMatchObject({
      dtsJobId: done.dtsJobId,
      topology: 'bidirectional',
    });

    // An update: the answer is what the workflow accepted, not only that a signal was sent.
    const teardown = await app.inject({
      method: 'DELETE',
      url: `/v1/syncs/${id}`,
      headers: { authorization: `Bearer ${ALICE_TOKEN}` },
    });
    expect(teardown.statusCode).toBe(200);
    // The caller's name, never the token, is in the history with the action.
    expect(await updateArguments(id)).toEqual([{ by: 'ops-alice' }]);
    expect(teardown.json()).toMatchObject({ id, dtsJobId: done.dtsJobId, workflowStatus: 'RUNNING' });
    // The run says `released` a moment before it completes: wait for both.
    const released = await eventually(
      async () => {
        const { body } = await getStatus(id);
        return body.phase === 'released' && body.workflowStatus === 'COMPLETED' ? body : undefined;
      },
      { what: 'released and completed' },
    );
    expect(released.released.outcome).toBe('released');
    expect(
      (await stack.admin<{ jobs: EmulatorJob[] }>('jobs')).jobs.find((j) => j.jobId === done.dtsJobId)?.released,
    ).toBe(true);

    // The pair may be set up again once released.
    const next = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: body });
    expect(next.statusCode).toBe(202);
    await app.inject({ method: 'POST', url: `/v1/syncs/${id}/cancel`, headers: AUTH });
  });

  it('shows a failed precheck with its repair hints and resumes on retry', async () => {
    const body = pairBody('oneway');
    await registerPair(stack, body);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/syncs',
      headers: AUTH,
      payload: { ...body, source: { ...body.source, password: 'wrong-password' } },
    });
    const { id } = res.json();
    const early = await app.inject({ method: 'POST', url: `/v1/syncs/${id}/retry`, headers: AUTH });
    expect(early.statusCode).toBe(409);
    expect(early.json().message).toMatch(/retry/i);
    const stuck = await untilViewPhase(app, id, 'needs-attention');
    expect(stuck.attention.failures[0]).toMatchObject({ item: 'CHECK_AUTH_SRC' });
    expect(JSON.stringify(stuck)).not.toContain('wrong-password');
    // The operator changes the instance password to what DTS was given, then retries.
    await stack.admin('instances', tairInstance(body.source.instanceId, 'wrong-password'));
    const retry = await app.inject({ method: 'POST', url: `/v1/syncs/${id}/retry`, headers: AUTH });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ id, phase: 'needs-attention' });
    await untilViewPhase(app, id, 'synchronizing');
    const abort = await app.inject({ method: 'POST', url: `/v1/syncs/${id}/abort`, headers: AUTH });
    expect(abort.statusCode).toBe(200);
    const ended = await untilViewPhase(app, id, 'cancelled');
    expect(ended.released.outcome).toBe('released');
  });

  it('answers 404 for an unknown setup and 400 for a malformed id', async () => {
    expect((await getStatus('redis-sync.r-nope-0000.r-nope-0001')).code).toBe(404);
    expect((await getStatus('not-a-sync')).code).toBe(400);
  });

  it('decodes payloads for the Temporal UI through /codec', async () => {
    const [encrypted] = await stack.codec.encode([
      { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"hello":"world"}') },
    ]);
    const toJson = (p: NonNullable<typeof encrypted>) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(p.data!).toString('base64'),
    });
    const unauth = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      payload: { payloads: [toJson(encrypted!)] },
    });
    expect(unauth.statusCode).toBe(401);
    const res = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { ...AUTH, origin: 'http://localhost:8233' },
      payload: { payloads: [toJson(encrypted!)] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    expect(Buffer.from(res.json().payloads[0].data, 'base64').toString()).toBe('{"hello":"world"}');

    // A workflow input decoded for the UI shows the request, never the passwords in it.
    const [input] = await stack.codec.encode([
      {
        metadata: { encoding: Buffer.from('json/plain') },
        data: Buffer.from(JSON.stringify({ request: { source: { instanceId: 'r-x', password: 'ui-Pa55' } } })),
      },
    ]);
    const shown = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: AUTH,
      payload: { payloads: [toJson(input!)] },
    });
    const text = Buffer.from(shown.json().payloads[0].data, 'base64').toString();
    expect(text).toContain('"instanceId":"r-x"');
    expect(text).not.toContain('ui-Pa55');
  });

  it('exposes Prometheus metrics: setups by phase on the API, DTS calls and phases on the worker', async () => {
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const api = await app.inject({ method: 'GET', url: '/metrics', headers: AUTH });
    expect(api.body).toMatch(/sync_setups\{phase="synchronizing"\} \d+/);
    // Alert SyncReleaseFailed and the dashboard's "Release failed" panel read this series.
    expect(api.body).toMatch(/sync_setups\{phase="release-failed"\} 0/);
    expect(api.body).toMatch(/api_requests_total\{method="POST",route="\/v1\/syncs",status="202"\} [1-9]/);
    const worker = await (await fetch(stack.workerMetricsUrl)).text();
    expect(worker).toMatch(/dts_calls\{[^}]*action="CreateSynchronizationJob"[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(worker).toMatch(/sync_phase_entered\{[^}]*phase="synchronizing"[^}]*\} [1-9]/);
    expect(worker).toMatch(/sync_time_to_synchronizing/);
  });

  it('serves its OpenAPI document and works over a real port', async () => {
    const real = await buildTestApp(stack);
    await real.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = real.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const doc = (await (await fetch(`http://127.0.0.1:${port}/docs/json`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/v1/syncs', '/v1/syncs/{id}', '/v1/syncs/{id}/retry']),
      );
      const res = await fetch(`http://127.0.0.1:${port}/v1/syncs`, { headers: AUTH });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    } finally {
      await real.close();
    }
  });
});
