import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator';
import {
  admin,
  adminJob,
  callError,
  configureParams,
  createJob,
  createParams,
  describeStatus,
  dtsClient,
  type DtsClient,
  SOURCE,
  startTestEmulator,
  waitForStatus,
} from './helpers';

describe('faults', () => {
  let emulator: RunningEmulator;
  let client: DtsClient;
  const addFault = async (fault: Record<string, unknown>) => {
    const { status, body } = await admin(emulator, 'POST', 'faults', fault);
    expect(status).toBe(200);
    return body.id as string;
  };
  const jobCount = async () => ((await admin(emulator, 'GET', 'jobs')).body.jobs as unknown[]).length;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = dtsClient(emulator);
  });
  beforeEach(async () => {
    await admin(emulator, 'POST', 'reset');
  });
  afterAll(() => emulator.close());

  it('throttles by count with Throttling.User (400)', async () => {
    await addFault({ action: 'DescribeSynchronizationJobs', kind: 'throttling', count: 2 });
    for (let i = 0; i < 2; i++) {
      const error = await callError(client, 'DescribeSynchronizationJobs');
      expect([error.code, error.entry.response.statusCode]).toEqual(['Throttling.User', 400]);
    }
    expect((await client.call('DescribeSynchronizationJobs')).Success).toBe(true);
    const { calls } = (await admin(emulator, 'GET', 'calls')).body;
    expect(calls.map((c: { outcome: string }) => c.outcome)).toEqual(['Throttling.User', 'Throttling.User', 'OK']);
  });

  it('answers ServiceUnavailable (503) and InternalError (500) without applying the change', async () => {
    await addFault({ action: 'CreateSynchronizationJob', kind: 'unavailable' });
    const unavailable = await callError(client, 'CreateSynchronizationJob', createParams());
    expect([unavailable.code, unavailable.entry.response.statusCode]).toEqual(['ServiceUnavailable', 503]);
    await addFault({ action: 'CreateSynchronizationJob', kind: 'internal-error' });
    const internal = await callError(client, 'CreateSynchronizationJob', createParams());
    expect([internal.code, internal.entry.response.statusCode]).toEqual(['InternalError', 500]);
    expect(await jobCount()).toBe(0);
  });

  it('answers a non-JSON 502 page that pop-core cannot parse', async () => {
    await addFault({ action: '*', kind: 'bad-gateway-html' });
    const error = await callError(client, 'CreateSynchronizationJob', createParams());
    expect(error.name).toBe('SyntaxError');
    expect(await jobCount()).toBe(0);
    const { calls } = (await admin(emulator, 'GET', 'calls')).body;
    expect(calls[0]).toMatchObject({ outcome: 'bad-gateway', httpStatus: 502 });
  });

  it('resets the connection before applying the change', async () => {
    await addFault({ action: 'CreateSynchronizationJob', kind: 'reset-connection' });
    const error = await callError(client, 'CreateSynchronizationJob', createParams());
    expect(error.code).toMatch(/ECONNRESET|ECONNREFUSED|EPIPE/);
    expect(await jobCount()).toBe(0);
  });

  it('delays before handling', async () => {
    await addFault({ action: 'CreateSynchronizationJob', kind: 'delay-before', delayMs: 150 });
    const started = Date.now();
    await createJob(client);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('applies the change and then answers too late (the ambiguous timeout); the ClientToken recovers it', async () => {
    await addFault({ action: 'CreateSynchronizationJob', kind: 'delay-after', delayMs: 400 });
    const impatient = dtsClient(emulator, 'POST', 100);
    const error = await callError(
      impatient,
      'CreateSynchronizationJob',
      createParams({ ClientToken: 'wf-ambiguous-1' }),
    );
    expect(error.name).toBe('RequestTimeoutError');
    const [bought] = (await admin(emulator, 'GET', 'jobs')).body.jobs;
    expect(bought.clientToken).toBe('wf-ambiguous-1');
    expect(await createJob(client, { ClientToken: 'wf-ambiguous-1' })).toBe(bought.jobId);
    expect(await jobCount()).toBe(1);
  });

  it('applies the change and then drops the connection', async () => {
    await addFault({ action: 'CreateSynchronizationJob', kind: 'drop-after' });
    const error = await callError(client, 'CreateSynchronizationJob', createParams({ ClientToken: 'wf-dropped-1' }));
    expect(error.code).toMatch(/ECONNRESET|EPIPE/);
    const [bought] = (await admin(emulator, 'GET', 'jobs')).body.jobs;
    expect(await createJob(client, { ClientToken: 'wf-dropped-1' })).toBe(bought.jobId);
    const { calls } = (await admin(emulator, 'GET', 'calls')).body;
    expect(calls[0]).toMatchObject({
      outcome: 'dropped',
      httpStatus: 0,
      jobId: bought.jobId,
      clientToken: 'wf-dropped-1',
    });
  });

  it('fires by probability and matches per job and direction', async () => {
    const a = await createJob(client, { Topology: 'bidirectional' });
    const b = await createJob(client, { Topology: 'bidirectional' });
    await addFault({
      action: 'DescribeSynchronizationJobStatus',
      jobId: a,
      direction: 'Reverse',
      kind: 'throttling',
      probability: 1,
    });
    await addFault({ action: 'DescribeSynchronizationJobs', kind: 'unavailable', probability: 0 });
    expect((await describeStatus(client, a, 'Forward')).Success).toBe(true);
    expect((await describeStatus(client, b, 'Reverse')).Success).toBe(true);
    for (let i = 0; i < 3; i++)
      expect(
        (
          await callError(client, 'DescribeSynchronizationJobStatus', {
            SynchronizationJobId: a,
            SynchronizationDirection: 'Reverse',
          })
        ).code,
      ).toBe('Throttling.User');
    expect((await client.call('DescribeSynchronizationJobs')).Success).toBe(true);
    await admin(emulator, 'DELETE', 'faults');
    expect((await describeStatus(client, a, 'Reverse')).Success).toBe(true);
  });

  it('fails the next precheck with the given items, keyed by source instance', async () => {
    const items = [{ ItemName: 'CHECK_REDIS_MEMORY', ErrorMessage: 'not enough memory', RepairMethod: 'scale up' }];
    await addFault({ kind: 'precheck-fail', instanceId: SOURCE.id, items });
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    const failed = await waitForStatus(client, jobId, 'PrecheckFailed');
    expect(failed.PrecheckStatus.Detail).toContainEqual({
      ItemName: 'CHECK_REDIS_MEMORY',
      CheckStatus: 'Failed',
      ErrorMessage: 'not enough memory',
      RepairMethod: 'scale up',
    });
    await client.call('StartSynchronizationJob', { SynchronizationJobId: jobId });
    await waitForStatus(client, jobId, 'Synchronizing');
  });

  it('fails initialization with init-fail', async () => {
    await addFault({ kind: 'init-fail', instanceId: SOURCE.id, message: 'DTS-31009: disk full' });
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    const failed = await waitForStatus(client, jobId, 'InitializeFailed');
    expect(failed.ErrorMessage).toBe('DTS-31009: disk full');
    expect([failed.StructureInitializationStatus.Status, failed.DataInitializationStatus.Status]).toContain('Failed');
    expect((await callError(client, 'StartSynchronizationJob', { SynchronizationJobId: jobId })).code).toBe(
      'OperationDenied.JobStatus',
    );
  });

  it('turns a Synchronizing direction Failed later; Start recovers it', async () => {
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    await waitForStatus(client, jobId, 'Synchronizing');
    await addFault({
      kind: 'fail-later',
      jobId,
      direction: 'Forward',
      afterMs: 50,
      message: 'DTS-070211: Connect Destination DB failed',
    });
    const failed = await waitForStatus(client, jobId, 'Failed');
    expect(failed.ErrorMessage).toBe('DTS-070211: Connect Destination DB failed');
    expect(failed.DataSynchronizationStatus.Status).toBe('Failed');

    await client.call('StartSynchronizationJob', { SynchronizationJobId: jobId });
    expect((await describeStatus(client, jobId)).Status).toBe('Initializing');
    await waitForStatus(client, jobId, 'Synchronizing');
    const history = (await adminJob(emulator, jobId)).directions.Forward.history.map(
      (h: { status: string }) => h.status,
    );
    expect(history.slice(-4)).toEqual(['Synchronizing', 'Failed', 'Initializing', 'Synchronizing']);
  });

  it('applies a fail-later registered before the job exists', async () => {
    await addFault({ kind: 'fail-later', instanceId: SOURCE.id, afterMs: 30 });
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    await waitForStatus(client, jobId, 'Failed');
  });

  it('validates fault bodies and lists the calls without secrets', async () => {
    expect((await admin(emulator, 'POST', 'faults', { kind: 'meteor' })).status).toBe(400);
    expect((await admin(emulator, 'POST', 'faults', { kind: 'throttling', probability: 2 })).status).toBe(400);
    const jobId = await createJob(client);
    await client.call('ConfigureSynchronizationJob', configureParams(jobId));
    const { calls } = (await admin(emulator, 'GET', 'calls')).body;
    const text = JSON.stringify(calls);
    expect(text).not.toContain(SOURCE.password);
    expect(text).not.toContain('Signature"');
    expect(calls[1]).toMatchObject({
      action: 'ConfigureSynchronizationJob',
      jobId,
      direction: 'Forward',
      outcome: 'OK',
      httpStatus: 200,
      method: 'POST',
    });
    expect(calls[1].params['SourceEndpoint.Password']).toBe('***');
  });
});
