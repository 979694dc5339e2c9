// The lag a user feels: a small key with the time it was written, set at one end at a steady interval and
// looked for at the other. Its own keys only (CANARY_KEY_PREFIX), each expiring by itself; one SET and a few
// GETs per interval and direction. Runs for the life of the setup's run as one heartbeating activity, so it
// adds one history event per run: the lag lives in the heartbeat (read by the API) and the gauge.
import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import type { Redis } from 'ioredis';
import { connectRedis, describeRedisError } from '../common/redis';
import type { Direction, RedisEndpoint } from '../core/types';
import type { RkvstoreClient } from './rkvstore/client';
import { addressOf } from './verify/activity';

export interface CanaryInput {
  setupId: string;
  source: RedisEndpoint;
  destination: RedisEndpoint;
  directions: Direction[];
  intervalMs: number;
}

/** The heartbeat's details: the latest lag per direction, or why there is none. */
export interface CanaryBeat {
  lagSeconds: Partial<Record<Direction, number>>;
  at: string;
  error?: string;
}

export const DEFAULT_CANARY_KEY_PREFIX = 'redis-dts-sync:canary:';
const POLL_MS = 50;

export interface CanaryDeps {
  rkvstore: Pick<RkvstoreClient, 'describeAddress'>;
  keyPrefix: string;
  meter?: MetricMeter;
}

export function canaryKey(prefix: string, setupId: string, direction: Direction): string {
  return `${prefix}${setupId}:${direction.toLowerCase()}`;
}

export async function runCanary(deps: CanaryDeps, input: CanaryInput): Promise<void> {
  const context = Context.current();
  const gauge = deps.meter?.createGauge('sync_e2e_lag_seconds', 'float', 's', 'Canary lag from one end to the other');
  // Long enough to outlive a slow interval, short enough to leave nothing behind for long.
  const ttlMs = Math.max(60_000, input.intervalMs * 10);
  const lag: CanaryBeat['lagSeconds'] = {};
  const since = Date.now();
  for (;;) {
    let ends: { source: Redis; destination: Redis } | undefined;
    try {
      const [s, d] = await Promise.all([
        addressOf(input.source, deps.rkvstore),
        addressOf(input.destination, deps.rkvstore),
      ]);
      const source = await connectRedis(s, { name: 'redis-dts-sync-canary' });
      ends = { source, destination: await connectRedis(d, { name: 'redis-dts-sync-canary' }) };
      for (;;) {
        const started = Date.now();
        await Promise.all(
          input.directions.map(async (direction) => {
            const [writer, reader] =
              direction === 'Forward' ? [ends!.source, ends!.destination] : [ends!.destination, ends!.source];
            const seconds = await measure(writer, reader, canaryKey(deps.keyPrefix, input.setupId, direction), {
              ttlMs,
              waitMs: input.intervalMs,
              since,
              sleep: (ms) => context.sleep(ms),
            });
            lag[direction] = seconds;
            gauge?.set(seconds, { setup: input.setupId, direction: direction.toLowerCase() });
          }),
        );
        context.heartbeat({ lagSeconds: lag, at: new Date().toISOString() } satisfies CanaryBeat);
        await context.sleep(Math.max(0, input.intervalMs - (Date.now() - started)));
      }
    } catch (error) {
      if (context.cancellationSignal.aborted) throw error;
      context.heartbeat({ lagSeconds: lag, at: new Date().toISOString(), error: describeRedisError(error) });
      await context.sleep(input.intervalMs);
    } finally {
      ends?.source.disconnect();
      ends?.destination.disconnect();
    }
  }
}

/**
 * Writes now at one end and waits up to `waitMs` to see it at the other: the lag is when it arrived. Not seen
 * in time, the lag is the age of what the other end holds, which keeps growing while nothing arrives.
 */
async function measure(
  writer: Redis,
  reader: Redis,
  key: string,
  options: { ttlMs: number; waitMs: number; since: number; sleep: (ms: number) => Promise<void> },
): Promise<number> {
  const written = Date.now();
  await writer.set(key, String(written), 'PX', options.ttlMs);
  let seen: number | undefined;
  for (;;) {
    seen = Number((await reader.get(key)) ?? NaN);
    if (seen >= written) return (Date.now() - written) / 1000;
    if (Date.now() - written >= options.waitMs) break;
    await options.sleep(POLL_MS);
  }
  // Nothing of ours arrived yet: as old as the canary itself.
  return (Date.now() - (Number.isFinite(seen) ? seen : options.since)) / 1000;
}

export function createCanaryActivities(deps: CanaryDeps) {
  return { runCanary: (input: CanaryInput) => runCanary(deps, input) };
}

export type CanaryActivities = ReturnType<typeof createCanaryActivities>;
