import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PURCHASE_OUTCOME_KEPT_PATCH } from '../../workflows/setup/patches';
import { purchase, purchaseOutcomeUnknown } from '../../workflows/setup/purchase';
import { StopRequested } from '../../workflows/setup/setup';
import { answers, credentials, lost, newSetup, refused, reset, unavailable } from './helpers';

vi.mock('@temporalio/workflow', async () => (await import('../support/fake-workflow')).fakeWorkflowModule());

// The purchase step on its own (workflows/setup/purchase.ts): one instance per setup, never dropped.
describe('purchase', () => {
  let t: ReturnType<typeof newSetup>;
  beforeEach(() => {
    t = newSetup({ payType: 'PrePaid', period: 'Month', usedTime: 2, jobClass: 'medium' });
  });
  const buys = () => t.rt.callsOf('purchaseInstance');
  const tokens = () => buys().map((c) => (c.input as { clientToken: string }).clientToken);
  const gaps = () => buys().map((c, i, all) => (i === 0 ? 0 : c.atMs - all[i - 1]!.atMs));

  it('buys once with the ClientToken of the first run and the request shape, and records the instance', async () => {
    t.rt.activities.purchaseInstance = answers({ dtsJobId: 'dtsjob1' });
    await purchase(t.setup);
    expect(buys().map((c) => c.input)).toEqual([
      {
        api: 'dtsjob',
        clientToken: 'rds-run-1',
        regionId: 'cn-hangzhou',
        sourceRegion: 'cn-hangzhou',
        destinationRegion: 'cn-hangzhou',
        topology: 'oneway',
        jobClass: 'medium',
        payType: 'PrePaid',
        period: 'Month',
        usedTime: 2,
      },
    ]);
    expect(t.setup.status).toMatchObject({ phase: 'purchasing', dtsJobId: 'dtsjob1' });
    expect(t.setup.state.purchaseUnsettled).toBe(false);
  });

  it('retries a DTS outage with the same token, showing the error, and clears it once bought', async () => {
    t.rt.activities.purchaseInstance = answers(unavailable(), unavailable(), unavailable(), { dtsJobId: 'dtsjob1' });
    const shown: (string | undefined)[] = [];
    t.rt.at(1, () => shown.push(t.setup.status.error?.type));
    await purchase(t.setup);
    expect(gaps()).toEqual([0, 1_000, 2_000, 4_000]);
    expect(new Set(tokens())).toEqual(new Set(['rds-run-1']));
    expect(shown).toEqual(['DtsUnreachable']);
    expect(t.setup.status.error).toBeUndefined();
    // DTS answered each refusal: nothing can have been bought by them.
    expect(t.setup.state.purchaseUnsettled).toBe(false);
  });

  it('retries credential errors slowly (up to 5 min), never ending the setup', async () => {
    t.rt.activities.purchaseInstance = answers(...Array.from({ length: 12 }, credentials), { dtsJobId: 'dtsjob1' });
    await purchase(t.setup);
    expect(buys()).toHaveLength(13);
    expect(Math.max(...gaps())).toBe(300_000);
    expect(t.setup.status.dtsJobId).toBe('dtsjob1');
  });

  it('a refusal with nothing bought before ends the purchase with the refusal', async () => {
    t.rt.activities.purchaseInstance = answers(refused('InvalidParameter.JobClass'));
    await expect(purchase(t.setup)).rejects.toMatchObject({ cause: { type: 'DtsInvalidParameter' } });
    expect(t.setup.status.phase).toBe('purchasing');
    expect(t.setup.state.attention).toBeUndefined();
  });

  it('a stop asked before anything was sent ends it without buying', async () => {
    t.rt.handlers.get('abort')!();
    t.rt.activities.purchaseInstance = answers({ dtsJobId: 'dtsjob1' });
    await expect(purchase(t.setup)).rejects.toBeInstanceOf(StopRequested);
    expect(buys()).toEqual([]);
  });

  it('a stop after a lost answer waits until DTS names the instance, so the teardown can release it', async () => {
    t.rt.activities.purchaseInstance = answers(lost(), lost(), { dtsJobId: 'dtsjob1' });
    t.rt.at(1, () => t.rt.handlers.get('abort')!());
    await purchase(t.setup);
    expect(buys()).toHaveLength(3);
    expect(t.setup.status.dtsJobId).toBe('dtsjob1');
    expect(t.setup.state.stop).toBe('abort');
  });

  for (const [what, first] of [
    ['a lost answer', lost],
    ['a reset connection (its errno is no DTS answer)', reset],
  ] as const) {
    it(`${what} then a refusal parks as purchase-outcome-unknown, without deadline, and resends the same token`, async () => {
      t.rt.activities.purchaseInstance = answers(first(), refused('OperationDenied'), refused('OperationDenied'), {
        dtsJobId: 'dtsjob1',
      });
      const parked: unknown[] = [];
      t.rt.at(1_500, () =>
        parked.push({ phase: t.setup.status.phase, attention: t.setup.status.attention, error: t.setup.status.error }),
      );
      await purchase(t.setup);
      expect(parked).toEqual([
        {
          phase: 'needs-attention',
          attention: expect.objectContaining({
            kind: 'purchase-outcome-unknown',
            direction: 'Forward',
            reason:
              'The purchase may have bought an instance, but DTS now refuses it: DtsInvalidParameter OperationDenied',
          }),
          // DTS's refusal is shown while parked.
          error: expect.objectContaining({ type: 'DtsInvalidParameter', code: 'OperationDenied' }),
        },
      ]);
      expect((parked[0] as { attention: { deadline?: string } }).attention.deadline).toBeUndefined();
      expect(new Set(tokens())).toEqual(new Set(['rds-run-1']));
      expect(buys()).toHaveLength(4);
      expect(t.setup.status).toMatchObject({ phase: 'purchasing', dtsJobId: 'dtsjob1' });
      expect(t.setup.status.attention).toBeUndefined();
      expect(t.setup.state.attention).toBeUndefined();
      expect(t.setup.state.purchaseUnsettled).toBe(false);
    });
  }

  it('parked on an unknown outcome, it keeps resending for days (slower each round), and no deadline ends it', async () => {
    t.rt.activities.purchaseInstance = answers(lost(), ...Array.from({ length: 40 }, () => refused()), {
      dtsJobId: 'dtsjob1',
    });
    await purchase(t.setup);
    expect(buys()).toHaveLength(42);
    const resends = gaps().slice(2);
    // Rounds at the attention pace: 8 s doubling, capped by the monitor interval.
    expect(resends[0]).toBe(8_000);
    expect(Math.max(...resends)).toBeLessThanOrEqual(300_000);
    expect(t.setup.status.dtsJobId).toBe('dtsjob1');
  });

  it('an operator retry while parked resends at once; an abort then ends it loudly', async () => {
    t.rt.activities.purchaseInstance = answers(lost(), refused());
    // Parked at 1 s (the refusal after the first pause); the first resend would be 8 s later.
    t.rt.at(5_000, () => t.rt.handlers.get('retry')!());
    t.rt.at(30_000, () => t.rt.handlers.get('abort')!());
    const err = await purchase(t.setup).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StopRequested);
    const at = buys().map((c) => c.atMs - buys()[0]!.atMs);
    // The retry leaves the parking and buys once; refused again, it parks again (next resend 8 s later).
    expect(at.slice(0, 4)).toEqual([0, 1_000, 5_000, 13_000]);
    // Nothing is sent once the abort came.
    expect(at.every((ms) => ms < 30_000)).toBe(true);
    expect(t.setup.status.error).toMatchObject({ type: 'DtsInvalidParameter' });
    expect(purchaseOutcomeUnknown()).toMatchObject({ type: 'PurchaseOutcomeUnknown', nonRetryable: true });
    expect(purchaseOutcomeUnknown().message).toContain(
      "check DTS for an instance bought with this setup's ClientToken",
    );
  });

  it('an older run parked that way keeps its deadline (the patch is not taken)', async () => {
    t.rt.unpatched.add(PURCHASE_OUTCOME_KEPT_PATCH);
    t.rt.activities.purchaseInstance = answers(lost(), refused());
    const err = await purchase(t.setup).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'AttentionDeadlineExceeded' });
    expect(buys()).toHaveLength(2);
  });

  it('a continue-as-new during an outage hands the unsettled purchase over', async () => {
    t.rt.activities.purchaseInstance = answers(lost());
    t.rt.info.historyLength = 1e9;
    const err = await purchase(t.setup).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ContinueAsNew' });
    const [{ state }] = (err as { args: [{ state: { purchaseUnsettled?: boolean } }] }).args;
    expect(state.purchaseUnsettled).toBe(true);
  });
});
