// The emulator enforces a RAM policy document: a call the policy does not allow answers Forbidden.RAM (403)
// before anything happens; by default the policy is the shipped deploy/ram-policy.json.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator';
import { SHIPPED_RAM_POLICY } from '../../emulator/ram';
import { callError, createJob, createParams, dtsClient, startTestEmulator } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'ram-policy-'));

/** The shipped policy without one action. */
function policyWithout(action: string): string {
  const document = JSON.parse(readFileSync(SHIPPED_RAM_POLICY, 'utf8')) as {
    Statement: { Action: string[] }[];
  };
  for (const statement of document.Statement) statement.Action = statement.Action.filter((a) => a !== action);
  const path = join(dir, `${action.replace(':', '-')}.json`);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

describe('RAM policy', () => {
  const running: RunningEmulator[] = [];
  const start = async (ramPolicy?: string) => {
    const emulator = await startTestEmulator(ramPolicy === undefined ? {} : { ramPolicy });
    running.push(emulator);
    return dtsClient(emulator);
  };
  afterAll(() => Promise.all(running.map((e) => e.close())));

  it('refuses an action the policy lacks with Forbidden.RAM 403, and changes nothing', async () => {
    const client = await start(policyWithout('dts:SuspendSynchronizationJob'));
    const jobId = await createJob(client);
    const error = await callError(client, 'SuspendSynchronizationJob', { SynchronizationJobId: jobId });
    expect([error.code, error.entry.response.statusCode]).toEqual(['Forbidden.RAM', 403]);
    expect(error.data.Message).toContain('dts:SuspendSynchronizationJob');
    const create = await callError(
      await start(policyWithout('dts:CreateSynchronizationJob')),
      'CreateSynchronizationJob',
      createParams(),
    );
    expect(create.code).toBe('Forbidden.RAM');
  });

  it('enforces the R-KVStore statements too', async () => {
    const client = await start(policyWithout('kvstore:DescribeParameters'));
    const error = await callError(
      {
        call: (action, params) => client.call(action, { ...params, Version: '2015-01-01' }),
      },
      'DescribeParameters',
      { InstanceId: 'r-demo-source-0001', RegionId: 'cn-hangzhou' },
    );
    expect(error.code).toBe('Forbidden.RAM');
  });

  it('runs under the shipped policy by default and lets every call of the product through; none turns it off', async () => {
    const shipped = await start();
    await createJob(shipped);
    expect(await shipped.call('DescribeSynchronizationJobs', { PageSize: 30 })).toHaveProperty('TotalRecordCount');
    const open = await start('none');
    expect(await open.call('DescribeSynchronizationJobs', {})).toHaveProperty('TotalRecordCount');
  });

  it('refuses to start on a policy it cannot read or apply', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: {} }] }));
    await expect(startTestEmulator({ ramPolicy: bad })).rejects.toThrow(/Condition/);
    await expect(startTestEmulator({ ramPolicy: join(dir, 'missing.json') })).rejects.toThrow(/cannot read/);
  });
});
