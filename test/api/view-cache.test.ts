import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { OWN_WRITE_GRACE_MS, ViewCache, type ListedPage } from '../../api/view-cache';

// GET one under load: while hot, the views of the running setups come from a background listing of their memos,
// never older than the bound; idle, nothing lists; canaries, runs without the memo and own writes describe.
const MAX_AGE = 1_000;
const HOT = 10;
const FULL_EVERY = 30_000;

interface Run {
  id: string;
  phase: string;
  canary?: boolean;
  noStatus?: boolean;
  noRequest?: boolean;
  warnings?: unknown[];
  status?: number;
  /** When it closed (status other than 1). */
  closedAt?: number;
  runId?: string;
  /** A field of the status other than the phase. */
  note?: string;
}

function fakeVisibility(pageSize = 2) {
  const runs = new Map<string, Run>();
  /** Closed runs of ids that run again (continued as new): listed with the closed ones only. */
  const closedRuns: Run[] = [];
  let lists = 0;
  let shortLists = 0;
  let shortListed = 0;
  const payload = (value: unknown): Payload => defaultPayloadConverter.toPayload<unknown>(value);
  const pageOf = (all: Run[], token?: Uint8Array): ListedPage => {
    const from = token ? Number(new TextDecoder().decode(token)) : 0;
    const page = all.slice(from, from + pageSize);
    const next = from + pageSize < all.length ? new TextEncoder().encode(String(from + pageSize)) : undefined;
    return {
      executions: page.map((run) => ({
        execution: { workflowId: run.id, runId: run.runId ?? 'run-1' },
        status: run.status ?? 1,
        memo: {
          fields: {
            ...(run.noStatus
              ? {}
              : { status: payload({ id: run.id, phase: run.phase, ...(run.note ? { note: run.note } : {}) }) }),
            ...(run.noRequest
              ? {}
              : { request: payload({ name: run.id, ...(run.canary ? { canary: { intervalSeconds: 5 } } : {}) }) }),
            ...(run.warnings ? { preflightWarnings: payload(run.warnings) } : {}),
          },
        },
      })),
      nextPageToken: next,
    };
  };
  const listRunning = async (token?: Uint8Array): Promise<ListedPage> => {
    if (!token) lists += 1;
    return pageOf([...runs.values()], token);
  };
  // As the API's query: running and not synchronizing, or closed since.
  const listUnsettled = async (closedSince: Date, token?: Uint8Array): Promise<ListedPage> => {
    if (!token) shortLists += 1;
    const all = [...runs.values(), ...closedRuns].filter((r) =>
      (r.status ?? 1) === 1 ? r.phase !== 'synchronizing' : (r.closedAt ?? 0) >= closedSince.getTime(),
    );
    const page = pageOf(all, token);
    shortListed += page.executions?.length ?? 0;
    return page;
  };
  return {
    runs,
    closedRuns,
    listRunning,
    listUnsettled,
    lists: () => lists,
    shortLists: () => shortLists,
    shortListed: () => shortListed,
  };
}

function cacheOver(visibility: ReturnType<typeof fakeVisibility>, short = false) {
  return new ViewCache({
    listRunning: visibility.listRunning,
    ...(short ? { listUnsettled: visibility.listUnsettled, fullEveryMs: FULL_EVERY } : {}),
    decode: async (payload) => defaultPayloadConverter.fromPayload(payload),
    maxAgeMs: MAX_AGE,
    hotPerSecond: HOT,
    now: () => Date.now(),
  });
}

