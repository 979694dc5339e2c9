// A Forward job that fails while the setup's own reads are refused (Forbidden.RAM): the guarantee of
// docs/reliability.md "While parked, the watcher's news is acted on at once", in both DTS API families, against
// the emulator over real HTTP. The DtsJob family reads and restarts with the same action's family
// (DescribeDtsJobs names the task StartDtsJob needs), so its restart must not wait for the refused read.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dtsStatusSignal, setupStatusQuery } from '../../core/messages';
import type { DtsApi, SetupRequest, SetupStatus } from '../../core/types';
import { redisSync } from '../../workflows/redis-sync';
import { FAST, syncRequest, type EmulatorCall } from '../support/requests';
import { eventually, startStack, tairInstance, type Stack } from '../support/stack';

type Handle = WorkflowHandle<typeof redisSync>;

interface Job {
  jobId: string;
  released: boolean;
  directions: Partial<Record<'Forward' | 'Reverse', { status: string }>>;
}

describe.each([
  ['legacy family', 'synchronizationjob', 'DescribeSynchronizationJobStatus', 'StartSynchronizationJob'],
  ['DtsJob family', 'dtsjob', 'DescribeDtsJobs', 'StartDtsJob'],
] as [string, DtsApi, string, string][])(
  'a Forward failure while the own reads are refused, %s',
  (_family, dtsApi, ownRead, startAction) => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ worker: { dtsApi } });
    });
    afterAll(() => stack?.stop());

    const status = (handle: Handle) => handle.query(setupStatusQuery);
    const until = (handle: Handle, check: (s: SetupStatus) => boolean, what: string, timeoutMs = 30_000) =>
      eventually(async () => ((s) => (check(s) ? s : undefined))(await status(handle)), { timeoutMs, what });
    const job = async (jobId: string) =>
      (await stack.admin<{ jobs: Job[] }>('jobs')).jobs.find((j) => j.jobId === jobId)!;
    const startsAnswered = async (jobId: string) =>
      (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls.filter(
        (c) => c.action === startAction && c.jobId === jobId && c.outcome === 'OK',
      );

    it(
      'is restarted within 60 s, shown as DTS reports it (never synchronizing while failed), and never released',
      { timeout: 180_000 },
      async () => {
        const tag = randomUUID().slice(0, 8);
        const base = syncRequest({ topology: 'oneway' });
        const request: SetupRequest = {
          ...base,
          source: { ...base.source, instanceId: `r-rr-src-${tag}` },
          destination: { ...base.destination, instanceId: `r-rr-dst-${tag}` },
        };
        for (const e of [request.source, request.destination])
          await stack.admin('instances', tairInstance(e.instanceId!, e.password, { region: e.region }));
        const handle = await stack.client.workflow.start(redisSync, {
          workflowId: `wf-refused-reads-${tag}`,
          taskQueue: stack.taskQueue,
          args: [{ request, tuning: { ...FAST, monitorInterval: '1h' }, api: dtsApi }],
        });
        const synchronizing = await until(handle, (s) => s.phase === 'synchronizing', 'synchronizing', 60_000);
        const jobId = synchronizing.dtsJobId!;

        // The RAM policy loses the setup's own read of this job; then Forward fails.
        await stack.admin('faults', {
          action: ownRead,
          jobId,
          kind: 'error',
          code: 'Forbidden.RAM',
          httpStatus: 403,
          probability: 1,
        });
        await stack.admin('faults', {
          instanceId: request.source.instanceId,
          direction: 'Forward',
          kind: 'fail-later',
          afterMs: 0,
        });
        await eventually(async () => ((await job(jobId)).directions.Forward?.status === 'Failed' ? true : undefined), {
          what: 'Forward failed in DTS',
        });
        const failedAt = Date.now();
        const seen: SetupStatus[] = [];
        let watching = true;
        const watch = (async () => {
          while (watching) {
            seen.push(await status(handle));
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
        // What the status watcher reports from its batched list (the DtsJob family's is refused here too).
        await handle.signal(dtsStatusSignal, { direction: 'Forward', status: 'failed' });
        await eventually(async () => ((await startsAnswered(jobId)).length > 0 ? true : undefined), {
          timeoutMs: 60_000,
          what: `${startAction} answered`,
        });
        expect(Date.now() - failedAt).toBeLessThan(60_000);
        watching = false;
        await watch;
        expect(seen.some((s) => s.forward.status === 'failed')).toBe(true);
        expect(seen.filter((s) => s.phase === 'synchronizing' && s.forward.status === 'failed')).toEqual([]);

        // The policy is fixed: the setup reads again and shows the restarted direction.
        await fetch(`${stack.emulatorUrl}/__emulator/faults`, { method: 'DELETE' });
        const back = await until(
          handle,
          (s) => s.phase === 'synchronizing' && s.forward.status === 'synchronizing' && s.error === undefined,
          'synchronizing again, no error shown',
          60_000,
        );
        expect(back.forward.restarts).toBe(1);
        expect((await job(jobId)).released).toBe(false);
        await handle.terminate('test over');
      },
    );
  },
);
