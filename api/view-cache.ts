// GET /v1/syncs/:id under load: while one API process is asked many times a second, it lists the running setups
// (paged) in the background and answers from each run's status memo, instead of one describe() per request.
// Between two listings of every running setup it lists only those not synchronizing (and the ones just ended):
// a settled fleet costs a small listing, not every memo of the fleet, every half second.
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { STATUS_MEMO, SyncPhaseKey } from '../core/search-attributes';
import { SETUPS_PAGE_SIZE, setupsQuery } from '../core/visibility';
import { decodeMemoField } from './memo-tolerance';
import { REQUEST_MEMO, type PublicRequest } from './setup-start';
import { isSetupStatus, type SetupView } from './setup-view';
import type { TemporalDeps } from './temporal';

/** The default bound on an answer's age (VIEW_CACHE_MS); 0 turns the cache off. */
export const VIEW_CACHE_MS = 1_000;
/** GET-one requests a second, in this process, that start the background listing (VIEW_CACHE_HOT_RATE). */
export const VIEW_CACHE_HOT_RATE = 20;
/**
 * How often every running setup is listed while hot (VIEW_CACHE_FULL_MS); in between, only the ones whose phase is
 * not `synchronizing`. The bound on a phase stays VIEW_CACHE_MS; the other fields of a synchronizing setup (its
 * delay, a verification's progress) are at most this old.
 */
export const VIEW_CACHE_FULL_MS = 10_000;
/** Setups kept at most: beyond it the rest are described as before (a status is a few KB). */
export const VIEW_CACHE_MAX_ENTRIES = 5_000;
/**
 * After this process changed a setup (an update, a cancel, a start) its cached view is ignored until a listing that
 * began this long after the change: visibility applies the run's memo upsert a little after the workflow task.
 */
export const OWN_WRITE_GRACE_MS = 1_000;

const PREFLIGHT_MEMO = 'preflightWarnings';
const RUNNING = 1;
/** The phase the short listing leaves out: a setup it does not list is still in it (or has ended, and is listed). */
const SETTLED: SetupView['phase'] = 'synchronizing';
/** Runs closed this long before the last full listing are listed too: visibility applies a close with some lag. */
const CLOSED_MARGIN_MS = 10_000;

type ListedExecution = NonNullable<
  Awaited<ReturnType<Client['workflowService']['listWorkflowExecutions']>>['executions']
>[number];
export interface ListedPage {
  executions?: ListedExecution[] | null;
  nextPageToken?: Uint8Array | null;
}

export interface ViewCacheOptions {
  /** One page of the running setups. */
  listRunning: (nextPageToken?: Uint8Array) => Promise<ListedPage>;
  /**
   * One page of the running setups whose phase is not `synchronizing`, and of the setups closed since `closedSince`
   * (any phase). Absent: every listing lists every running setup.
   */
  listUnsettled?: (closedSince: Date, nextPageToken?: Uint8Array) => Promise<ListedPage>;
  /** A memo field as the API's data converter reads it (codecs undone); throws when it cannot. */
  decode: (payload: Payload) => Promise<unknown>;
  maxAgeMs?: number;
  /** How often every running setup is listed while hot (VIEW_CACHE_FULL_MS). */
  fullEveryMs?: number;
  hotPerSecond?: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  /** When a listing last showed its phase (its page, or a short listing that left it out): the phase is this fresh. */
  atMs: number;
  /** When the listing of the page that carried its memo was asked: the memo's other fields are this fresh. */
  readAtMs: number;
  /** The run it was read from: a closed row of another run (continued as new, an earlier setup) is not its end. */
  runId?: string;
  /** The memo bytes it was built from: an unchanged memo is not decoded again. */
  digest: string;
  /** Undefined: this run must be described (a canary's lag is only in describe()). */
  view?: SetupView;
}

/**
 * The views of the running setups, built from their memo as `Setups.view()` builds them from describe(). Only while
 * GET one is hot (at least `hotPerSecond` requests in a second) a background loop lists them every `maxAgeMs / 2`;
 * `get()` answers from an entry younger than `maxAgeMs`, else the caller describes. Idle, nothing runs and nothing
 * is kept.
 */
export class ViewCache {
  private readonly entries = new Map<string, Entry>();
  /** Setups this process changed, with when: their views from listings asked before are not used. */
  private readonly ownWrites = new Map<string, number>();
  private readonly maxAgeMs: number;
  private readonly fullEveryMs: number;
  private readonly hotPerSecond: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private second = 0;
  private thisSecond = 0;
  private lastSecond = 0;
  private running = false;
  /** When the last complete listing of every running setup was asked; -Infinity: none yet. */
  private fullListedAtMs = -Infinity;
  /** Listings made and failed, and the setups the short ones listed, since the process started. */
  readonly counts = { full: 0, short: 0, failed: 0, shortListed: 0 };

