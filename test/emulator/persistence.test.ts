import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EmulatorState } from '../../emulator/state';
import {
  admin,
  adminJob,
  configureParams,
  createJob,
  describeStatus,
  dtsClient,
  sleep,
  startTestEmulator,
  waitForStatus,
} from './helpers';

describe('state file', () => {
  it('keeps instances, jobs and ClientTokens across a restart and continues the timeline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dts-emulator-'));
    const stateFile = join(dir, 'state.json');
    // Precheck 400 ms, structure 300 ms, data 300 ms.
    const options = { stateFile, timeScale: 0.05, precheckMs: 8000, structureInitMs: 6000, dataInitMs: 6000 };

    const first = await startTestEmulator(options);
    const client = dtsClient(first);
    await admin(first, 'POST', 'instances', {
      instanceId: 'r-added-0003',
      password: 'added-Pa55',
      engineVersion: '6.0',
    });
    const jobId = await createJob(client, { ClientToken: 'wf-restart-1', Topology: 'bidirectional' });
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    expect((await describeStatus(client, jobId)).Status).toBe('Prechecking');
    await first.close();

    await sleep(500); // the emulator is down while the precheck would end
    const second = await startTestEmulator(options);
    try {
      const again = dtsClient(second);
      const resumed = await describeStatus(again, jobId);
      expect(resumed.Status).toBe('Initializing');
      await waitForStatus(again, jobId, 'Synchronizing');
      expect(await createJob(again, { ClientToken: 'wf-restart-1', Topology: 'bidirectional' })).toBe(jobId);
      const job = await adminJob(second, jobId);
      expect(job.directions.Forward.history.map((h: { status: string }) => h.status)).toEqual([
        'NotConfigured',
        'Prechecking',
        'Initializing',
        'Synchronizing',
      ]);
      const { instances } = (await admin(second, 'GET', 'instances')).body;
      expect(instances).toContainEqual(expect.objectContaining({ instanceId: 'r-added-0003', engineVersion: '6.0' }));
      expect(JSON.stringify(instances)).not.toContain('Pa55');
    } finally {
      await second.close();
    }
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).format).toBe('dts-emulator-state/1');
  });

  it('starts empty and writes nothing without a state file', async () => {
    const emulator = await startTestEmulator();
    try {
      expect((await admin(emulator, 'GET', 'jobs')).body.jobs).toEqual([]);
      expect((await admin(emulator, 'GET', 'health')).body).toEqual({ ok: true });
    } finally {
      await emulator.close();
    }
  });

  it('writes once for the changes of calls handled together, and each change is written before it is answered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dts-emulator-'));
    const state = new EmulatorState([], join(dir, 'state.json'));
    const save = vi.spyOn(state, 'save');
    await Promise.all([state.saveSoon(), state.saveSoon(), state.saveSoon()]);
    expect(save).toHaveBeenCalledTimes(1);
    await state.saveSoon();
    expect(save).toHaveBeenCalledTimes(2);
    // A write that took 20 ms: the next one begins no sooner than 60 ms after it ended.
    const slow = new EmulatorState([], join(dir, 'slow-state.json'));
    const writes: number[] = [];
    vi.spyOn(slow, 'save').mockImplementation(() => {
      const start = Date.now();
      writes.push(start);
      while (Date.now() - start < 20);
    });
    await slow.saveSoon();
    await slow.saveSoon();
    expect(writes[1]! - writes[0]!).toBeGreaterThanOrEqual(80);

    // Over HTTP: ten purchases at once, each answered only once the state file holds it.
    const stateFile = join(dir, 'http-state.json');
    const emulator = await startTestEmulator({ stateFile });
    try {
      const client = dtsClient(emulator);
      const ids = await Promise.all(
        Array.from({ length: 10 }, (_, i) => createJob(client, { ClientToken: `group-${i}` })),
      );
      const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { jobs: { jobId: string }[] };
      expect(saved.jobs.map((j) => j.jobId).sort()).toEqual([...ids].sort());
    } finally {
      await emulator.close();
    }
  });
});
