// The verification as an activity: finds where each instance answers (R-KVStore for cloud instances, the
// request for self-managed ones), compares each mapped database pair, and heartbeats where it is, so a
// retry on another worker resumes from the last SCAN cursor instead of starting over.
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { RedisAddress } from '../../common/redis';
import { describeRedisError } from '../../common/redis';
import type { DatabaseMapping, RedisEndpoint, VerifyDepth } from '../../core/types';
import type { RkvstoreClient } from '../rkvstore/client';
import type { Difference } from './compare';
import { MAX_EXAMPLES, verifyData, type VerifyProgress, type VerifyResult } from './verify';

export interface VerifySetupInput {
  setupId: string;
  source: RedisEndpoint;
  destination: RedisEndpoint;
  databases: DatabaseMapping[];
  bothDirections: boolean;
  depth: VerifyDepth;
}

export interface VerifyTuning {
  /** Keys read per second at each instance: what protects a production Redis. */
  maxKeysPerSecond: number;
  recheckRounds: number;
  recheckPauseMs: number;
  ttlToleranceMs: number;
  /** The canary's keys are written by this service and never compared. */
  excludePrefix?: string;
}

export const DEFAULT_VERIFY_TUNING: VerifyTuning = {
  maxKeysPerSecond: 1000,
  recheckRounds: 3,
  recheckPauseMs: 2000,
  ttlToleranceMs: 5000,
};

/** Heartbeat details: the database pair being compared, its progress, and what the pairs before it found. */
interface Checkpoint {
  mapping: number;
  progress?: VerifyProgress;
  done: { rounds: number; keysCompared: number; keysDiffering: number; examples: Difference[] };
}

export interface VerifyDeps {
  rkvstore: Pick<RkvstoreClient, 'describeAddress'>;
  tuning: VerifyTuning;
}

export async function verifySetupData(deps: VerifyDeps, input: VerifySetupInput): Promise<VerifyResult> {
  const context = Context.current();
  let checkpoint = (context.info.heartbeatDetails as Checkpoint | undefined) ?? {
    mapping: 0,
    done: { rounds: 0, keysCompared: 0, keysDiffering: 0, examples: [] },
  };
  let source: RedisAddress;
  let destination: RedisAddress;
  try {
    [source, destination] = await Promise.all([
      addressOf(input.source, deps.rkvstore),
      addressOf(input.destination, deps.rkvstore),
    ]);
  } catch (error) {
    return { ...checkpoint.done, outcome: 'unverifiable', reason: describeRedisError(error) };
  }
  const labelled = input.databases.length > 1 || input.databases.some((m) => m.from !== 0 || m.to !== 0);
  for (; checkpoint.mapping < input.databases.length;) {
    const { from, to } = input.databases[checkpoint.mapping] as DatabaseMapping;
    const result = await verifyData(
      {
        source: { ...source, db: from },
        destination: { ...destination, db: to },
        bothDirections: input.bothDirections,
        depth: input.depth,
        ...deps.tuning,
      },
      (progress) => {
        stopIfAsked(context);
        context.heartbeat({ ...checkpoint, progress } satisfies Checkpoint);
      },
      checkpoint.progress,
    );
    stopIfAsked(context);
    const examples = labelled
      ? result.examples.map((d) => ({ ...d, reason: `db ${from}: ${d.reason}` }))
      : result.examples;
    const done: Checkpoint['done'] = {
      rounds: Math.max(checkpoint.done.rounds, result.rounds),
      keysCompared: checkpoint.done.keysCompared + result.keysCompared,
      keysDiffering: checkpoint.done.keysDiffering + result.keysDiffering,
      examples: [...checkpoint.done.examples, ...examples].slice(0, MAX_EXAMPLES),
    };
    if (result.outcome === 'unverifiable') return { ...done, outcome: 'unverifiable', reason: result.reason };
    checkpoint = { mapping: checkpoint.mapping + 1, done };
    context.heartbeat(checkpoint);
  }
  const { done } = checkpoint;
  return { ...done, outcome: done.keysDiffering === 0 ? 'consistent' : 'inconsistent' };
}

/**
 * A cancel asked by the workflow ends the verification; a worker shutting down (or a lost heartbeat) fails
 * this attempt so the next one, on any worker, resumes from the last heartbeat.
 */
function stopIfAsked(context: Context): void {
  if (!context.cancellationSignal.aborted) return;
  if (context.cancellationDetails?.cancelRequested) throw new CancelledFailure('verification cancelled');
  throw ApplicationFailure.retryable('the worker stopped during the verification', 'VerificationInterrupted');
}

/** Where an endpoint answers, with its account; never logged (it holds the password). */
export async function addressOf(
  endpoint: RedisEndpoint,
  rkvstore: Pick<RkvstoreClient, 'describeAddress'>,
): Promise<RedisAddress> {
  const account = {
    password: endpoint.password,
    ...(endpoint.username ? { username: endpoint.username } : {}),
  };
  if (endpoint.kind === 'express' && endpoint.ip && endpoint.port)
    return { host: endpoint.ip, port: endpoint.port, ...account };
  if ((endpoint.kind === 'enterprise' || endpoint.kind === 'community') && endpoint.instanceId)
    return { ...(await rkvstore.describeAddress(endpoint.instanceId)), ...account };
  throw new Error(`the worker cannot reach a ${endpoint.kind} endpoint: its address is not known to it`);
}

/** On the workflows' own task queue: they read Redis, not DTS, so they take no share of the DTS call budget. */
export function createVerifyActivities(deps: VerifyDeps) {
  return {
    verifySetupData: (input: VerifySetupInput) => verifySetupData(deps, input),
  };
}

export type VerifyActivities = ReturnType<typeof createVerifyActivities>;
