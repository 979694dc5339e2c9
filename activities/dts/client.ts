import { AsyncLocalStorage } from 'node:async_hooks';
import RPCClient from '@alicloud/pop-core';
import { ApplicationFailure } from '@temporalio/common';
import { businessFailure, classifyDtsError } from './errors';
import type { Lane, RateLimiter } from './rate-limiter';
import type { CloudCredentials, CredentialsGetter } from '../credentials';

/** Status reads of either family: what lets a waiting setup move on (see RateLimiter). */
const READ_ACTIONS = new Set([
  'DescribeSynchronizationJobStatus',
  'DescribeSynchronizationJobStatusList',
  // The DtsJob family reads statuses (one instance, or the watcher's batch) with its list, filtered by id.
  'DescribeDtsJobs',
]);

export interface DtsClientConfig {
  endpoint: string;
  apiVersion: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  timeoutMs: number;
}

export type DtsParams = Record<string, string | number | boolean | undefined>;
export type DtsResponse = Record<string, unknown>;

/**
 * The time by which a call must have its answer (epoch ms), for the calls made inside `answeredBy`. A purchase
 * whose activity attempt has run out of time must not buy: Temporal has already scheduled the next attempt, which
 * looks for what this one bought before buying, and a call sent after that look buys a second instance.
 */
const answerDeadline = new AsyncLocalStorage<number>();

/** Runs `fn` so that none of its DTS calls is sent unless its own timeout ends by `deadlineMs`. */
export function answeredBy<T>(deadlineMs: number, fn: () => Promise<T>): Promise<T> {
  return answerDeadline.run(deadlineMs, fn);
}

/** Runs `fn` free of any caller's deadline (a listing several purchases share). */
export function withoutDeadline<T>(fn: () => Promise<T>): Promise<T> {
  return answerDeadline.exit(fn);
}

/** Observes each DTS call (metrics); never sees parameters. */
export type DtsCallObserver = (call: { action: string; outcome: string; durationMs: number }) => void;

/**
 * The only module that knows pop-core: POST, exact wire names, no undefined values,
 * plain JSON out, classified and scrubbed errors.
 */
export class DtsClient {
  private rpc: RPCClient | undefined;
  private signedWith: CloudCredentials | undefined;

  constructor(
    private readonly config: DtsClientConfig,
    private readonly observe: DtsCallObserver = () => {},
    /** Every DTS call of this process passes here: the one place the call rate is capped. */
    private readonly limiter?: RateLimiter,
    /** Fetched per call (worker/credentials.ts), so refreshed STS credentials are used at once. */
    private readonly credentials?: CredentialsGetter,
    /** Every call of this client waits in this lane (a preflight's reads: 'answer'); by default, by action. */
    private readonly lane?: Lane,
  ) {
    if (!credentials)
      this.rpc = new RPCClient({
        endpoint: config.endpoint,
        apiVersion: config.apiVersion,
        accessKeyId: config.accessKeyId,
        accessKeySecret: config.accessKeySecret,
        ...(config.securityToken ? { securityToken: config.securityToken } : {}),
      });
  }

  /** The budget this process spends and the calls waiting for a slot now (the watcher adapts its pace to it). */
  budget(): { perSecond: number; waiting: number } | undefined {
    if (!this.limiter) return undefined;
    const { answer, read, other } = this.limiter.waiting();
    return { perSecond: this.limiter.perSecond, waiting: answer + read + other };
  }

  /** The same account and limiter, every call in the answer lane: reads a person waits on (a POST's preflight). */
  forAnswers(): DtsClient {
    return new DtsClient(this.config, this.observe, this.limiter, this.credentials, 'answer');
  }

  async call(action: string, params: DtsParams, secrets: string[] = []): Promise<DtsResponse> {
    const wire: Record<string, string> = {};
    for (const [key, value] of Object.entries(params)) {
      // pop-core would send undefined as the literal string "undefined".
      if (value !== undefined) wire[key] = String(value);
    }
    const rpc = await this.client();
    const allSecrets = [...secrets, this.config.accessKeySecret, this.config.securityToken ?? ''];
    if (this.signedWith) allSecrets.push(this.signedWith.accessKeySecret, this.signedWith.securityToken ?? '');
    // The call's own timeout starts once it has its slot: the wait is bounded by the limiter and
    // checked against the activity's timeout in worker/config.ts.
    const lane: Lane = this.lane ?? (READ_ACTIONS.has(action) ? 'read' : 'other');
    await this.limiter?.take(lane);
    const deadline = answerDeadline.getStore();
    if (deadline !== undefined && Date.now() + this.config.timeoutMs > deadline) {
      this.observe({ action, outcome: 'DtsCallOutOfTime', durationMs: 0 });
      throw ApplicationFailure.retryable(
        `${action} not sent: its answer could come after this attempt's time is up`,
        'DtsCallOutOfTime',
      );
    }
    const started = Date.now();
    let body: DtsResponse;
    try {
      const raw = await rpc.request<unknown>(action, wire, {
        method: 'POST',
        formatParams: false,
        timeout: this.config.timeoutMs,
      });
      body = toPlainJson(raw);
    } catch (err) {
      const failure = classifyDtsError(err, action, allSecrets);
      this.observe({ action, outcome: failure.type ?? 'error', durationMs: Date.now() - started });
      throw failure;
    }
    if (body.Success === false || body.Success === 'false') {
      const failure = businessFailure(body, action, allSecrets);
      this.observe({ action, outcome: failure.type ?? 'error', durationMs: Date.now() - started });
      throw failure;
    }
    this.observe({ action, outcome: 'ok', durationMs: Date.now() - started });
    return body;
  }

  /** pop-core signs with the keys it was built with: a new one when the credentials changed. */
  private async client(): Promise<RPCClient> {
    if (!this.credentials) return this.rpc as RPCClient;
    const c = await this.credentials();
    const same = (a?: CloudCredentials) =>
      a?.accessKeyId === c.accessKeyId &&
      a.accessKeySecret === c.accessKeySecret &&
      a.securityToken === c.securityToken;
    if (!same(this.signedWith)) {
      this.rpc = new RPCClient({ endpoint: this.config.endpoint, apiVersion: this.config.apiVersion, ...c });
      this.signedWith = c;
    }
    return this.rpc as RPCClient;
  }
}

// pop-core parses with json-bigint: null-prototype objects and BigNumber values.
function toPlainJson(value: unknown): DtsResponse {
  const plain = JSON.parse(JSON.stringify(value ?? {})) as unknown;
  return plain && typeof plain === 'object' && !Array.isArray(plain) ? (plain as DtsResponse) : {};
}
