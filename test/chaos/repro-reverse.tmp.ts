import { syncWorkflowId } from '../../workflows/ids';
import { statusQuery } from '../../workflows/messages';
import { redisSync } from '../../workflows/redis-sync';
import type { SyncRequest } from '../../workflows/types';
import { sleep } from './processes';
import { startChaosStack } from './stack';

async function main() {
  const stack = await startChaosStack({ timeScale: 0.05, dtsTimeoutMs: 5000 });
  try {
    const ep = (s: string) => ({ kind: 'enterprise' as const, region: 'cn-hangzhou', instanceId: `r-repro-${s}`, password: `${s}-Pa55` });
    const req: SyncRequest = { name: 'repro', topology: 'bidirectional', region: 'cn-hangzhou', source: ep('src'), destination: ep('dst'), databases: [{ from: 0, to: 0 }], jobClass: 'small', payType: 'PostPaid', keepInstanceOnFailure: false, waitDeadline: '1h', attentionDeadline: '1h' };
    await stack.admin('instances', [ep('src'), ep('dst')].map((e) => ({ instanceId: e.instanceId, password: e.password })));
    // Reverse's configure is throttled a few times: a window in which Forward fails.
    await stack.admin('faults', { action: 'ConfigureSynchronizationJob', direction: 'Reverse', kind: 'throttling', count: 3 });
    const handle = await stack.client().workflow.start(redisSync, { workflowId: syncWorkflowId(req), taskQueue: stack.taskQueue, args: [{ request: req, tuning: { firstPoll: '200ms', maxPoll: '1s', monitorInterval: '1s', restartBackoff: '200ms' } }] });
    for (;;) { const s = await handle.query(statusQuery); if (s.phase === 'configuring-reverse') break; await sleep(100); }
    await stack.admin('faults', { kind: 'fail-later', instanceId: 'r-repro-src', afterMs: 0, message: 'forward failed' });
    for (let i = 0; i < 30; i++) {
      const s = await handle.query(statusQuery);
      console.log(`${i}s phase=${s.phase} forward=${s.forward.rawStatus} reverse=${s.reverse?.rawStatus}`);
      await sleep(1000);
    }
    const calls = (await stack.admin<{ calls: { action: string; direction?: string; outcome: string }[] }>('calls')).calls;
    console.log(calls.filter((c) => c.action !== 'DescribeSynchronizationJobStatus').map((c) => `${c.action} ${c.direction ?? ''} ${c.outcome}`).join('\n'));
    await handle.terminate();
  } finally { await stack.close(); }
}
main().catch((e) => { console.error(e); process.exitCode = 1; });
