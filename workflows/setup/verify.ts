import {
  metricMeter,
  patched,
  proxyActivities,
  setHandler,
  upsertMemo,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { verifyTaskQueue } from '../../core/ids';
import type { VerifyActivities } from '../../activities/verify/activity';
import type { VerifyResult } from '../../activities/verify/verify';
import { verifyUpdate, type VerifyOptions } from '../../core/messages';
import type { VerificationStatus } from '../../core/types';
import { VERIFY_DEPTHS } from '../../core/vocabulary';
import { failureMessage } from './failures';
import { VERIFICATION_PATCH } from './patches';
import type { Setup } from './setup';

// A verification reads both instances at a capped rate for as long as that takes; it heartbeats its SCAN
// cursor, so a worker that dies costs one heartbeat interval of work, not the whole pass. Its outcome is
// shown, never acted on: whatever it finds, the sync keeps running.
const verifier = () =>
  proxyActivities<VerifyActivities>({
    taskQueue: verifyTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '24h',
    heartbeatTimeout: '1m',
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
    summary: 'Compare the data at both ends',
  });

/** The memo key of the latest verification (without examples): readable without a worker. */
export const VERIFICATION_MEMO = 'verification';

/** The `verify` update: refused unless the setup is synchronizing with no verification running. */
export function installVerification(setup: Setup): void {
  setHandler(verifyUpdate, (options: VerifyOptions) => startVerification(setup, 'request', options), {
    validator: (options: VerifyOptions) => {
      const depth = options?.depth;
      if (depth !== undefined && !(VERIFY_DEPTHS as readonly string[]).includes(depth))
        throw new Error(`depth must be one of ${VERIFY_DEPTHS.join(', ')}`);
      const phase = setup.status.phase;
      if (phase !== 'synchronizing') throw new Error(`a verification needs a synchronizing setup, not ${phase}`);
      const running = setup.status.verification;
      if (running?.state === 'running') throw new Error(`verification ${running.id} is still running`);
    },
  });
}

/** The monitor's turn: the first time the setup is synchronizing (under this code), verify once. */
export function verifyOnceSynchronizing(setup: Setup): void {
  if (setup.state.verifiedOnce || !patched(VERIFICATION_PATCH)) return;
  setup.state.verifiedOnce = true;
  if (!setup.status.verification) startVerification(setup, 'synchronizing', {});
}

function startVerification(
  setup: Setup,
  trigger: VerificationStatus['trigger'],
  options: VerifyOptions | undefined,
): VerificationStatus {
  patched(VERIFICATION_PATCH);
  const verification: VerificationStatus = {
    id: uuid4(),
    state: 'running',
    depth: options?.depth ?? 'value',
    directions: setup.directions.length > 1 ? 'both' : 'forward',
    trigger,
    ...(options?.by ? { by: options.by } : {}),
    startedAt: new Date().toISOString(),
  };
  show(setup, verification);
  void run(setup, verification);
  return verification;
}

async function run(setup: Setup, running: VerificationStatus): Promise<void> {
  let result: VerifyResult;
  try {
    result = await verifier().verifySetupData({
      setupId: setup.status.id,
      source: setup.request.source,
      destination: setup.request.destination,
      databases: setup.request.databases,
      bothDirections: running.directions === 'both',
      depth: running.depth,
    });
  } catch (err) {
    const none = { rounds: 0, keysCompared: 0, keysDiffering: 0, examples: [] };
    result = { ...none, outcome: 'unverifiable', reason: failureMessage(err) };
  }
  const done: VerificationStatus = {
    ...running,
    state: 'done',
    finishedAt: new Date().toISOString(),
    outcome: result.outcome,
    rounds: result.rounds,
    keysCompared: result.keysCompared,
    keysDiffering: result.keysDiffering,
    examples: result.examples,
    ...(result.reason ? { reason: result.reason } : {}),
  };
  show(setup, done);
  const setupId = setup.status.id;
  // The latest outcome per setup is the one with the newest timestamp, whichever worker ran it.
  finishedGauge().set(Date.now() / 1000, { setup: setupId, outcome: result.outcome });
  differingGauge().set(result.keysDiffering, { setup: setupId });
}

function show(setup: Setup, verification: VerificationStatus): void {
  setup.updateStatus({ verification });
  const { examples: _examples, ...summary } = verification;
  upsertMemo({ [VERIFICATION_MEMO]: summary });
}

const finishedGauge = () =>
  metricMeter.createGauge(
    'sync_verification_finished_timestamp_seconds',
    'float',
    's',
    'Unix time a data verification finished, by setup and outcome',
  );
const differingGauge = () =>
  metricMeter.createGauge(
    'sync_verification_keys_differing',
    'int',
    '1',
    'Keys that differed after the re-check rounds of the latest verification',
  );
