import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../emulator/calls';
import { AUTH, startStackAndApp, stopStackAndApp } from '../support/api';
import { tairInstance, type Stack } from '../support/stack';
import type { App } from '../../api/app';

// R-KVStore is another product with its own quota: the preflight's instance reads have their own budget and
// queue, so they never wait for a slot of a DTS budget that is small or busy.
const DTS_PER_SECOND = 1;
const RKVSTORE_PER_SECOND = 20;
const RKVSTORE_ACTIONS = new Set(['DescribeInstanceAttribute', 'DescribeParameters', 'DescribeDBInstanceNetInfo']);
let stack: Stack;
let app: App;
beforeAll(
  async () =>
    ({ stack, app } = await startStackAndApp({
      worker: { dtsMaxCallsPerSecond: DTS_PER_SECOND, rkvstoreMaxCallsPerSecond: RKVSTORE_PER_SECOND },
    })),
);
afterAll(() => stopStackAndApp(stack, app));

async function pairBody() {
  const id = randomUUID().slice(0, 8);
  const source = { instanceId: `r-rkv-src-${id}`, region: 'cn-hangzhou', password: `src-${id}-Pa55` };
  const destination = { instanceId: `r-rkv-dst-${id}`, region: 'cn-hangzhou', password: `dst-${id}-Pa55` };
  await stack.admin('instances', [
    tairInstance(source.instanceId, source.password),
    tairInstance(destination.instanceId, destination.password),
  ]);
  return { name: `rkv-${id}`, topology: 'oneway', region: 'cn-hangzhou', source, destination };
}

describe('the R-KVStore budget', () => {
  it('reads instances at its own pace while DTS calls wait for theirs', { timeout: 90_000 }, async () => {
    const bodies = await Promise.all([pairBody(), pairBody()]);
    const ids = new Set(bodies.flatMap((b) => [b.source.instanceId, b.destination.instanceId]));
    const answers = await Promise.all(
      bodies.map((body) => app.inject({ method: 'POST', url: '/v1/syncs/preflight', headers: AUTH, payload: body })),
    );
    for (const res of answers) expect(res.statusCode, res.body).toBe(200);

    const calls = (await stack.admin<{ calls: CallRecord[] }>('calls')).calls;
    const reads = calls.filter(
      (c) => RKVSTORE_ACTIONS.has(c.action ?? '') && ids.has(String(c.params?.InstanceId ?? c.params?.DBInstanceId)),
    );
    // Per pair: the destination's three reads, the source's attribute alone (only the destination's eviction policy
    // and direct connection are checked).
    expect(reads).toHaveLength(2 * (3 + 1));
    const sources = new Set(bodies.map((b) => b.source.instanceId));
    expect(
      reads.filter((c) => sources.has(String(c.params?.InstanceId ?? c.params?.DBInstanceId))).map((c) => c.action),
    ).toEqual(['DescribeInstanceAttribute', 'DescribeInstanceAttribute']);
    const at = reads.map((c) => Date.parse(c.time));
    // Within the R-KVStore budget in every sliding second (its limiter spaces calls 5 % wider)...
    for (const t of at)
      expect(at.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(RKVSTORE_PER_SECOND);
    // ...and not behind the DTS queue's one activity a second, which would spread the four describes over 3 s.
    expect(Math.max(...at) - Math.min(...at)).toBeLessThan(2_500);
  });
});
