// The DTS client (activities/dts/client.ts) with pop-core replaced at its module boundary: what goes on the wire,
// which lane of the limiter a call waits in, which keys sign it, what the observer and the caller see. The same
// client against the emulator over real HTTP is test/dts/client.test.ts.
import { ApplicationFailure } from '@temporalio/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { answeredBy, DtsClient, type DtsClientConfig } from '../../activities/dts/client';
import { dtsJobFamily } from '../../activities/dts/dts-job';
import { purchaseInstance } from '../../activities/dts/purchase';
import type { InstanceClaims } from '../../activities/instance-claims';
import { DtsFailure } from '../../activities/dts/errors';
import { RateLimiter, type Lane } from '../../activities/dts/rate-limiter';
import type { CloudCredentials } from '../../activities/credentials';

interface Built {
  options: Record<string, unknown>;
  requests: { action: string; params: Record<string, string>; options: Record<string, unknown> }[];
}

const pop = vi.hoisted(() => {
  const answer: (action: string) => Promise<unknown> = () => Promise.resolve({});
  return { built: [] as Built[], events: [] as string[], answer };
});

vi.mock('@alicloud/pop-core', () => ({
  default: class {
    private readonly record: Built;
    constructor(options: Record<string, unknown>) {
      this.record = { options, requests: [] };
      pop.built.push(this.record);
    }
    request(action: string, params: Record<string, string>, options: Record<string, unknown>) {
      this.record.requests.push({ action, params, options });
      pop.events.push(`request ${action}`);
      return pop.answer(action);
    }
  },
}));

beforeEach(() => {
  pop.built.length = 0;
  pop.events.length = 0;
  pop.answer = () => Promise.resolve({ RequestId: 'r-1' });
});

const config: DtsClientConfig = {
  endpoint: 'http://127.0.0.1:1',
  apiVersion: '2020-01-01',
  accessKeyId: 'AKID',
  accessKeySecret: 'config-secret',
  timeoutMs: 1_234,
};

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('DtsClient on the wire', () => {
  it('signs with the configured keys (the STS token only when given) and POSTs every value as a string', async () => {
    new DtsClient(config);
    new DtsClient({ ...config, securityToken: 'sts-token' });
    expect(pop.built.map((b) => b.options)).toEqual([
      {
        endpoint: 'http://127.0.0.1:1',
        apiVersion: '2020-01-01',
        accessKeyId: 'AKID',
        accessKeySecret: 'config-secret',
      },
      {
        endpoint: 'http://127.0.0.1:1',
        apiVersion: '2020-01-01',
        accessKeyId: 'AKID',
        accessKeySecret: 'config-secret',
        securityToken: 'sts-token',
      },
    ]);

    const client = new DtsClient(config);
    await client.call('StartDtsJob', { A: 'x', B: 3, C: false, D: undefined, E: '' });
    expect(pop.built[2]?.requests).toEqual([
      {
        action: 'StartDtsJob',
        params: { A: 'x', B: '3', C: 'false', E: '' },
        options: { method: 'POST', formatParams: false, timeout: 1_234 },
      },
    ]);
  });

  it('answers plain JSON: no null prototypes, big numbers as JSON writes them, a non-object as empty', async () => {
    const raw = Object.assign(Object.create(null) as object, {
      Big: { toJSON: () => '12345678901234567890' },
      Nested: Object.assign(Object.create(null) as object, { Status: 'Synchronizing' }),
    });
    pop.answer = () => Promise.resolve(raw);
    const client = new DtsClient(config);
    const body = await client.call('DescribeDtsJobs', {});
    expect(body).toEqual({ Big: '12345678901234567890', Nested: { Status: 'Synchronizing' } });
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(body.Nested)).toBe(Object.prototype);

    for (const odd of [null, undefined, [1, 2], 'text']) {
      pop.answer = () => Promise.resolve(odd);
      expect(await client.call('DescribeDtsJobs', {})).toEqual({});
    }
  });
});

