import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtsClient } from '../../activities/dts/client';
import { dtsJobFamily } from '../../activities/dts/dts-job';
import { preflightListDtsDirections, type PreflightDtsList } from '../../activities/preflight/reads';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';
import { tairInstance } from '../support/requests';

// Each POST runs a preflight whose DTS read looks for jobs touching the pair (a cascade or a loop). Listing the
// region's every job costs one call per 30 kept jobs; asking DTS for the pair's (Type srcRds / rds) costs the
// same few calls however many jobs the account keeps.
const REGION = 'cn-hangzhou';
let emulator: RunningEmulator;
let calls: string[];
let dts: DtsClient;
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    timeScale: 0.01,
    log: () => {},
    instancesFile: join(__dirname, '../../emulator/demo-instances.json'),
  });
  calls = [];
  dts = new DtsClient(
    {
      endpoint: emulator.url,
      apiVersion: '2020-01-01',
      accessKeyId: DEFAULT_ACCESS_KEY_ID,
      accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
      timeoutMs: 5_000,
    },
    (c) => calls.push(c.action),
  );
});
afterAll(async () => {
  await emulator?.close();
});

const endpoint = (instanceId: string) => ({
  kind: 'enterprise' as const,
  region: REGION,
  instanceId,
  password: `${instanceId}-Pa55`,
});

/** A one-way job from `source` to `destination`, configured (so its route is listed). */
async function keep(source: string, destination: string): Promise<void> {
  await fetch(`${emulator.url}/__emulator/instances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([source, destination].map((id) => tairInstance(id, `${id}-Pa55`))),
  });
  const family = dtsJobFamily(dts);
  const dtsJobId = await family.create({
    regionId: REGION,
    sourceRegion: REGION,
    destinationRegion: REGION,
    topology: 'oneway',
    jobClass: 'small',
    payType: 'PostPaid',
    clientToken: `keep-${source}`,
  });
  await family.configure({
    dtsJobId,
    regionId: REGION,
    direction: 'Forward',
    jobName: `kept-${source}`,
    source: endpoint(source),
    destination: endpoint(destination),
    databases: [{ from: 0, to: 0 }],
  });
}

async function keepMany(from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) await keep(`r-kept-src-${i}`, `r-kept-dst-${i}`);
}

/** The DTS calls one preflight read makes for the pair (a, b), and what it found. */
async function read(a: string, b: string, how: PreflightDtsList) {
  calls = [];
  const found = await preflightListDtsDirections(
    dtsJobFamily(dts),
    { api: 'dtsjob', regionIds: [REGION, REGION, REGION], instanceIds: [a, b], byInstance: true },
    how,
  );
  return { calls: calls.length, found };
}

describe('the preflight’s DTS read (DtsJob family)', () => {
  it('costs the same few calls with 5 or 70 kept jobs, and still sees a job writing into the pair', async () => {
    await keep('r-up-src', 'r-pair-a');
    await keepMany(0, 4);
    const few = await read('r-pair-a', 'r-pair-b', 'pair');
    const fewRegion = await read('r-pair-a', 'r-pair-b', 'region');
    await keepMany(4, 69);
    const many = await read('r-pair-a', 'r-pair-b', 'pair');
    const manyRegion = await read('r-pair-a', 'r-pair-b', 'region');

    // Two instances, each as a source and as a destination: 4 calls, with 5 jobs kept or 70.
    expect(few.calls).toBe(4);
    expect(many.calls).toBe(few.calls);
    // The whole region's list (DTS_PREFLIGHT_LIST=region) grows with the kept jobs, 30 to a page.
    expect(fewRegion.calls).toBe(1);
    expect(manyRegion.calls).toBe(3);
    // Both ways find the job that writes into the pair's source (a cascade), and only that one.
    for (const { found } of [few, many, fewRegion, manyRegion]) {
      expect(found.ok && found.value.map((d) => `${d.source} → ${d.destination}`)).toEqual(['r-up-src → r-pair-a']);
    }
  });

  it('lists the region when an end is not a cloud instance (DTS filters by instance id only)', async () => {
    calls = [];
    const found = await preflightListDtsDirections(
      dtsJobFamily(dts),
      { api: 'dtsjob', regionIds: [REGION], instanceIds: ['r-up-src', '10.0.0.9:6379'] },
      'pair',
    );
    expect(calls.length).toBe(3);
    expect(found.ok && found.value.map((d) => d.destination)).toEqual(['r-pair-a']);
  });
});
