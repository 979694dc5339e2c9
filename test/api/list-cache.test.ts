import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { cachedListSetups, LIST_CACHE_MS } from '../../api/setup-list';
import type { TemporalDeps } from '../../api/temporal';

// GET /v1/syncs under a hundred requests a second: one visibility list per distinct request and LIST_CACHE_MS,
// so an answer is never older than the last phase change by more than that bound.
function fakeTemporal() {
  const queries: string[] = [];
  const client = {
    workflowService: {
      listWorkflowExecutions: async ({ query }: { query: string }) => {
        queries.push(query);
        return { executions: [], nextPageToken: new Uint8Array() };
      },
    },
  } as unknown as Client;
  const temporal: TemporalDeps = { client, namespace: 'default', taskQueue: 'q' };
  return { temporal, queries };
}

function execution(workflowId: string) {
  return { execution: { workflowId }, status: 1 };
}

describe('GET /v1/syncs answer cache', () => {
  it('answers the same request from one list within the bound, and lists again after it', async () => {
    const { temporal, queries } = fakeTemporal();
    const t0 = 1_000_000;
    const phase = { phase: 'synchronizing' as const };
    await Promise.all(Array.from({ length: 50 }, () => cachedListSetups(temporal, phase, t0)));
    await cachedListSetups(temporal, phase, t0 + LIST_CACHE_MS / 2 - 1);
    expect(queries).toHaveLength(1);
    // Another request (another phase, another page size) is its own list.
    await cachedListSetups(temporal, { phase: 'waiting-forward' }, t0 + 10);
    await cachedListSetups(temporal, { ...phase, pageSize: '50' }, t0 + 10);
    expect(queries).toHaveLength(3);
    // At the bound the answer is too old: asked again.
    await cachedListSetups(temporal, phase, t0 + LIST_CACHE_MS);
    expect(queries).toHaveLength(4);
    expect(LIST_CACHE_MS).toBeLessThanOrEqual(1_000);
  });

  it('renews an answer in the background once half its bound has passed, so no caller waits for a list', async () => {
    const { temporal, queries } = fakeTemporal();
    const service = temporal.client.workflowService as unknown as { listWorkflowExecutions: unknown };
    const pending: (() => void)[] = [];
    let answers = 0;
    service.listWorkflowExecutions = ({ query }: { query: string }) => {
      queries.push(query);
      const n = ++answers;
      return new Promise((resolve) =>
        pending.push(() => resolve({ executions: [execution(`s-${n}`)], nextPageToken: new Uint8Array() })),
      );
    };
    const t0 = 2_000_000;
    const first = cachedListSetups(temporal, {}, t0);
    pending.shift()!();
    expect((await first).items.map((i) => i.id)).toEqual(['s-1']);
    // Half the bound gone: answered at once from the first list, a second list starts behind it (only one).
    const stale = await cachedListSetups(temporal, {}, t0 + LIST_CACHE_MS / 2);
    expect(stale.items.map((i) => i.id)).toEqual(['s-1']);
    await cachedListSetups(temporal, {}, t0 + LIST_CACHE_MS / 2 + 10);
    expect(queries).toHaveLength(2);
    pending.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    // The renewed answer serves, counted from when its list was asked: never older than the bound.
    const renewed = await cachedListSetups(temporal, {}, t0 + LIST_CACHE_MS - 1);
    expect(renewed.items.map((i) => i.id)).toEqual(['s-2']);
    // Nothing asked for a whole bound: the next caller waits for a new list.
    const later = cachedListSetups(temporal, {}, t0 + LIST_CACHE_MS / 2 + LIST_CACHE_MS);
    expect(queries).toHaveLength(3);
    pending.shift()!();
    expect((await later).items.map((i) => i.id)).toEqual(['s-3']);
  });

  it('keeps no failed list: the next request asks again', async () => {
    const { temporal, queries } = fakeTemporal();
    let fail = true;
    const service = temporal.client.workflowService as unknown as { listWorkflowExecutions: unknown };
    const ok = service.listWorkflowExecutions as (r: { query: string }) => Promise<unknown>;
    service.listWorkflowExecutions = async (r: { query: string }) => {
      if (fail) {
        fail = false;
        queries.push(r.query);
        throw new Error('visibility unavailable');
      }
      return ok(r);
    };
    await expect(cachedListSetups(temporal, {}, 5)).rejects.toThrow('visibility unavailable');
    await cachedListSetups(temporal, {}, 6);
    expect(queries).toHaveLength(2);
  });
});