/** `n` GET-one requests spread over one second, as a caller at `n` a second sends them. */
async function traffic(cache: ViewCache, ids: string[], n: number) {
  const answers = [];
  for (let i = 0; i < n; i += 1) {
    answers.push(cache.get(ids[i % ids.length]!));
    await vi.advanceTimersByTimeAsync(1_000 / n);
  }
  return answers;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

describe('GET one view cache', () => {
  it('lists nothing while traffic is low, and answers from the memo while hot', async () => {
    const visibility = fakeVisibility();
    for (const id of ['a', 'b', 'c', 'd', 'e']) visibility.runs.set(id, { id, phase: 'synchronizing' });
    const cache = cacheOver(visibility);
    const quiet = await traffic(cache, ['a', 'b'], HOT - 2);
    expect(quiet.every((v) => v === undefined)).toBe(true);
    expect(visibility.lists()).toBe(0);
    expect(cache.hot).toBe(false);

    await traffic(cache, ['a', 'b', 'c', 'd', 'e'], HOT * 3);
    expect(cache.hot).toBe(true);
    // Every page read: the view is the memo's status, as describe() would answer it.
    expect(cache.get('e')).toEqual({ id: 'e', phase: 'synchronizing', workflowStatus: 'RUNNING' });
    // Listed every half bound while hot, whatever the number of requests.
    const before = visibility.lists();
    for (let second = 0; second < 4; second += 1) await traffic(cache, ['a'], HOT * 4);
    expect(visibility.lists() - before).toBeGreaterThanOrEqual(7);
    expect(visibility.lists() - before).toBeLessThanOrEqual(9);

    // Quiet again: the loop stops and keeps nothing.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(cache.hot).toBe(false);
    expect(cache.size).toBe(0);
    const after = visibility.lists();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(visibility.lists()).toBe(after);
  });

  it('shows a phase change within the bound, and never answers from an entry at the bound', async () => {
    const visibility = fakeVisibility();
    visibility.runs.set('a', { id: 'a', phase: 'waiting-forward' });
    const cache = cacheOver(visibility);
    await traffic(cache, ['a'], HOT * 2);
    expect(cache.get('a')?.phase).toBe('waiting-forward');
    visibility.runs.set('a', { id: 'a', phase: 'synchronizing' });
    const changedAt = Date.now();
    let seenAt: number | undefined;
    while (seenAt === undefined && Date.now() - changedAt < 3 * MAX_AGE) {
      if (cache.get('a')?.phase === 'synchronizing') seenAt = Date.now();
      await vi.advanceTimersByTimeAsync(20);
    }
    expect(seenAt! - changedAt).toBeLessThanOrEqual(MAX_AGE);

    // Listings that fail: the entries age out and GET one describes.
    visibility.runs.clear();
    const failing = new ViewCache({
      listRunning: async () => {
        throw new Error('visibility unavailable');
      },
      decode: async (payload) => defaultPayloadConverter.fromPayload(payload),
      maxAgeMs: MAX_AGE,
      hotPerSecond: HOT,
    });
    expect((await traffic(failing, ['a'], HOT * 2)).every((v) => v === undefined)).toBe(true);
    expect(failing.hot).toBe(true);
  });

  it('describes canaries, runs without the status memo, closed runs, unknown ids, and own writes', async () => {
    const visibility = fakeVisibility(3);
    visibility.runs.set('plain', { id: 'plain', phase: 'synchronizing', warnings: [{ check: 'x' }] });
    visibility.runs.set('canary', { id: 'canary', phase: 'synchronizing', canary: true });
    visibility.runs.set('old', { id: 'old', phase: 'synchronizing', noStatus: true });
    visibility.runs.set('closed', { id: 'closed', phase: 'synchronizing', status: 2 });
    visibility.runs.set('started-elsewhere', { id: 'started-elsewhere', phase: 'synchronizing', noRequest: true });
    const cache = cacheOver(visibility);
    await traffic(cache, ['plain'], HOT * 2);
    expect(cache.get('plain')).toEqual({
      id: 'plain',
      phase: 'synchronizing',
      workflowStatus: 'RUNNING',
      preflightWarnings: [{ check: 'x' }],
    });
    for (const id of ['canary', 'old', 'closed', 'started-elsewhere', 'nobody']) expect(cache.get(id)).toBeUndefined();

    // This process changed it: described until a listing asked after the change (and its grace) shows it.
    cache.forget('plain');
    const wroteAt = Date.now();
    expect(cache.get('plain')).toBeUndefined();
    while (Date.now() - wroteAt < OWN_WRITE_GRACE_MS) {
      expect(cache.get('plain')).toBeUndefined();
      await vi.advanceTimersByTimeAsync(50);
    }
    await traffic(cache, ['plain'], HOT * 2);
    expect(cache.get('plain')?.phase).toBe('synchronizing');
  });

  it('keeps at most its bound of setups, and drops the ones no longer listed', async () => {
    const visibility = fakeVisibility(50);
    for (let i = 0; i < 120; i += 1) visibility.runs.set(`s${i}`, { id: `s${i}`, phase: 'synchronizing' });
    const cache = new ViewCache({
      listRunning: visibility.listRunning,
      decode: async (payload) => defaultPayloadConverter.fromPayload(payload),
      maxAgeMs: MAX_AGE,
      hotPerSecond: HOT,
      maxEntries: 100,
    });
    await traffic(cache, ['s0'], HOT * 2);
    expect(cache.size).toBe(100);
    visibility.runs.delete('s0');
    await traffic(cache, ['s1'], HOT * 2);
    expect(cache.get('s0')).toBeUndefined();
    expect(cache.get('s1')?.phase).toBe('synchronizing');
  });

  it('between full listings lists only the setups not synchronizing, and keeps every phase within the bound', async () => {
    const visibility = fakeVisibility(50);
    for (let i = 0; i < 100; i += 1) visibility.runs.set(`s${i}`, { id: `s${i}`, phase: 'synchronizing' });
    visibility.runs.set('new', { id: 'new', phase: 'waiting-forward' });
    const cache = cacheOver(visibility, true);
    await traffic(cache, ['s0'], HOT * 2);
    expect(cache.get('s99')?.phase).toBe('synchronizing');
    expect(cache.get('new')?.phase).toBe('waiting-forward');

    // A settled fleet: each short listing lists the one setup that waits, and every entry stays served.
    const [lists, shortLists, shortListed] = [visibility.lists(), visibility.shortLists(), visibility.shortListed()];
    for (let second = 0; second < 4; second += 1) await traffic(cache, ['s0'], HOT * 4);
    expect(visibility.lists() - lists).toBe(0);
    expect(visibility.shortLists() - shortLists).toBeGreaterThanOrEqual(6);
    expect(visibility.shortListed() - shortListed).toBe(visibility.shortLists() - shortLists);
    expect(cache.get('s42')?.phase).toBe('synchronizing');

    // Each kind of change is seen within the bound, or the setup is described; never the old phase after it.
    const changes: [string, Run][] = [
      ['s1', { id: 's1', phase: 'needs-attention' }],
      ['new', { id: 'new', phase: 'synchronizing' }],
      ['s2', { id: 's2', phase: 'synchronizing', status: 3, closedAt: Date.now() }],
    ];
    for (const [id, run] of changes) visibility.runs.set(id, run);
    // The closed first run of a setup that continued as new is not its end.
    visibility.closedRuns.push({ id: 's3', phase: 'synchronizing', status: 6, closedAt: Date.now(), runId: 'first' });
    const changedAt = Date.now();
    // Right: the new phase, or nothing (described); a closed run is only ever described.
    const right = (id: string, run: Run) => {
      const view = cache.get(id);
      return view === undefined || (run.status === undefined && view.phase === run.phase);
    };
    const seen = new Map<string, number>();
    while (Date.now() - changedAt < 3 * MAX_AGE) {
      for (const [id, run] of changes) {
        if (right(id, run)) seen.set(id, seen.get(id) ?? Date.now());
        else expect(seen.has(id), `${id} answered stale after a right answer`).toBe(false);
      }
      await vi.advanceTimersByTimeAsync(20);
    }
    for (const [id] of changes) expect(seen.get(id)! - changedAt, id).toBeLessThanOrEqual(MAX_AGE);
    expect(cache.get('s1')?.phase).toBe('needs-attention');
    expect(cache.get('s3')?.phase).toBe('synchronizing');

    // The next full listing keeps the one that settled again.
    for (let second = 0; second < FULL_EVERY / 1_000; second += 1) await traffic(cache, ['s0'], HOT);
    expect(cache.get('new')?.phase).toBe('synchronizing');
    expect(cache.get('s2')).toBeUndefined();
  });

  it('never answers a memo read before its own change, though short listings leave the setup out', async () => {
    const visibility = fakeVisibility(10);
    visibility.runs.set('s', { id: 's', phase: 'synchronizing', note: 'before' });
    const cache = new ViewCache({
      listRunning: visibility.listRunning,
      listUnsettled: visibility.listUnsettled,
      decode: async (payload) => defaultPayloadConverter.fromPayload(payload),
      maxAgeMs: MAX_AGE,
      hotPerSecond: HOT,
      fullEveryMs: 5_000,
    });
    const hot = async (ms: number) => {
      for (let t = 0; t < ms; t += 20) {
        const view = cache.get('s') as { note?: string } | undefined;
        if (seenAfter && view) expect(view.note).toBe('after');
        await vi.advanceTimersByTimeAsync(20);
      }
    };
    let seenAfter = false;
    await hot(1_000);
    const full = cache.counts.full;
    while (cache.counts.full === full) await hot(20);
    // Changed by this process just before the next full listing, which still reads the memo from before: visibility
    // applies the change 0.9 s later, and the short listings after it do not list a synchronizing setup.
    await hot(4_700);
    cache.forget('s');
    seenAfter = true;
    setTimeout(() => visibility.runs.set('s', { id: 's', phase: 'synchronizing', note: 'after' }), 900);
    await hot(8_000);
    expect((cache.get('s') as { note?: string } | undefined)?.note).toBe('after');
  });
});
