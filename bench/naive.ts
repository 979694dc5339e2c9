// `--naive`: the same setups the way a script or Terraform drives DTS, for comparison. Each setup buys its
// instance, configures Forward, polls its own status every 5 s until Synchronizing, does the same for Reverse,
// then releases. No Temporal, no watcher, no rate limiter: every setup calls DTS on its own schedule.
import { randomUUID } from 'node:crypto';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../emulator';
import { toSetupRequest } from '../api/setup-request';
import { DtsClient } from '../activities/dts/client';
import { purchaseInstance } from '../activities/dts/purchase';
import { synchronizationJobFamily } from '../activities/dts/synchronization-job';
import { configureDirection } from '../activities/dts/configure';
import { describeDirection } from '../activities/dts/describe';
import { releaseInstance } from '../activities/dts/release';
import type { Direction } from '../core/types';
import { createBody, type Pair } from './fleet';
import { inBatches, sleep } from './fleet-ops';

export const NAIVE_POLL_MS = 5_000;

export interface NaiveSetup {
  dtsJobId?: string;
  startedAtMs: number;
  /** When this script saw each direction Synchronizing. */
  seenMs: Partial<Record<Direction, number>>;
  error?: string;
}

/** The naive run's own instances: same sizes as the product's run, other ids (no shared instance). */
export function naivePairs(pairs: Pair[]): Pair[] {
  const rename = (id: string) => id.replace('r-bench-', 'r-naive-');
  return pairs.map((p) => ({
    name: p.name.replace('bench-', 'naive-'),
    source: { ...p.source, instanceId: rename(p.source.instanceId) },
    target: { ...p.target, instanceId: rename(p.target.instanceId) },
  }));
}

export async function runNaive(emulatorUrl: string, pairs: Pair[]): Promise<NaiveSetup[]> {
  const dts = new DtsClient({
    endpoint: emulatorUrl,
    apiVersion: '2020-01-01',
    accessKeyId: DEFAULT_ACCESS_KEY_ID,
    accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
    timeoutMs: 10_000,
  });
  // Every setup starts at once, like N `terraform apply` runs.
  return inBatches(pairs, pairs.length, (pair) => oneSetup(dts, pair));
}

async function oneSetup(dts: DtsClient, pair: Pair): Promise<NaiveSetup> {
  const setup: NaiveSetup = { startedAtMs: Date.now(), seenMs: {} };
  const { request } = toSetupRequest(createBody(pair));
  if (!request) return { ...setup, error: 'bad request' };
  const regionId = request.region;
  try {
    const { dtsJobId } = await retrying(() =>
      purchaseInstance(synchronizationJobFamily(dts), {
        clientToken: randomUUID(),
        regionId,
        sourceRegion: request.source.region,
        destinationRegion: request.destination.region,
        topology: request.topology,
        jobClass: request.jobClass,
        payType: request.payType,
      }),
    );
    setup.dtsJobId = dtsJobId;
    for (const direction of ['Forward', 'Reverse'] as const) {
      const [source, destination] =
        direction === 'Forward' ? [request.source, request.destination] : [request.destination, request.source];
      await retrying(() =>
        configureDirection(dts, {
          dtsJobId,
          regionId,
          direction,
          jobName: request.name,
          source,
          destination,
          databases: request.databases,
        }),
      );
      for (;;) {
        await sleep(NAIVE_POLL_MS);
        const snapshot = await describeDirection(dts, { dtsJobId, regionId, direction }).catch(() => undefined);
        if (snapshot?.status === 'synchronizing') break;
        if (snapshot && ['precheckfailed', 'initializefailed', 'failed'].includes(snapshot.status))
          throw new Error(`${direction} ${snapshot.status}`);
      }
      setup.seenMs[direction] = Date.now();
    }
    await retrying(() => releaseInstance(dts, { dtsJobId, regionId }));
  } catch (err) {
    setup.error = (err as Error).message;
  }
  return setup;
}

/** A script's retry: a few attempts, 5 s apart. */
async function retrying<T>(call: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (i >= attempts) throw err;
      await sleep(NAIVE_POLL_MS);
    }
  }
}
