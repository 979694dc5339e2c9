import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, startStackAndApp, stopStackAndApp, untilViewPhase } from '../support/api';
import type { EmulatorCall } from '../support/requests';
import { tairInstance, type Stack } from '../support/stack';
import type { App } from '../../api/app';

// The preflight end to end: API → preflight workflow → worker's reads (R-KVStore + DTS emulator, visibility).
let stack: Stack;
let app: App;
beforeAll(async () => ({ stack, app } = await startStackAndApp()));
afterAll(() => stopStackAndApp(stack, app));

interface Item {
  check: string;
  outcome: 'pass' | 'warn' | 'fail';
  message: string;
  advice: string;
}

const uid = () => randomUUID().slice(0, 8);

/** Registers instances (overrides per side) and returns a request body for them. */
async function pair(
  topology: 'oneway' | 'bidirectional',
  src: Record<string, unknown> = {},
  dst: Record<string, unknown> = {},
) {
  const id = uid();
  const source = { instanceId: `r-pf-src-${id}`, region: 'cn-hangzhou', password: `src-${id}-Pa55` };
  const destination = { instanceId: `r-pf-dst-${id}`, region: 'cn-hangzhou', password: `dst-${id}-Pa55` };
  await stack.admin('instances', [
    tairInstance(source.instanceId, source.password, src),
    tairInstance(destination.instanceId, destination.password, { directConnection: true, ...dst }),
  ]);
  return { name: `pf-${id}`, topology, region: 'cn-hangzhou', source, destination };
}

