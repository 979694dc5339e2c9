// The purchase activity when an earlier call's outcome is unknown and DTS ignores ClientToken: it adopts the
// instance the lost call bought, waits on one that may be another setup's, and never takes a claimed one.
// Real HTTP to the emulator through pop-core; the claim store is an in-memory stand-in with the same contract.
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DtsClient } from '../../activities/dts/client';
import { purchaseInstance, type PurchaseInput, type PurchaseResult } from '../../activities/dts/purchase';
import { dtsJobFamily } from '../../activities/dts/dts-job';
import { synchronizationJobFamily } from '../../activities/dts/synchronization-job';
import type { InstanceClaims } from '../../activities/instance-claims';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { STRICTEST_DIALECT } from '../../emulator/dialect';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';
import type { InstanceClaim } from '../../core/claims';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** Same contract as activities/instance-claims.ts: first claim wins, everyone is told the winner. */
function memoryClaims(othersBuying = 0) {
  const owners = new Map<string, InstanceClaim>();
  const records = new Map<string, number>();
  const claims = {
    async claim(claim: InstanceClaim) {
      if (!owners.has(claim.dtsJobId)) owners.set(claim.dtsJobId, claim);
      return owners.get(claim.dtsJobId)!;
    },
    async owner(dtsJobId: string) {
      return owners.get(dtsJobId);
    },
    async earlierPurchase(token: string, record: { firstScheduledMs: number }) {
      const earlier = records.get(token);
      if (earlier === undefined) records.set(token, record.firstScheduledMs);
      return earlier;
    },
    async otherPurchases() {
      return othersBuying;
    },
  };
  return { claims: claims as unknown as InstanceClaims, owners };
}

const input: PurchaseInput = {
  clientToken: 'setup-a-purchase',
  regionId: 'cn-hangzhou',
  sourceRegion: 'cn-hangzhou',
  destinationRegion: 'cn-hangzhou',
  topology: 'oneway',
  jobClass: 'small',
  payType: 'PostPaid',
};

async function setUp(dialect: string = STRICTEST_DIALECT) {
  emulator = await startEmulator({ port: 0, timeScale: 0.01, log: () => {}, dialect });
  const dts = new DtsClient({
    endpoint: emulator.url,
    apiVersion: '2020-01-01',
    accessKeyId: DEFAULT_ACCESS_KEY_ID,
    accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
    timeoutMs: 2_000,
  });
  const liveJobs = async () => {
    const { jobs } = (await (await fetch(`${emulator!.url}/__emulator/jobs`)).json()) as {
      jobs: { jobId: string; released: boolean }[];
    };
    return jobs.filter((j) => !j.released).map((j) => j.jobId);
  };
  return { dts, liveJobs };
}

/** An activity attempt of setup A, first scheduled a second ago. */
const attempt = (n: number) =>
  new MockActivityEnvironment({
    attempt: n,
    scheduledTimestampMs: Date.now() - 1_000,
    startToCloseTimeoutMs: 30_000,
    workflowExecution: { workflowId: 'setup-a', runId: 'run-1' },
  });

