import { patched, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

/** Temporal priority keys: 1 is served first, 3 is the default. */
const READ_PRIORITY = 1;
/** Reads that let a waiting setup move on (activities/dts/describe.ts). */
const READS = new Set(['describeDirection']);

/**
 * Under a burst, the `.dts` task queue holds a backlog of purchases and configures, served in order. A status
 * read queued behind them keeps its setup waiting for nothing: it goes first (Temporal task queue priority),
 * and the worker's rate limiter (activities/dts/rate-limiter.ts) lets it through first as well.
 * Registered by worker/workers.ts; behind a patch, so histories recorded before it replay unchanged.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity: (input, next) => {
        if (!READS.has(input.activityType) || !patched('dts-read-priority')) return next(input);
        return next({ ...input, options: { ...input.options, priority: { ...input.options.priority, priorityKey: READ_PRIORITY } } });
      },
    },
  ],
});
