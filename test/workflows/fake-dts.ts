import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import type { Direction, DirectionSnapshot } from '../../core/types';
import { normalizeDtsStatus } from '../../core/normalize-dts';

/** A DTS error as activities/dts/errors.ts classifies it. */
export function dtsError(type: string, code: string | undefined, retryable: boolean): ApplicationFailure {
  return ApplicationFailure.create({
    message: `fake DTS: ${code ?? type}`,
    type,
    nonRetryable: !retryable,
    details: [{ action: 'fake', code, requestId: code ? `req-${code}` : undefined }],
  });
}
export const credentialsError = () => dtsError('DtsCredentialsError', 'Forbidden.RAM', false);
export const unavailableError = () => dtsError('DtsUnavailable', 'ServiceUnavailable', true);

interface FakeJob {
  id: string;
  released: boolean;
  status: Record<Direction, string>;
}

type Hook<T> = (dir: Direction) => T | Promise<T>;

/**
 * In-memory DTS behind the real activity names: the workflow's billing paths in seconds.
 * A direction is Synchronizing as soon as configured (or started); tests set statuses and errors.
 */
export class FakeDts {
  readonly jobs = new Map<string, FakeJob>();
  readonly calls: {
    action: string;
    direction?: Direction;
    jobId?: string;
    clientToken?: string;
    databases?: { from: number; to: number }[];
  }[] = [];
  purchaseDelayMs = 0;
  purchaseFailures: (() => Error)[] = [];
  afterConfigure = 'Synchronizing';
  afterStart = 'Synchronizing';
  describeFailure?: Hook<Error | undefined>;
  configureFailure?: () => Error | undefined;
  startFailure?: () => Error | undefined;
  releaseFailure?: () => Error | undefined;

  job(): FakeJob {
    const [job] = [...this.jobs.values()];
    if (!job) throw new Error('nothing bought');
    return job;
  }

  count(action: string): number {
    return this.calls.filter((c) => c.action === action).length;
  }

  activities(): Partial<Activities> {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    return {
      purchaseInstance: async ({ clientToken }) => {
        this.calls.push({ action: 'purchase', clientToken });
        await sleep(this.purchaseDelayMs);
        const failure = this.purchaseFailures.shift();
        if (failure) throw failure();
        const id = `dts-fake-${this.jobs.size + 1}`;
        this.jobs.set(id, { id, released: false, status: { Forward: 'NotConfigured', Reverse: 'NotConfigured' } });
        return { dtsJobId: id };
      },
      configureDirection: async ({ dtsJobId, direction, databases }) => {
        this.calls.push({ action: 'configure', direction, jobId: dtsJobId, databases });
        const failure = this.configureFailure?.();
        if (failure) throw failure;
        this.jobs.get(dtsJobId)!.status[direction] = this.afterConfigure;
      },
      startDirection: async ({ dtsJobId, direction }) => {
        this.calls.push({ action: 'start', direction, jobId: dtsJobId });
        const failure = this.startFailure?.();
        if (failure) throw failure;
        this.jobs.get(dtsJobId)!.status[direction] = this.afterStart;
      },
      resetDirection: async ({ dtsJobId, direction }) => {
        this.calls.push({ action: 'reset', direction, jobId: dtsJobId });
        this.jobs.get(dtsJobId)!.status[direction] = 'NotConfigured';
      },
      suspendDirection: async ({ dtsJobId, direction }) => {
        this.calls.push({ action: 'suspend', direction, jobId: dtsJobId });
        const job = this.jobs.get(dtsJobId)!;
        if (job.status[direction] !== 'Synchronizing')
          throw dtsError('DtsJobStatusConflict', 'OperationDenied.JobStatus', false);
        job.status[direction] = 'Suspending';
      },
      describeDirection: async ({ dtsJobId, direction }) => {
        this.calls.push({ action: 'describe', direction, jobId: dtsJobId });
        const failure = await this.describeFailure?.(direction);
        if (failure) throw failure;
        const raw = this.jobs.get(dtsJobId)!.status[direction];
        const status = normalizeDtsStatus(raw);
        const snapshot: DirectionSnapshot = {
          status,
          rawStatus: raw,
          progress: status === 'synchronizing' ? 100 : 10,
          stage: 'other',
          stagePercent: 0,
          precheckFailures: status === 'precheckfailed' ? [{ item: 'CHECK_AUTH_DEST', message: 'wrong password' }] : [],
          ...(status === 'failed' ? { errorMessage: 'fake failure' } : {}),
        };
        return snapshot;
      },
      releaseInstance: async ({ dtsJobId }) => {
        this.calls.push({ action: 'release', jobId: dtsJobId });
        const failure = this.releaseFailure?.();
        if (failure) throw failure;
        this.jobs.get(dtsJobId)!.released = true;
        return { outcome: 'released' as const };
      },
      // The owner tag after purchase: the fake's instances need none.
      tagInstance: async () => {},
      untagInstance: async () => {},
    };
  }
}