describe('DtsClient answers and errors', () => {
  it('a 2xx body with Success false (boolean or text) is a typed failure; Success true is an answer', async () => {
    const seen: { action: string; outcome: string }[] = [];
    const client = new DtsClient(config, ({ action, outcome }) => seen.push({ action, outcome }));
    pop.answer = () =>
      Promise.resolve({ Success: false, ErrCode: 'Forbidden.RAM', ErrMessage: 'no', RequestId: 'r-2' });
    const refused = await failureOf(client.call('StartDtsJob', {}));
    expect(refused.type).toBe(DtsFailure.Credentials);
    expect(refused.nonRetryable).toBe(true);
    expect(refused.details).toEqual([
      { action: 'StartDtsJob', code: 'Forbidden.RAM', requestId: 'r-2', httpStatus: undefined },
    ]);

    pop.answer = () => Promise.resolve({ Success: 'false', ErrCode: 'Throttling.User' });
    expect((await failureOf(client.call('SuspendDtsJob', {}))).type).toBe(DtsFailure.Throttled);

    pop.answer = () => Promise.resolve({ Success: true, InstanceId: 'dtsi-1' });
    expect(await client.call('CreateDtsInstance', {})).toEqual({ Success: true, InstanceId: 'dtsi-1' });
    pop.answer = () => Promise.resolve({ Success: 'true' });
    expect(await client.call('CreateDtsInstance', {})).toEqual({ Success: 'true' });

    expect(seen).toEqual([
      { action: 'StartDtsJob', outcome: DtsFailure.Credentials },
      { action: 'SuspendDtsJob', outcome: DtsFailure.Throttled },
      { action: 'CreateDtsInstance', outcome: 'ok' },
      { action: 'CreateDtsInstance', outcome: 'ok' },
    ]);
  });

  it('a thrown error is classified, observed, and scrubbed of the call’s secrets and the keys', async () => {
    const seen: { action: string; outcome: string; durationMs: number }[] = [];
    const client = new DtsClient({ ...config, securityToken: 'sts-token-value' }, (c) => seen.push(c));
    pop.answer = () =>
      Promise.reject(
        Object.assign(new Error('pw-one pw-two config-secret sts-token-value'), {
          code: 'InvalidParameter',
          data: { RequestId: 'r-3' },
        }),
      );
    const failure = await failureOf(client.call('ConfigureDtsJob', {}, ['pw-one', 'pw-two']));
    expect(failure.type).toBe(DtsFailure.InvalidParameter);
    expect(failure.message).toBe('ConfigureDtsJob failed: InvalidParameter: *** *** *** ***');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ action: 'ConfigureDtsJob', outcome: DtsFailure.InvalidParameter });
    expect(seen[0]?.durationMs).toBeGreaterThanOrEqual(0);

    pop.answer = () => Promise.resolve({ Success: false, ErrCode: 'InvalidParameter', ErrMessage: 'bad pw-one' });
    expect((await failureOf(client.call('ConfigureDtsJob', {}, ['pw-one']))).message).toBe(
      'ConfigureDtsJob failed: InvalidParameter: bad ***',
    );
  });

  it('measures the call’s own duration, not the time it waited for a slot', async () => {
    const seen: number[] = [];
    const limiter = {
      take: () => new Promise<void>((r) => setTimeout(r, 200)),
      waiting: () => ({ answer: 0, read: 0, other: 0 }),
    };
    const client = new DtsClient(config, (c) => seen.push(c.durationMs), limiter as unknown as RateLimiter);
    await client.call('StartDtsJob', {});
    pop.answer = () => Promise.reject(Object.assign(new Error('x'), { code: 'Forbidden.RAM' }));
    await failureOf(client.call('StartDtsJob', {}));
    pop.answer = () => Promise.resolve({ Success: false, ErrCode: 'Forbidden.RAM' });
    await failureOf(client.call('StartDtsJob', {}));
    expect(seen).toHaveLength(3);
    for (const ms of seen) expect(ms).toBeGreaterThanOrEqual(0);
    for (const ms of seen) expect(ms).toBeLessThan(150);
  });
});

describe('DtsClient and the rate limiter', () => {
  it('status reads of both families wait in the read lane, everything else in the other lane, before the request is sent', async () => {
    const lanes: Lane[] = [];
    const limiter = {
      perSecond: 4,
      take: (lane: Lane) => {
        lanes.push(lane);
        pop.events.push(`take ${lane}`);
        return Promise.resolve();
      },
      waiting: () => ({ answer: 0, read: 2, other: 3 }),
    };
    const client = new DtsClient(config, undefined, limiter as unknown as RateLimiter);
    for (const action of [
      'DescribeSynchronizationJobStatus',
      'DescribeSynchronizationJobStatusList',
      'DescribeDtsJobs',
      'ConfigureSynchronizationJob',
      'StartDtsJob',
    ])
      await client.call(action, {});
    // DescribeDtsJobs is the DtsJob family's status read (by instance id, and the watcher's batch): a read too.
    expect(lanes).toEqual(['read', 'read', 'read', 'other', 'other']);
    expect(pop.events.slice(0, 2)).toEqual(['take read', 'request DescribeSynchronizationJobStatus']);
    expect(client.budget()).toEqual({ perSecond: 4, waiting: 5 });
    expect(new DtsClient(config).budget()).toBeUndefined();
    // A preflight's client (DtsClient.forAnswers): every call, reads and lists alike, in the answer lane.
    lanes.length = 0;
    for (const action of ['DescribeDtsJobs', 'DescribeSynchronizationJobs']) await client.forAnswers().call(action, {});
    expect(lanes).toEqual(['answer', 'answer']);
  });

  it('with a real limiter, a call is sent only once its slot comes', async () => {
    const limiter = new RateLimiter(2);
    const client = new DtsClient(config, undefined, limiter);
    const started = Date.now();
    await Promise.all([client.call('StartDtsJob', {}), client.call('StartDtsJob', {})]);
    // The second waits for its slot: a call spacing of 1/2 s (and headroom).
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });
});