  constructor(private readonly options: ViewCacheOptions) {
    this.maxAgeMs = options.maxAgeMs ?? VIEW_CACHE_MS;
    this.fullEveryMs = options.fullEveryMs ?? VIEW_CACHE_FULL_MS;
    this.hotPerSecond = options.hotPerSecond ?? VIEW_CACHE_HOT_RATE;
    this.maxEntries = options.maxEntries ?? VIEW_CACHE_MAX_ENTRIES;
    this.now = options.now ?? Date.now;
  }

  /** A GET one: counted toward the rate, answered when a fresh entry holds the setup's view. */
  get(id: string): SetupView | undefined {
    if (this.maxAgeMs <= 0) return undefined;
    const now = this.now();
    this.count(now);
    if (!this.running && this.rate(now) >= this.hotPerSecond) void this.loop();
    const entry = this.entries.get(id);
    if (!entry?.view || now - entry.atMs >= this.maxAgeMs) return undefined;
    const wrote = this.ownWrites.get(id);
    if (wrote !== undefined && entry.readAtMs < wrote + OWN_WRITE_GRACE_MS) return undefined;
    return entry.view;
  }

  /** This process changed the setup: its next GET describes, until a listing shows the change. */
  forget(id: string): void {
    this.entries.delete(id);
    this.ownWrites.set(id, this.now());
  }

  /** Whether the background listing runs (for tests and metrics). */
  get hot(): boolean {
    return this.running;
  }

  get size(): number {
    return this.entries.size;
  }

  /** One listing: of every running setup when due (or no short listing is possible), else the short one. */
  async refresh(): Promise<void> {
    const started = this.now();
    const { listUnsettled } = this.options;
    if (listUnsettled && started - this.fullListedAtMs < this.fullEveryMs) {
      // A short listing that fails (a store that refuses its query) makes the next listing a full one.
      await this.refreshUnsettled(listUnsettled).catch((err: unknown) => {
        this.fullListedAtMs = -Infinity;
        throw err;
      });
    } else await this.refreshAll();
    for (const [id, at] of this.ownWrites)
      if (started - at > OWN_WRITE_GRACE_MS + this.maxAgeMs) this.ownWrites.delete(id);
  }

  /** Every running setup, page by page; a setup no longer listed has ended (or is past the bound on entries). */
  private async refreshAll(): Promise<void> {
    const started = this.now();
    const listed = await this.list((token) => this.options.listRunning(token));
    for (const id of this.entries.keys()) if (!listed.has(id)) this.entries.delete(id);
    this.fullListedAtMs = started;
    this.counts.full += 1;
  }

  /**
   * The setups not synchronizing, and the ones closed since the last full listing. A kept setup not listed is still
   * synchronizing: its phase is as fresh as this listing. One that was in another phase and is not listed moved
   * on (or ended): its next GET describes, until a listing shows it again.
   */
  private async refreshUnsettled(listUnsettled: NonNullable<ViewCacheOptions['listUnsettled']>): Promise<void> {
    const started = this.now();
    // Ended since the full listing that last saw them running (with a margin for visibility's lag and the clocks).
    const closedSince = new Date(this.fullListedAtMs - CLOSED_MARGIN_MS);
    const listed = await this.list((token) => listUnsettled(closedSince, token));
    for (const [id, entry] of this.entries) {
      if (listed.has(id)) continue;
      // A memo read before this process's own change settled in visibility: not confirmed by leaving it out.
      const wrote = this.ownWrites.get(id);
      const stale = wrote !== undefined && entry.readAtMs < wrote + OWN_WRITE_GRACE_MS;
      if (entry.view?.phase === SETTLED && !stale) entry.atMs = Math.max(entry.atMs, started);
      else this.entries.delete(id);
    }
    this.counts.short += 1;
    this.counts.shortListed += listed.size;
  }

