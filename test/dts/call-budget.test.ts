import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallCollector, peakInWindow } from '../../bench/calls';
import { DtsClient } from '../../activities/dts/client';
import { RateLimiter } from '../../activities/dts/rate-limiter';
import { RkvstoreClient } from '../../activities/rkvstore/client';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';

// A worker spends two budgets on one emulator host: DTS's (DTS_MAX_CALLS_PER_SECOND) and R-KVStore's (its own
// product and quota: the preflight's and the verification's instance reads). The DTS figure the benchmarks
// report (the busiest sliding second, as the emulator logged arrivals) must count DTS's calls only: counted
// together, a burst of verifications put 32–35 "DTS calls" in a second at a budget of 20 while DTS's own calls
// stayed within it.
const DTS_PER_SECOND = 5;
const RKVSTORE_PER_SECOND = 20;

/** A limiter that notes when it lets each call go: the budget governs these grants. */
function grantsOf(limiter: RateLimiter): number[] {
  const grantedAtMs: number[] = [];
  const take = limiter.take.bind(limiter);
  limiter.take = async (lane) => {
    await take(lane);
    grantedAtMs.push(Date.now());
  };
  return grantedAtMs;
}

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    log: () => {},
    instancesFile: join(__dirname, '../../emulator/demo-instances.json'),
  });
});
afterAll(async () => {
  await emulator?.close();
});

describe('the DTS budget as the benchmarks count it', () => {
  it('holds in every sliding second while R-KVStore reads run beside it at their own budget', async () => {
    const credentials = async () => ({
      accessKeyId: DEFAULT_ACCESS_KEY_ID,
      accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
    });
    const config = { endpoint: emulator.url, apiVersion: '2020-01-01', timeoutMs: 5_000 };
    const dtsLimiter = new RateLimiter(DTS_PER_SECOND);
    const rkvstoreLimiter = new RateLimiter(RKVSTORE_PER_SECOND);
    const dtsGrants = grantsOf(dtsLimiter);
    const rkvstoreGrants = grantsOf(rkvstoreLimiter);
    const dts = new DtsClient(
      { ...config, accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET },
      () => {},
      dtsLimiter,
    );
    const rkvstore = new RkvstoreClient(config, credentials, rkvstoreLimiter);
    const collector = new CallCollector(emulator.url);
    // A burst from several callers in both lanes of the DTS limiter, and R-KVStore reads at the same time.
    const list = (lane: number) =>
      dts.call(lane % 2 ? 'DescribeDtsJobs' : 'DescribeSynchronizationJobs', {
        RegionId: 'cn-hangzhou',
        Region: 'cn-hangzhou',
        JobType: 'SYNC',
      });
    const address = () => rkvstore.describeAddress('r-demo-source-0001');
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => list(i)),
      ...Array.from({ length: 30 }, () => address()),
    ]);
    await collector.collect();

    const dtsTimes = collector.all().map((c) => c.atMs);
    expect(dtsTimes).toHaveLength(12);
    expect(collector.rkvstoreAtMs).toHaveLength(30);
    // Each budget held at its limiter. The grants are checked, not the arrivals: on a loaded machine the
    // emulator's event loop can stall and stamp several spaced calls together.
    expect(dtsGrants).toHaveLength(12);
    expect(peakInWindow(dtsGrants).count).toBeLessThanOrEqual(DTS_PER_SECOND);
    // R-KVStore's own budget held too, and it did run beside DTS's (so the count above had to leave it out).
    expect(peakInWindow(rkvstoreGrants).count).toBeLessThanOrEqual(RKVSTORE_PER_SECOND);
    expect(peakInWindow([...dtsTimes, ...collector.rkvstoreAtMs]).count).toBeGreaterThan(DTS_PER_SECOND);
  });

  it('puts the status reads of both families in the read lane, ahead of purchases and configures', async () => {
    const lanes: string[] = [];
    const limiter = new RateLimiter(1000);
    const take = limiter.take.bind(limiter);
    limiter.take = (lane) => {
      lanes.push(lane ?? 'other');
      return take(lane);
    };
    const dts = new DtsClient(
      {
        endpoint: emulator.url,
        apiVersion: '2020-01-01',
        accessKeyId: DEFAULT_ACCESS_KEY_ID,
        accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
        timeoutMs: 5_000,
      },
      () => {},
      limiter,
    );
    const region = { RegionId: 'cn-hangzhou', Region: 'cn-hangzhou' };
    await dts.call('DescribeDtsJobs', { ...region, JobType: 'SYNC' });
    await dts.call('DescribeSynchronizationJobStatusList', { ...region, SynchronizationJobIdListJsonStr: '[]' });
    await dts.call('DescribeSynchronizationJobs', region);
    expect(lanes).toEqual(['read', 'read', 'other']);
  });
});
