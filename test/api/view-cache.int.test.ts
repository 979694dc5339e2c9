import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app';
import type { TemporalDeps } from '../../api/temporal';
import { OWN_WRITE_GRACE_MS, viewCacheOf } from '../../api/view-cache';
import { AUTH, buildTestApp, interceptedClient, untilViewPhase } from '../support/api';
import { eventually, startStack, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';

// GET one while hot, against the real dev server: the views come from a listing of the running setups' memos (so
// the memo a running workflow upserts must reach visibility), a phase change shows within the bound, and what
// this API process changed itself shows at once.
const BOUND_MS = 1_000;
/** Visibility applies a memo upsert a little after the workflow task that made it. */
const VISIBILITY_LAG_MS = 1_000;

let stack: Stack;
let app: App;
let temporal: TemporalDeps;
/** Setups the API described. */
const described: string[] = [];

beforeAll(async () => {
  stack = await startStack({ worker: { statusWatchSettledIntervalMs: 2_000 } });
  const client = interceptedClient(stack, {
    describe: (input, next) => {
      described.push(input.workflowExecution.workflowId);
      return next(input);
    },
  });
  temporal = {
    client,
    namespace: stack.namespace,
    taskQueue: stack.taskQueue,
    dtsApi: stack.workerConfig.dtsApi,
    viewCacheMs: BOUND_MS,
    viewCacheHotRate: 5,
  };
  app = await buildTestApp(stack, { temporal });
});
afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

async function getOne(id: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers: AUTH });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** GET one at `perSecond` until stopped, as a dashboard under load would. */
function keepHot(id: string, perSecond = 20) {
  let on = true;
  const done = (async () => {
    while (on) {
      await getOne(id);
      await new Promise((resolve) => setTimeout(resolve, 1_000 / perSecond));
    }
  })();
  return async () => {
    on = false;
    await done;
  };
}

describe('GET one from the view cache', () => {
  it(
    'while hot: answers without describing, follows a phase change within the bound, reads its own writes',
    {
      timeout: 150_000,
    },
    async () => {
      const id8 = randomUUID().slice(0, 8);
      const body = {
        name: `hot-${id8}`,
        topology: 'bidirectional',
        region: 'cn-hangzhou',
        source: { instanceId: `r-hot-src-${id8}`, region: 'cn-hangzhou', password: `src-${id8}-Pa55` },
        destination: { instanceId: `r-hot-dst-${id8}`, region: 'cn-hangzhou', password: `dst-${id8}-Pa55` },
      };
      await registerPair(stack, body);
      const posted = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: body });
      expect(posted.statusCode).toBe(202);
      const { id } = posted.json();
      await untilViewPhase(app, id, 'synchronizing', { timeoutMs: 90_000 });

      // The memo the running workflow upserted reached visibility (the cache rests on it).
      await eventually(
        async () => {
          for await (const run of temporal.client.workflow.list({ query: `WorkflowId = '${id}'` }))
            if ((run.memo?.status as { phase?: string } | undefined)?.phase === 'synchronizing') return true;
          return undefined;
        },
        { what: 'the status memo of the running setup in visibility' },
      );

      const stop = keepHot(id);
      try {
        const cache = viewCacheOf(temporal);
        await eventually(async () => (cache.hot && cache.size > 0 ? true : undefined), { what: 'the cache hot' });
        // Hot: a second of 20 GETs describes nothing (the listing answers).
        await eventually(
          async () => {
            const before = described.length;
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            return described.length - before <= 2 ? true : undefined;
          },
          { what: 'GET one answered without describe()' },
        );
        // Between full listings the short ones leave a synchronizing setup out (the server's query does too).
        const [short, shortListed] = [cache.counts.short, cache.counts.shortListed];
        await eventually(async () => (cache.counts.short - short >= 2 ? true : undefined), { what: 'short listings' });
        expect(cache.counts.shortListed - shortListed).toBe(0);
        const view = await getOne(id);
        expect(view).toMatchObject({ id, phase: 'synchronizing', workflowStatus: 'RUNNING' });
        expect(view.forward).toMatchObject({ status: 'synchronizing' });

        // Read your own writes: a pause through this API shows in the next GET, not a bound later.
        const before = await getOne(id);
        const paused = await app.inject({ method: 'POST', url: `/v1/syncs/${id}/pause`, headers: AUTH, payload: {} });
        expect(paused.statusCode, paused.body).toBe(202);
        const accepted = paused.json();
        const changed = Object.keys(accepted).filter(
          (k) => k !== 'updatedAt' && JSON.stringify(accepted[k]) !== JSON.stringify(before[k]),
        );
        expect(changed.length).toBeGreaterThan(0);
        const after = await getOne(id);
        for (const key of changed) expect(after[key], key).toEqual(accepted[key]);
        await new Promise((resolve) => setTimeout(resolve, OWN_WRITE_GRACE_MS));
        await app.inject({ method: 'POST', url: `/v1/syncs/${id}/resume`, headers: AUTH, payload: {} });
        await untilViewPhase(app, id, 'synchronizing', { timeoutMs: 60_000 });

        // A job failed in DTS: the setup writes it to its memo; GET one shows it within the bound (and visibility's lag).
        await stack.admin('faults', {
          action: '*',
          instanceId: body.source.instanceId,
          direction: 'Forward',
          kind: 'fail-later',
          afterMs: 0,
          count: 1,
        });
        const handle = stack.client.workflow.getHandle(id);
        let writtenAt: number | undefined;
        let shownAt: number | undefined;
        await eventually(
          async () => {
            const memo = (await handle.describe()).memo?.status as { forward?: { status?: string } } | undefined;
            if (writtenAt === undefined && memo?.forward?.status === 'failed') writtenAt = Date.now();
            if (shownAt === undefined && (await getOne(id)).forward?.status === 'failed') shownAt = Date.now();
            return writtenAt !== undefined && shownAt !== undefined ? true : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 20, what: 'the Failed Forward in the memo and in GET one' },
        );
        expect(shownAt! - writtenAt!).toBeLessThanOrEqual(BOUND_MS + VISIBILITY_LAG_MS);
        // Between listings of every setup, the short ones (the setups not synchronizing): the server takes the query.
        expect(cache.counts.short).toBeGreaterThan(0);
        expect(cache.counts.failed).toBe(0);
      } finally {
        await stop();
      }

      // An id that is no setup is still a 404 while hot.
      const none = await app.inject({ method: 'GET', url: `/v1/syncs/redis-sync.none-${id8}`, headers: AUTH });
      expect(none.statusCode).toBe(404);
    },
  );
});
