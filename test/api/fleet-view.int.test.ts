import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, startStackAndApp, stopStackAndApp } from '../support/api';
import { eventually, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';
import type { App } from '../../api/app';

let stack: Stack;
let app: App;
beforeAll(async () => ({ stack, app } = await startStackAndApp()));
afterAll(() => stopStackAndApp(stack, app));

const run = randomUUID().slice(0, 6);
function body(name: string, tags: string[], region = 'cn-hangzhou') {
  const id = randomUUID().slice(0, 8);
  return {
    name: `${run}-${name}`,
    topology: 'oneway',
    region,
    source: { instanceId: `r-fv-src-${id}`, region, password: `src-${id}-Pa55` },
    destination: { instanceId: `r-fv-dst-${id}`, region, password: `dst-${id}-Pa55` },
    tags,
  };
}

async function start(b: ReturnType<typeof body>) {
  await registerPair(stack, b);
  const res = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: b });
  expect(res.statusCode, res.body).toBe(202);
  return res.json<{ id: string }>().id;
}

async function list(query: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/syncs?${query}`, headers: AUTH });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{
    items: { id: string; name?: string; region?: string; tags?: string[]; phase?: string }[];
    summary?: { total: number; byPhase: Record<string, number>; byRegion: Record<string, number> };
  }>();
}

describe('fleet view: GET /v1/syncs filters and summary, POST /v1/syncs/plan', () => {
  it('filters by name prefix and tag, and counts per phase and region', async () => {
    const a = await start(body('pay-orders', ['team=pay', 'tier=gold']));
    const b = await start(body('pay-users', ['team=pay'], 'cn-shanghai'));
    const c = await start(body('ads-clicks', ['team=ads']));
    // Visibility is eventually consistent: wait until all three are listed.
    const paying = await eventually(
      async () => {
        const page = await list(`namePrefix=${run}-pay&summary=true`);
        return page.items.length === 2 ? page : undefined;
      },
      { what: 'two setups named pay-…' },
    );
    expect(paying.items.map((i) => i.id).sort()).toEqual([a, b].sort());
    expect(paying.items.find((i) => i.id === a)).toMatchObject({
      name: `${run}-pay-orders`,
      region: 'cn-hangzhou',
      tags: ['team=pay', 'tier=gold'],
    });
    expect(paying.summary?.total).toBe(2);
    expect(paying.summary?.byRegion).toEqual({ 'cn-hangzhou': 1, 'cn-shanghai': 1 });
    expect(Object.values(paying.summary?.byPhase ?? {}).reduce((x, y) => x + y, 0)).toBe(2);
    const ads = await eventually(async () => {
      const page = await list(`tag=team=ads&namePrefix=${run}`);
      return page.items.length === 1 ? page : undefined;
    });
    expect(ads.items[0]?.id).toBe(c);
    expect((await list(`tag=tier=gold&namePrefix=${run}`)).items.map((i) => i.id)).toEqual([a]);
  });

  it('refuses a filter that could break out of the query, naming it', async () => {
    const res = await app.inject({ method: 'GET', url: "/v1/syncs?tag=x'%20OR%20'1", headers: AUTH });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ fields: { field: string }[] }>().fields[0]?.field).toBe('/querystring/tag');
  });

  it('plans: create for a new pair, unchanged for the same request, change naming exactly the field', async () => {
    const b = body('plan', ['team=plan']);
    const plan = async (payload: object) => {
      const res = await app.inject({ method: 'POST', url: '/v1/syncs/plan', headers: AUTH, payload });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ id: string; action: string; fields?: { field: string; message: string }[] }>();
    };
    expect(await plan(b)).toMatchObject({ action: 'create' });
    const id = await start(b);
    expect(await plan(b)).toMatchObject({ id, action: 'unchanged' });
    const changed = await plan({ ...b, jobClass: 'medium', source: { ...b.source, password: 'another-one' } });
    expect(changed.action).toBe('change');
    expect(changed.fields?.map((f) => f.field)).toEqual(['/jobClass']);
    const retagged = await plan({ ...b, tags: ['team=other'] });
    expect(retagged.fields?.map((f) => f.field)).toEqual(['/tags']);
  });
});
