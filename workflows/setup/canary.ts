import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CanaryActivities } from '../../activities/canary';
import { canaryTaskQueue } from '../../core/ids';
import { CANARY_PATCH } from './patches';
import type { Setup } from './setup';

// The canary runs for as long as this run keeps the sync: the run's end (release, continue-as-new) makes its
// next heartbeat fail, which stops it; a new run starts its own. Its result is never awaited.
const started = new WeakSet<Setup>();

export function startCanary(setup: Setup): void {
  const canary = setup.request.canary;
  if (!canary || started.has(setup) || !patched(CANARY_PATCH)) return;
  started.add(setup);
  const { runCanary } = proxyActivities<CanaryActivities>({
    taskQueue: canaryTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '3650d',
    heartbeatTimeout: '1m',
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m' },
    summary: 'Canary: end-to-end lag',
  });
  runCanary({
    setupId: setup.status.id,
    source: setup.request.source,
    destination: setup.request.destination,
    directions: setup.directions,
    intervalMs: canary.intervalSeconds * 1000,
  }).catch(() => undefined);
}
