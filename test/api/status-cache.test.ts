import { describe, expect, it } from 'vitest';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { runningStatus, StatusCache } from '../../api/setup-view';
import type { SetupStatus } from '../../core/types';

// GET /v1/syncs/:id answers from the last status query while the run's history has not grown: the
// workflow's state changes only with its history, and a query of a setup out of the worker's cache
// is a replay of its whole history.
const described = (runId: string, historyLength: number) =>
  ({ workflowId: 'sync-a', runId, historyLength }) as WorkflowExecutionDescription;
const status = (progress: number) => ({ id: 'sync-a', phase: 'waiting-forward', progress }) as unknown as SetupStatus;

describe('status answers by history length', () => {
  it('answers from the last query while the history is the same, and asks again once it grew', async () => {
    const cache = new StatusCache();
    let answer = 10;
    const query = async () => status(answer);
    expect(await cache.get(described('r1', 40), query)).toEqual(status(10));
    answer = 20;
    expect(await cache.get(described('r1', 40), query)).toEqual(status(10));
    expect(await cache.get(described('r1', 43), query)).toEqual(status(20));
    answer = 30;
    expect(await cache.get(described('r2', 43), query), 'a new run is asked').toEqual(status(30));
  });

  it('keeps at most its size, dropping the least recently asked', async () => {
    const cache = new StatusCache(2);
    const asked: string[] = [];
    const get = (runId: string) =>
      cache.get(described(runId, 1), async () => {
        asked.push(runId);
        return status(0);
      });
    for (const runId of ['a', 'b', 'a', 'c', 'a', 'b']) await get(runId);
    expect(asked).toEqual(['a', 'b', 'c', 'b']);
  });
});

describe('a running setup read without a worker', () => {
  const attributes = (phase: string) =>
    ({ get: (key: { name: string }) => (key.name === 'SyncPhase' ? phase : undefined) }) as never;
  const running = (historyLength: number, memo: Record<string, unknown> = {}) =>
    ({
      workflowId: 'sync-a',
      runId: 'r1',
      historyLength,
      memo,
      typedSearchAttributes: attributes('purchasing'),
      status: { name: 'RUNNING' },
    }) as unknown as WorkflowExecutionDescription;
  const never = async (): Promise<SetupStatus> => {
    throw new Error('asked a worker');
  };

  it('answers what the run wrote to its memo', async () => {
    expect(await runningStatus(running(40, { status: status(70) }), never)).toEqual(status(70));
  });

  it('answers a run that has not run its first task from its start', async () => {
    expect(await runningStatus(running(3), never)).toMatchObject({ id: 'sync-a', phase: 'purchasing' });
  });

  it('asks a run that wrote no status (started before the workflow wrote it)', async () => {
    expect(await runningStatus(running(40), async () => status(5))).toEqual(status(5));
  });
});