  /** Keeps what the pages list (an entry's age: when its page was asked); the ids listed, running or ended. */
  private async list(page: (token?: Uint8Array) => Promise<ListedPage>): Promise<Set<string>> {
    const listed = new Set<string>();
    let token: Uint8Array | undefined;
    do {
      const atMs = this.now();
      const { executions, nextPageToken } = await page(token);
      for (const execution of executions ?? []) {
        const id = await this.keep(execution, atMs);
        if (id) listed.add(id);
      }
      token = nextPageToken && nextPageToken.length > 0 ? nextPageToken : undefined;
    } while (token);
    return listed;
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.rate(this.now()) >= this.hotPerSecond / 2) {
        const started = this.now();
        // A failed listing leaves the entries to age out: GET one describes meanwhile.
        await this.refresh().catch(() => (this.counts.failed += 1));
        await sleep(Math.max(0, started + this.maxAgeMs / 2 - this.now()));
      }
    } finally {
      this.running = false;
      this.entries.clear();
      this.ownWrites.clear();
      this.fullListedAtMs = -Infinity;
    }
  }

  /** The setup's id when the row is its run (running, or its own end); undefined for another run's closed row. */
  private async keep(execution: ListedExecution, atMs: number): Promise<string | undefined> {
    const id = execution.execution?.workflowId;
    if (!id) return undefined;
    const runId = execution.execution?.runId ?? undefined;
    // Ended: its next GET describes (and reads its result).
    if (Number(execution.status) !== RUNNING) {
      if (this.entries.has(id) && this.entries.get(id)?.runId !== runId) return undefined;
      this.entries.delete(id);
      return id;
    }
    if (!this.entries.has(id) && this.entries.size >= this.maxEntries) return id;
    const fields = execution.memo?.fields ?? {};
    const kept = [STATUS_MEMO, REQUEST_MEMO, PREFLIGHT_MEMO].map((name): Payload | undefined => fields[name]);
    const digest = memoDigest(kept);
    const known = this.entries.get(id);
    if (known?.digest === digest && known.runId === runId) {
      known.atMs = known.readAtMs = atMs;
      return id;
    }
    this.entries.set(id, { atMs, readAtMs: atMs, runId, digest, view: await this.build(kept) });
    return id;
  }

  /** The view `Setups.view()` answers for a running setup with this memo, or undefined when it must describe. */
  private async build([status, request, warnings]: (Payload | undefined)[]): Promise<SetupView | undefined> {
    const read = async (payload: Payload | undefined) =>
      payload ? await this.options.decode(payload).catch(() => undefined) : undefined;
    const memoized = await read(status);
    // No status memo (an old run, or one this process cannot decode): describe() decides, as before.
    if (!isSetupStatus(memoized)) return undefined;
    // A canary's lag is in the heartbeat of its pending activity: only describe() reads it. A run without the
    // request the API keeps (started some other way) may have a canary this listing cannot see.
    const asked = (await read(request)) as PublicRequest | undefined;
    if (!asked || asked.canary) return undefined;
    const preflightWarnings = await read(warnings);
    if (warnings && preflightWarnings === undefined) return undefined;
    const view: SetupView & { preflightWarnings?: unknown } = { ...(memoized as SetupView), workflowStatus: 'RUNNING' };
    if (preflightWarnings) view.preflightWarnings = preflightWarnings;
    return view;
  }

  private count(now: number): void {
    const second = Math.floor(now / 1_000);
    if (second !== this.second) {
      this.lastSecond = second === this.second + 1 ? this.thisSecond : 0;
      this.thisSecond = 0;
      this.second = second;
    }
    this.thisSecond += 1;
  }

  /** GET-one requests in the last whole second, or in this one when more. */
  private rate(now: number): number {
    const second = Math.floor(now / 1_000);
    if (second === this.second) return Math.max(this.thisSecond, this.lastSecond);
    return second === this.second + 1 ? this.thisSecond : 0;
  }
}

function memoDigest(payloads: (Payload | undefined)[]): string {
  const hash = createHash('sha1');
  for (const payload of payloads) {
    hash.update(payload?.data ?? new Uint8Array());
    hash.update('\0');
  }
  return hash.digest('base64');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

const caches = new WeakMap<TemporalDeps, ViewCache>();

/** The view cache of this API process for these Temporal deps (shared by every route that reads or changes setups). */
export function viewCacheOf(temporal: TemporalDeps): ViewCache {
  let cache = caches.get(temporal);
  if (!cache) {
    // The client is touched only when the cache lists or decodes: building the routes asks nothing of Temporal.
    const client = temporal.client;
    const setups = setupsQuery(temporal.taskQueue);
    const list = (query: string, nextPageToken?: Uint8Array) =>
      client.workflowService.listWorkflowExecutions({
        namespace: temporal.namespace,
        pageSize: SETUPS_PAGE_SIZE,
        nextPageToken,
        query,
      });
    cache = new ViewCache({
      listRunning: (nextPageToken) => list(`${setups} AND ExecutionStatus = 'Running'`, nextPageToken),
      listUnsettled: (closedSince, nextPageToken) =>
        list(
          // A running execution matches a CloseTime range by itself in SQL visibility: the status is asked too.
          `${setups} AND ((ExecutionStatus = 'Running' AND ${SyncPhaseKey.name} != '${SETTLED}')` +
            ` OR (ExecutionStatus != 'Running' AND CloseTime >= '${closedSince.toISOString()}'))`,
          nextPageToken,
        ),
      decode: (payload) => decodeMemoField(client.options.loadedDataConverter, payload),
      maxAgeMs: temporal.viewCacheMs,
      hotPerSecond: temporal.viewCacheHotRate,
      fullEveryMs: temporal.viewCacheFullMs,
    });
    caches.set(temporal, cache);
  }
  return cache;
}
