import { beforeEach, describe, expect, it, vi } from 'vitest';
import { installVerification, VERIFICATION_MEMO, verifyOnceSynchronizing } from '../../workflows/setup/verify';
import { VERIFICATION_PATCH } from '../../workflows/setup/patches';
import { newSetup } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

// Data verification (workflows/setup/verify.ts): when it starts, what the verifier is asked, and what the status,
// memo and gauges show of its outcome. It never touches the sync.
describe('verification', () => {
  let t: ReturnType<typeof newSetup>;
  let finish: (value: unknown) => void;
  let fail: (err: unknown) => void;
  const result = { outcome: 'consistent', rounds: 2, keysCompared: 10, keysDiffering: 0, examples: [] };
  const validate = (options: unknown) => t.rt.validators.get('verify')!(options);
  const verify = (options: unknown) => t.rt.handlers.get('verify')!(options) as { id: string; state: string };
  const settle = async () => {
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  };
  beforeEach(() => {
    t = newSetup({ topology: 'bidirectional', databases: [{ from: 0, to: 1 }] });
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing' });
    installVerification(t.setup);
    t.rt.activities.verifySetupData = () =>
      new Promise((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
  });

  it('asks the verifier for both directions of the setup’s databases and shows it running', () => {
    const running = verify({ depth: 'length', by: 'carol' });
    expect(t.rt.callsOf('verifySetupData').map((c) => c.input)).toEqual([
      {
        setupId: 'redis-sync.test',
        source: t.setup.request.source,
        destination: t.setup.request.destination,
        databases: [{ from: 0, to: 1 }],
        bothDirections: true,
        depth: 'length',
      },
    ]);
    expect(running).toEqual({
      id: '00000000-0000-4000-8000-000000000000',
      state: 'running',
      depth: 'length',
      directions: 'both',
      trigger: 'request',
      by: 'carol',
      startedAt: new Date(t.rt.nowMs).toISOString(),
    });
    expect(t.setup.status.verification).toEqual(running);
    expect(t.rt.memos.at(-1)).toEqual({ verification: running });
    expect(VERIFICATION_MEMO).toBe('verification');
    // A pass takes as long as the data; a dead worker costs one heartbeat, not the pass; retried a few times.
    expect(t.rt.activityOptions.get('verifySetupData')).toEqual({
      taskQueue: 'tq.verify',
      startToCloseTimeout: '24h',
      heartbeatTimeout: '1m',
      retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
      summary: 'Compare the data at both ends',
    });
  });

  it('an Update without options verifies values, by nobody named', () => {
    expect(verify(undefined)).toMatchObject({ depth: 'value', trigger: 'request' });
    expect(t.setup.status.verification).not.toHaveProperty('by');
  });

  it('its outcome is shown with the counts; the memo leaves the examples out; the gauges are set', async () => {
    verify({});
    t.rt.nowMs += 5_000;
    vi.setSystemTime(t.rt.nowMs);
    finish({ ...result, outcome: 'inconsistent', keysDiffering: 3, examples: [{ key: 'k' }], reason: 'r' });
    await settle();
    const done = t.setup.status.verification!;
    expect(done).toMatchObject({
      state: 'done',
      depth: 'value',
      outcome: 'inconsistent',
      rounds: 2,
      keysCompared: 10,
      keysDiffering: 3,
      examples: [{ key: 'k' }],
      reason: 'r',
      finishedAt: new Date(t.rt.nowMs).toISOString(),
    });
    expect(done).not.toHaveProperty('by');
    expect(t.rt.memos.at(-1)![VERIFICATION_MEMO]).not.toHaveProperty('examples');
    expect(t.rt.memos.at(-1)![VERIFICATION_MEMO]).toMatchObject({ outcome: 'inconsistent', keysDiffering: 3 });
    expect(t.rt.gauges).toEqual([
      {
        name: 'sync_verification_finished_timestamp_seconds',
        value: t.rt.nowMs / 1000,
        attributes: { setup: 'redis-sync.test', outcome: 'inconsistent' },
      },
      { name: 'sync_verification_keys_differing', value: 3, attributes: { setup: 'redis-sync.test' } },
    ]);
    expect(t.rt.gaugeDeclarations.get('sync_verification_finished_timestamp_seconds')).toEqual({
      valueType: 'float',
      unit: 's',
      description: 'Unix time a data verification finished, by setup and outcome',
    });
    expect(t.rt.gaugeDeclarations.get('sync_verification_keys_differing')).toEqual({
      valueType: 'int',
      unit: '1',
      description: 'Keys that differed after the re-check rounds of the latest verification',
    });
    expect(t.setup.status.phase).toBe('synchronizing');
  });

  it('a verifier that fails makes it unverifiable with the reason; the sync is untouched', async () => {
    verify({});
    fail(new Error('source unreachable'));
    await settle();
    expect(t.setup.status.verification).toMatchObject({
      state: 'done',
      outcome: 'unverifiable',
      reason: 'source unreachable',
      rounds: 0,
      keysCompared: 0,
      keysDiffering: 0,
      examples: [],
    });
    expect(t.setup.status.phase).toBe('synchronizing');
    expect(t.rt.calls.map((c) => c.name)).toEqual(['verifySetupData']);
  });

  it('a consistent outcome carries no reason', async () => {
    verify({});
    finish(result);
    await settle();
    expect(t.setup.status.verification).not.toHaveProperty('reason');
  });

  it('is refused outside synchronizing, while one runs, and for an unknown depth, with the reason', async () => {
    expect(() => validate({ depth: 'keys' })).toThrow('depth must be one of type, length, value');
    expect(() => validate(undefined)).not.toThrow();
    expect(() => validate({ depth: 'type' })).not.toThrow();
    verify({});
    expect(() => validate({})).toThrow('verification 00000000-0000-4000-8000-000000000000 is still running');
    finish(result);
    await settle();
    expect(() => validate({})).not.toThrow();
    t.setup.updateStatus({ phase: 'needs-attention' });
    expect(() => validate({})).toThrow('a verification needs a synchronizing setup, not needs-attention');
  });

  it('once synchronizing the setup verifies once by itself, one-way as forward; never again', () => {
    t = newSetup();
    t.setup.updateStatus({ dtsJobId: 'dtsjob1', phase: 'synchronizing' });
    t.rt.activities.verifySetupData = () => new Promise(() => undefined);
    verifyOnceSynchronizing(t.setup);
    verifyOnceSynchronizing(t.setup);
    expect(t.rt.callsOf('verifySetupData')).toHaveLength(1);
    expect(t.rt.callsOf('verifySetupData')[0]!.input).toMatchObject({ bothDirections: false, depth: 'value' });
    expect(t.setup.status.verification).toMatchObject({ trigger: 'synchronizing', directions: 'forward' });
    expect(t.setup.state.verifiedOnce).toBe(true);
  });

  it('not when one was already asked for, nor in an older run', () => {
    verify({});
    verifyOnceSynchronizing(t.setup);
    expect(t.rt.callsOf('verifySetupData')).toHaveLength(1);
    t = newSetup();
    t.rt.unpatched.add(VERIFICATION_PATCH);
    verifyOnceSynchronizing(t.setup);
    expect(t.rt.calls).toEqual([]);
    expect(t.setup.state.verifiedOnce).toBeUndefined();
  });
});