describe('DtsClient with refreshed credentials', () => {
  it('signs each call with the current credentials, building a new signer only when they changed', async () => {
    let current: CloudCredentials = { accessKeyId: 'AK1', accessKeySecret: 'sec-1', securityToken: 'tok-1' };
    const client = new DtsClient(config, undefined, undefined, () => Promise.resolve({ ...current }));
    expect(pop.built).toHaveLength(0);

    await client.call('DescribeDtsJobs', {});
    await client.call('DescribeDtsJobs', {});
    expect(pop.built.map((b) => [b.options, b.requests.length])).toEqual([
      [
        {
          endpoint: 'http://127.0.0.1:1',
          apiVersion: '2020-01-01',
          accessKeyId: 'AK1',
          accessKeySecret: 'sec-1',
          securityToken: 'tok-1',
        },
        2,
      ],
    ]);

    for (const next of [
      { ...current, securityToken: 'tok-2' },
      { ...current, securityToken: 'tok-2', accessKeySecret: 'sec-2' },
      { accessKeyId: 'AK2', accessKeySecret: 'sec-2', securityToken: 'tok-2' },
    ]) {
      current = next;
      await client.call('DescribeDtsJobs', {});
      expect(pop.built.at(-1)?.options).toMatchObject(current);
      expect(pop.built.at(-1)?.requests).toHaveLength(1);
    }
    expect(pop.built).toHaveLength(4);
  });

  it('scrubs the refreshed secret and token from errors as well as the configured ones', async () => {
    const client = new DtsClient(config, undefined, undefined, () =>
      Promise.resolve({ accessKeyId: 'AK1', accessKeySecret: 'fresh-secret', securityToken: 'fresh-token' }),
    );
    pop.answer = () =>
      Promise.reject(Object.assign(new Error('fresh-secret fresh-token config-secret'), { code: 'Forbidden.RAM' }));
    const failure = await failureOf(client.call('StartDtsJob', {}));
    expect(failure.message).toBe('StartDtsJob failed: Forbidden.RAM: *** *** ***');
    expect(failure.message).not.toContain('fresh');
  });
});

describe('DtsClient: a purchase out of time', () => {
  const claims = {
    claim: (claim: { dtsJobId: string; setupId: string }) => Promise.resolve(claim),
    earlierPurchase: () => Promise.resolve(undefined),
    otherPurchases: () => Promise.resolve(0),
  } as unknown as InstanceClaims;
  const input = {
    clientToken: 'setup-a-purchase',
    regionId: 'cn-hangzhou',
    sourceRegion: 'cn-hangzhou',
    destinationRegion: 'cn-hangzhou',
    topology: 'bidirectional' as const,
    jobClass: 'small' as const,
    payType: 'PostPaid' as const,
    api: 'dtsjob' as const,
  };
  const attempt = (startToCloseTimeoutMs: number) =>
    new MockActivityEnvironment(
      { attempt: 1, startToCloseTimeoutMs, workflowExecution: { workflowId: 'setup-a', runId: 'run-1' } },
      { logger: new DefaultLogger('ERROR') },
    );

  it('is not sent when its answer could come after the attempt times out: the next attempt would buy again', async () => {
    pop.answer = () => Promise.resolve({ Success: true, DtsJobId: 'dtsj-1', InstanceId: 'dtsi-1' });
    const family = dtsJobFamily(new DtsClient(config));
    // 2 s of attempt, less the dispatch margin, cannot hold a call of 1.234 s once it has waited at all.
    const failure = await failureOf(attempt(2_000).run(() => purchaseInstance(family, input, claims)));
    expect(failure.type).toBe('DtsCallOutOfTime');
    expect(failure.nonRetryable).toBe(false);
    expect(pop.events).toEqual([]);
    // With the time a real attempt has, it buys.
    await attempt(30_000).run(() => purchaseInstance(family, input, claims));
    expect(pop.events).toEqual(['request CreateDtsInstance']);
  });

  it('a call outside any deadline is sent as before', async () => {
    await answeredBy(Date.now() + 60_000, () => new DtsClient(config).call('DescribeDtsJobs', {}));
    await new DtsClient(config).call('DescribeDtsJobs', {});
    expect(pop.events).toEqual(['request DescribeDtsJobs', 'request DescribeDtsJobs']);
    const late = await failureOf(answeredBy(Date.now(), () => new DtsClient(config).call('DescribeDtsJobs', {})));
    expect(late.type).toBe('DtsCallOutOfTime');
    expect(pop.events).toHaveLength(2);
  });
});
