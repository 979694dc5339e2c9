import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CanaryActivities } from '../../activities/canary';
import { canaryTaskQueue } from '../../core/ids';
import { CANARY_PATCH } from './patches';
import type { Setup } from './setup';

// The canary runs for as long as this run keeps the sync: the run's end (release, continue-as-new) makes its
// next heartbeat fail, which stops it; a new run starts its own. Its result is never awaited.
const started = new WeakSet<Setup>();

export function startCanary(s: Setup): void {
  const canary = s.request.canary;
  if (!canary || started.has(s) || !patched(CANARY_PATCH)) return;
  started.add(s);
  const { runCanary } = proxyActivities<CanaryActivities>({
    taskQueue: canaryTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '3650d',
    heartbeatTimeout: '1m',
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m' },
    summary: 'Canary: end-to-end lag',
  });
  runCanary({
    setupId: s.status.id,
    source: s.request.source,
    destination: s.request.destination,
    directions: s.directions,
    intervalMs: canary.intervalSeconds * 1000,
  }).catch(() => undefined);
}