async function preflight(body: unknown): Promise<{ ok: boolean; items: Item[] }> {
  const res = await app.inject({ method: 'POST', url: '/v1/syncs/preflight', headers: AUTH, payload: body as object });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const outcome = (items: Item[], check: string) => items.find((i) => i.check === check)?.outcome;

async function creates(): Promise<number> {
  const calls = (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls;
  return calls.filter((c) => c.action === 'CreateSynchronizationJob').length;
}

describe('preflight', () => {
  it('passes a good two-way pair, with the guide’s standing advice as warnings', async () => {
    const report = await preflight(await pair('bidirectional'));
    expect(report.ok).toBe(true);
    for (const check of [
      'source-instance',
      'destination-instance',
      'tair-edition',
      'engine-version',
      'eviction-policy',
      'direct-connection',
      'topology',
      'credentials',
      'regions',
    ]) {
      expect(outcome(report.items, check), check).toBe('pass');
    }
    const warns = report.items.filter((i) => i.outcome === 'warn').map((i) => i.check);
    expect(warns).toEqual([
      'same-key-both-ends',
      'flush-commands',
      'lua-scripts',
      'list-duplicates',
      'expiring-keys',
      'full-load',
    ]);
    expect(report.items.every((i) => i.message.length > 0)).toBe(true);
    // One-way leaves out the two-way-only advice.
    const oneway = await preflight(await pair('oneway'));
    expect(oneway.items.map((i) => i.check)).not.toContain('same-key-both-ends');
  });

  it('fails what the guide forbids and warns about what it discourages, per check', async () => {
    const missing = await pair('oneway');
    const r1 = await preflight({ ...missing, source: { ...missing.source, instanceId: 'r-pf-missing-0000' } });
    expect(r1.ok).toBe(false);
    expect(r1.items.find((i) => i.check === 'source-instance')).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('does not exist'),
    });

    const r2 = await preflight(await pair('oneway', { region: 'cn-beijing' }));
    expect(r2.items.find((i) => i.check === 'source-instance')).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('cn-beijing'),
    });

    const r3 = await preflight(await pair('oneway', {}, { status: 'Changing' }));
    expect(outcome(r3.items, 'destination-instance')).toBe('fail');

    const r4 = await preflight(await pair('oneway', { engineVersion: '4.0' }, { engineVersion: '5.0' }));
    expect(r4.items.find((i) => i.check === 'engine-version')).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('5.0 or later'),
    });
    const r5 = await preflight(await pair('oneway', { engineVersion: '6.0' }, { engineVersion: '5.0' }));
    expect(r5.items.find((i) => i.check === 'engine-version')).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('older'),
    });

    const r6 = await preflight(await pair('oneway', {}, { directConnection: false }));
    expect(r6.ok).toBe(true);
    expect(r6.items.find((i) => i.check === 'direct-connection')).toMatchObject({
      outcome: 'warn',
      message: expect.stringContaining('proxy'),
    });

    const eviction = await pair('oneway', {}, { maxmemoryPolicy: 'allkeys-lru' });
    expect(outcome((await preflight(eviction)).items, 'eviction-policy')).toBe('fail');
    expect(outcome((await preflight({ ...eviction, acceptRisks: ['eviction-policy'] })).items, 'eviction-policy')).toBe(
      'warn',
    );

    const community = await pair('oneway', { edition: 'community' });
    expect(
      outcome(
        (await preflight({ ...community, source: { ...community.source, kind: 'community' } })).items,
        'tair-edition',
      ),
    ).toBe('pass');

    const overseas = await pair('oneway', { region: 'ap-southeast-1' });
    const r7 = await preflight({ ...overseas, source: { ...overseas.source, region: 'ap-southeast-1' } });
    expect(r7.items.find((i) => i.check === 'regions')).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('CreateSynchronizationJob'),
    });
    expect(await creates()).toBe(0);
  });

  it('refuses maxmemory-policy allkeys-lru (422, nothing bought); acceptRisks starts it, warning kept', async () => {
    const body = await pair('oneway', {}, { maxmemoryPolicy: 'allkeys-lru' });
    const refused = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: body });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().message).toContain('maxmemory-policy');
    expect(refused.json().preflight.ok).toBe(false);
    expect(refused.body).not.toContain(body.destination.password);
    expect(await creates()).toBe(0);

    const accepted = await app.inject({
      method: 'POST',
      url: '/v1/syncs',
      headers: AUTH,
      payload: { ...body, acceptRisks: ['eviction-policy'] },
    });
    expect(accepted.statusCode, accepted.body).toBe(202);
    const warning = accepted.json().preflightWarnings.find((w: Item) => w.check === 'eviction-policy');
    expect(warning).toMatchObject({ outcome: 'warn', message: expect.stringContaining('allkeys-lru') });
    const synchronizing = await untilViewPhase(app, accepted.json().id, 'synchronizing', { timeoutMs: 45_000 });
    expect(synchronizing.preflightWarnings?.map((w: Item) => w.check)).toContain('eviction-policy');
    const memo = await stack.client.workflow
      .getHandle(accepted.json().id)
      .describe()
      .then((d) => d.memo);
    expect((memo?.preflightWarnings as Item[]).map((w) => w.check)).toContain('eviction-policy');
  });

  it('refuses two-way sync with a community-edition instance with 422 before any purchase', async () => {
    const body = await pair('bidirectional', {}, { edition: 'community' });
    const before = await creates();
    const res = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: body });
    expect(res.statusCode).toBe(422);
    expect(res.json().preflight.items.find((i: Item) => i.check === 'tair-edition')).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('Tair'),
    });
    expect(await creates()).toBe(before);
  });

  it('refuses a cascade and a loop, seen in our own setups and in DTS’s job list', async () => {
    const first = await pair('oneway');
    const started = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: first });
    expect(started.statusCode, started.body).toBe(202);
    const a = first.source.instanceId;
    const b = first.destination.instanceId;
    const c = `r-pf-third-${uid()}`;
    await stack.admin('instances', tairInstance(c, 'third-Pa55', { directConnection: true }));
    const chained = {
      ...first,
      name: `pf-chain-${uid()}`,
      source: first.destination,
      destination: { instanceId: c, region: 'cn-hangzhou', password: 'third-Pa55' },
    };

    await untilViewPhase(app, started.json().id, 'synchronizing', { timeoutMs: 45_000 });
    const before = await creates();
    const cascade = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: chained });
    expect(cascade.statusCode).toBe(422);
    expect(cascade.json().preflight.items.find((i: Item) => i.check === 'topology').message).toMatch(
      new RegExp(`cascade: ${a} → ${b} → ${c}`),
    );
    // Seen first in our own running setup (Temporal visibility).
    expect(JSON.stringify(cascade.json().preflight.items)).toContain(`(setup ${started.json().id})`);
    const loop = await preflight({ ...first, source: first.destination, destination: first.source });
    expect(loop.items.find((i) => i.check === 'topology')?.message).toContain('loop');

    // Without our own setup (its workflow gone), DTS's job list still shows the configured direction.
    await stack.client.workflow.getHandle(started.json().id).terminate('test: leave only the DTS job');
    const viaDts = await preflight(chained);
    expect(viaDts.items.find((i) => i.check === 'topology')).toMatchObject({
      outcome: 'fail',
      message: expect.stringMatching(/\(DTS dts\S* Forward\)/),
    });
    expect(await creates()).toBe(before);
  });

  it('answers 400 naming an unknown risk, before anything runs', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/syncs/preflight',
      headers: AUTH,
      payload: { ...(await pair('oneway')), acceptRisks: ['everything'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('/acceptRisks/0');
  });

  it('answers 503 when no worker runs the preflight, and starts nothing', async () => {
    const body = await pair('oneway');
    await stack.stopWorker();
    try {
      const before = await creates();
      const res = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: body });
      expect(res.statusCode).toBe(503);
      expect(res.json().message).toContain('preflight');
      expect(await creates()).toBe(before);
    } finally {
      await stack.startWorker();
    }
  });
});
