// Renewal, expiry and tags of a running setup (workflows/setup/subscription.ts, expiry.ts) against the real dev
// server and the emulator over real HTTP, under the strictest dialect and the shipped RAM policy, in both families.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../core/changes';
import { changeUpdate, setupStatusQuery } from '../../core/messages';
import { OWNER_TAG_KEY } from '../../core/renewal';
import { STRICTEST_DIALECT } from '../../emulator/dialect';
import { setupStartOptions } from '../../api/setup-start';
import type { redisSync } from '../../workflows/redis-sync';
import type { DtsApi, SetupRequest, SetupStatus } from '../../core/types';
import { FAST, syncRequest, type EmulatorCall } from '../support/requests';
import { eventually, startStack, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';

type Handle = WorkflowHandle<typeof redisSync>;

interface Job {
  jobId: string;
  payType: string;
  expireTime?: string;
  tags: Record<string, string>;
  resourceGroupId?: string;
}

const DAY = 86_400_000;

describe.each([['dtsjob'], ['synchronizationjob']] as [DtsApi][])('renewal, expiry and tags (%s family)', (api) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { dialect: STRICTEST_DIALECT } });
  });
  afterAll(() => stack?.stop());

  async function synchronizing(
    overrides: Partial<SetupRequest>,
    tags: string[] = [],
  ): Promise<{ handle: Handle; jobId: string }> {
    const tag = randomUUID().slice(0, 8);
    const base = syncRequest({ topology: 'oneway', ...overrides });
    const request: SetupRequest = {
      ...base,
      source: { ...base.source, instanceId: `r-rn-src-${tag}` },
      destination: { ...base.destination, instanceId: `r-rn-dst-${tag}` },
    };
    await registerPair(stack, request);
    const handle = await stack.client.workflow.start(
      'redisSync',
      setupStartOptions(request, stack.taskQueue, FAST, tags, api),
    );
    const status = await until(handle, (s) => s.phase === 'synchronizing', 'synchronizing', 60_000);
    return { handle: handle, jobId: status.dtsJobId! };
  }
  const prepaid: Partial<SetupRequest> = { payType: 'PrePaid', period: 'Month', usedTime: 1 };

  function until(handle: Handle, check: (s: SetupStatus) => boolean, what: string, timeoutMs = 30_000) {
    return eventually(
      async () => {
        const status = await handle.query(setupStatusQuery);
        if (status.phase === 'failed') throw new Error(`setup failed: ${JSON.stringify(status.error)}`);
        return check(status) ? status : undefined;
      },
      { timeoutMs, what },
    );
  }
  const change = (handle: Handle, request: ChangeRequest) =>
    handle.executeUpdate(changeUpdate, { args: [{ by: 'ops-alice', ...request }] });
  const lastChange = (s: SetupStatus) => s.changes?.at(-1);
  const ended = (handle: Handle) =>
    until(handle, (s) => s.phase === 'synchronizing' && lastChange(s)?.outcome !== 'applying', 'the change ended');
  const job = async (jobId: string) =>
    (await stack.admin<{ jobs: Job[] }>('jobs')).jobs.find((j) => j.jobId === jobId)!;
  const calls = async (action: string, jobId: string) =>
    (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls.filter(
      (c) => c.action === action && c.jobId === jobId,
    );

  /** Waits until the setup has read its job a few more times (its monitor rounds), whatever they found. */
  async function afterMoreReads(jobId: string): Promise<void> {
    const reads = async () =>
      (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls.filter(
        (c) => c.jobId === jobId && /^Describe(DtsJobs|DtsJobDetail|SynchronizationJobStatus)$/.test(c.action),
      ).length;
    const before = await reads();
    await eventually(async () => ((await reads()) >= before + 3 ? true : undefined), { what: 'three more reads' });
  }

  it('shows the ExpireTime DTS reports; renews once even when the answer is lost, and shows the new end', async () => {
    const { handle, jobId } = await synchronizing(prepaid);
    const bought = await job(jobId);
    const shown = await until(handle, (s) => s.expiresAt !== undefined, 'expiresAt shown');
    expect(Date.parse(shown.expiresAt!)).toBe(Date.parse(bought.expireTime!));
    // DTS renews, the answer never arrives: the setup reads ExpireTime and orders nothing more.
    // (No jobId in the fault: the legacy family names the instance by DtsJobId, which the fault matcher does not map.)
    await stack.admin('faults', { action: 'RenewInstance', kind: 'drop-after', count: 1 });
    await change(handle, { kind: 'renew', period: 'Month', usedTime: 2 });
    const done = await ended(handle);
    expect(lastChange(done)).toMatchObject({ kind: 'renew', outcome: 'applied', applied: ['renew 2 Month'] });
    const renewed = await job(jobId);
    expect(Date.parse(renewed.expireTime!)).toBeGreaterThan(Date.parse(bought.expireTime!) + 55 * DAY);
    expect(Date.parse(done.expiresAt!)).toBe(Date.parse(renewed.expireTime!));
    expect(await calls('RenewInstance', jobId)).toHaveLength(1);
    await handle.cancel();
  });

  it('a PostPaid setup is refused a renewal with the reason, and never reports an expiry', async () => {
    const { handle } = await synchronizing({ payType: 'PostPaid' });
    const err = await change(handle, { kind: 'renew', period: 'Month', usedTime: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(/PostPaid.*no subscription to renew/);
    expect((await handle.query(setupStatusQuery)).expiresAt).toBeUndefined();
    await handle.cancel();
  });

  it('tags and the owner tag are on the instance after the purchase, and a PATCH of tags changes them', async () => {
    const { handle, jobId } = await synchronizing(api === 'dtsjob' ? { resourceGroupId: 'rg-acfmtest' } : {}, [
      'team=payments',
      'tier:gold',
    ]);
    const tagged = await job(jobId);
    expect(tagged.tags).toEqual({ team: 'payments', tier: 'gold', [OWNER_TAG_KEY]: handle.workflowId });
    if (api === 'dtsjob') expect(tagged.resourceGroupId).toBe('rg-acfmtest');
    await change(handle, { kind: 'tags', tags: ['team=search', 'env=prod'] });
    const done = await ended(handle);
    expect(lastChange(done)).toMatchObject({ kind: 'tags', outcome: 'applied' });
    expect(done.tags).toEqual(['team=search', 'env=prod']);
    expect((await job(jobId)).tags).toEqual({ team: 'search', env: 'prod', [OWNER_TAG_KEY]: handle.workflowId });
    await handle.cancel();
  });

  it('a subscription within 7 days of its end is announced once per ExpireTime', async () => {
    const { handle, jobId } = await synchronizing(prepaid);
    await stack.admin(`jobs/${jobId}/expiry`, { days: 3 });
    const near = await until(
      handle,
      (s) => s.expiresAt !== undefined && Date.parse(s.expiresAt) < Date.now() + 4 * DAY,
      'the new ExpireTime read',
    );
    expect(Date.parse(near.expiresAt!)).toBe(Date.parse((await job(jobId)).expireTime!));
    // The notice is a child workflow of its own id: announced once per ExpireTime.
    const notices = await eventually(
      async () => {
        const found: string[] = [];
        for await (const w of stack.client.workflow.list({
          query: `WorkflowId STARTS_WITH '${handle.workflowId}.notice-'`,
        }))
          found.push(w.workflowId);
        return found.some((id) => id.endsWith('-expiring')) ? found : undefined;
      },
      { what: 'the expiring notice' },
    );
    expect(notices.filter((id) => id.endsWith('-expiring'))).toHaveLength(1);
    // Not asked in its request: it never renews by itself.
    await afterMoreReads(jobId);
    expect(await calls('RenewInstance', jobId)).toHaveLength(0);
    expect((await handle.query(setupStatusQuery)).changes ?? []).toHaveLength(0);
    await handle.cancel();
  });

  it('a setup that asked renew.auto renews by itself once when its end nears, even when the answer is lost', async () => {
    const renew = { auto: true, period: 'Month', usedTime: 1, daysBefore: 5 } as const;
    const { handle, jobId } = await synchronizing({ ...prepaid, renew });
    const bought = await until(handle, (s) => s.expiresAt !== undefined, 'expiresAt shown');
    // Far from its end: nothing ordered.
    await afterMoreReads(jobId);
    expect(await calls('RenewInstance', jobId)).toHaveLength(0);
    await stack.admin('faults', { action: 'RenewInstance', kind: 'drop-after', count: 1 });
    await stack.admin(`jobs/${jobId}/expiry`, { days: 3 });
    const done = await until(
      handle,
      (s) => lastChange(s)?.by === 'auto-renew' && lastChange(s)?.outcome !== 'applying',
      'the automatic renewal ended',
      60_000,
    );
    expect(lastChange(done)).toMatchObject({
      kind: 'renew',
      by: 'auto-renew',
      outcome: 'applied',
      applied: ['renew 1 Month'],
      what: { period: 'Month', usedTime: 1 },
    });
    const renewed = await job(jobId);
    expect(Date.parse(renewed.expireTime!)).toBeGreaterThan(Date.now() + 25 * DAY);
    await until(handle, (s) => Date.parse(s.expiresAt ?? '') === Date.parse(renewed.expireTime!), 'the new end shown');
    // Once per end: more reads of the renewed instance order nothing more.
    await afterMoreReads(jobId);
    const orders = await calls('RenewInstance', jobId);
    expect(orders.map((c) => c.outcome)).toEqual(['dropped']);
    expect((await handle.query(setupStatusQuery)).changes).toHaveLength(1);
    expect(Date.parse(renewed.expireTime!)).toBeGreaterThan(Date.parse(bought.expiresAt!));
    await handle.cancel();
  });
});