describe('purchase whose earlier answer was lost (ClientToken ignored)', () => {
  it('a two-way purchase adopts only an instance the list shows two-way; a one-way one may take an unknown topology', async () => {
    // The DtsJob list shows no topology for an unconfigured instance without its ReverseJob: it may be one-way, and
    // DTS refuses Reverse on a one-way instance for good (found by the chaos run on the DtsJob family).
    const { dts, liveJobs } = await setUp('unconfiguredReverse=omitted');
    const family = dtsJobFamily(dts);
    const twoWay = { ...input, topology: 'bidirectional' as const };
    const oneWayLost = (await purchaseInstance(family, input)).dtsJobId;
    const bought: PurchaseResult = await attempt(2).run(() => purchaseInstance(family, twoWay, memoryClaims().claims));
    expect(bought.dtsJobId).not.toBe(oneWayLost);
    expect((await liveJobs()).sort()).toEqual([oneWayLost, bought.dtsJobId].sort());
    const { claims } = memoryClaims();
    await claims.claim({ dtsJobId: bought.dtsJobId, setupId: 'setup-c', how: 'bought', claimedAt: '' });
    const taken: PurchaseResult = await attempt(2).run(() => purchaseInstance(family, input, claims));
    expect(taken.dtsJobId).toBe(oneWayLost);
    await emulator!.close();

    // Where the list shows an unconfigured Reverse, a two-way lost purchase is recognised and adopted.
    const listed = await setUp('unconfiguredReverse=listed');
    const lostTwoWay = (await purchaseInstance(dtsJobFamily(listed.dts), twoWay)).dtsJobId;
    const adopted: PurchaseResult = await attempt(2).run(() =>
      purchaseInstance(dtsJobFamily(listed.dts), twoWay, memoryClaims().claims),
    );
    expect(adopted.dtsJobId).toBe(lostTwoWay);
    expect(await listed.liveJobs()).toEqual([lostTwoWay]);
  });

  it('adopts the instance the lost call bought instead of buying a second one', async () => {
    const { dts, liveJobs } = await setUp();
    const { claims, owners } = memoryClaims();
    const lost = (await purchaseInstance(synchronizationJobFamily(dts), input)).dtsJobId; // the call whose answer never arrived
    const { dtsJobId }: PurchaseResult = await attempt(2).run(() =>
      purchaseInstance(synchronizationJobFamily(dts), input, claims),
    );
    expect(dtsJobId).toBe(lost);
    expect(await liveJobs()).toEqual([lost]);
    expect(owners.get(lost)).toMatchObject({ setupId: 'setup-a', how: 'adopted' });
  });

  it('a later purchase activity of the same token (a workflow-level retry) also adopts first', async () => {
    const { dts, liveJobs } = await setUp();
    const { claims } = memoryClaims();
    await claims.earlierPurchase(input.clientToken, { setupId: 'setup-a', firstScheduledMs: Date.now() - 2_000 });
    const lost = (await purchaseInstance(synchronizationJobFamily(dts), input)).dtsJobId;
    const { dtsJobId }: PurchaseResult = await attempt(1).run(() =>
      purchaseInstance(synchronizationJobFamily(dts), input, claims),
    );
    expect(dtsJobId).toBe(lost);
    expect(await liveJobs()).toEqual([lost]);
  });

  it('waits rather than adopt a young instance while another setup is buying', async () => {
    const { dts, liveJobs } = await setUp();
    const { claims } = memoryClaims(1);
    const young = (await purchaseInstance(synchronizationJobFamily(dts), input)).dtsJobId;
    const failure = await attempt(2)
      .run(() => purchaseInstance(synchronizationJobFamily(dts), input, claims))
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('PurchaseCandidateUnsettled');
    expect((failure as ApplicationFailure).nextRetryDelay).toBeDefined();
    expect(await liveJobs()).toEqual([young]); // nothing bought meanwhile
  });

  it('never takes an instance another setup claimed; buys its own', async () => {
    const { dts, liveJobs } = await setUp();
    const { claims, owners } = memoryClaims();
    const theirs = (await purchaseInstance(synchronizationJobFamily(dts), input)).dtsJobId;
    await claims.claim({ dtsJobId: theirs, setupId: 'setup-b', how: 'bought', claimedAt: '' });
    const { dtsJobId }: PurchaseResult = await attempt(2).run(() =>
      purchaseInstance(synchronizationJobFamily(dts), input, claims),
    );
    expect(dtsJobId).not.toBe(theirs);
    expect((await liveJobs()).sort()).toEqual([theirs, dtsJobId].sort());
    expect([owners.get(theirs)?.setupId, owners.get(dtsJobId)?.setupId]).toEqual(['setup-b', 'setup-a']);
  });
});
