// A verification of one setup's data: SCAN the source (and, for two-way, the destination too) with COUNT,
// compare each batch at the chosen depth, then re-check only the differences for a few rounds so writes in
// flight converge instead of counting as errors. It only reads, at a capped rate, and it never fails:
// an instance it cannot reach makes the outcome `unverifiable`, with the reason.
import type { Redis } from 'ioredis';
import { connectRedis, describeRedisError, type RedisAddress } from '../../common/redis';
import { compareKeys, type Depth, type Difference } from './compare';

export interface VerifyInput {
  source: RedisAddress;
  destination: RedisAddress;
  /** Two-way setups: keys only at the destination are found by scanning it too. */
  bothDirections: boolean;
  depth: Depth;
  ttlToleranceMs: number;
  /** Keys read per second at each instance (each key costs a few commands). */
  maxKeysPerSecond: number;
  /** Extra rounds that re-check only the keys that differed. */
  recheckRounds: number;
  recheckPauseMs: number;
  /** Keys that start with this are the canary's and are not compared. */
  excludePrefix?: string;
  scanCount?: number;
}

/** Where a verification is; a worker that takes over resumes from here (heartbeat details). */
export interface VerifyProgress {
  pass: 'source' | 'destination' | 'recheck' | 'done';
  cursor: string;
  keysCompared: number;
  differing: Difference[];
  rounds: number;
}

export interface VerifyResult {
  outcome: 'consistent' | 'inconsistent' | 'unverifiable';
  rounds: number;
  keysCompared: number;
  keysDiffering: number;
  /** Up to 100. */
  examples: Difference[];
  reason?: string;
}

export const MAX_EXAMPLES = 100;

export async function verifyData(
  input: VerifyInput,
  onProgress: (progress: VerifyProgress) => void | Promise<void> = () => {},
  resumeFrom?: VerifyProgress,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<VerifyResult> {
  let source: Redis | undefined;
  let destination: Redis | undefined;
  const progress: VerifyProgress = resumeFrom
    ? { ...resumeFrom, differing: [...resumeFrom.differing] }
    : { pass: 'source', cursor: '0', keysCompared: 0, differing: [], rounds: 1 };
  try {
    try {
      source = await connectRedis(input.source, { name: 'redis-dts-sync-verify' });
      destination = await connectRedis(input.destination, { name: 'redis-dts-sync-verify' });
    } catch (error) {
      return { ...summary(progress), outcome: 'unverifiable', reason: describeRedisError(error) };
    }
    const options = { depth: input.depth, ttlToleranceMs: input.ttlToleranceMs };
    const pace = pacer(input.maxKeysPerSecond, sleep);
    const known = new Set(progress.differing.map((d) => d.key));

    const scanPass = async (pass: 'source' | 'destination', scanned: Redis, other: Redis) => {
      while (progress.pass === pass) {
        const [next, found] = await scanned.scan(progress.cursor, 'COUNT', input.scanCount ?? 200);
        const keys = found.filter((k) => !(input.excludePrefix && k.startsWith(input.excludePrefix)));
        const differences =
          pass === 'source'
            ? await compareKeys(scanned, other, keys, options)
            : // From the destination's side only what the source lacks is new: the rest was compared.
              (await compareKeys(other, scanned, keys, options)).filter((d) => d.reason === 'only at the destination');
        for (const d of differences) {
          if (known.has(d.key)) continue;
          known.add(d.key);
          progress.differing.push(d);
        }
        if (pass === 'source') progress.keysCompared += keys.length;
        progress.cursor = next;
        if (next === '0') {
          progress.pass = pass === 'source' && input.bothDirections ? 'destination' : 'recheck';
          progress.cursor = '0';
        }
        await onProgress(progress);
        await pace(keys.length);
      }
    };
    if (progress.pass === 'source') await scanPass('source', source, destination);
    if (progress.pass === 'destination') await scanPass('destination', destination, source);

    while (progress.pass === 'recheck') {
      if (progress.differing.length === 0 || progress.rounds > input.recheckRounds) {
        progress.pass = 'done';
        break;
      }
      await sleep(input.recheckPauseMs);
      const keys = progress.differing.map((d) => d.key);
      const still: Difference[] = [];
      for (let i = 0; i < keys.length; i += 200) {
        const batch = keys.slice(i, i + 200);
        still.push(...(await compareKeys(source, destination, batch, options)));
        await pace(batch.length);
      }
      progress.differing = still;
      progress.rounds += 1;
      await onProgress(progress);
    }
    return { ...summary(progress), outcome: progress.differing.length === 0 ? 'consistent' : 'inconsistent' };
  } catch (error) {
    return { ...summary(progress), outcome: 'unverifiable', reason: describeRedisError(error) };
  } finally {
    source?.disconnect();
    destination?.disconnect();
  }
}

function summary(progress: VerifyProgress): Omit<VerifyResult, 'outcome'> {
  return {
    rounds: progress.rounds,
    keysCompared: progress.keysCompared,
    keysDiffering: progress.differing.length,
    examples: progress.differing.slice(0, MAX_EXAMPLES),
  };
}

/** Waits so that the keys read stay under `perSecond` on average. */
function pacer(perSecond: number, sleep: (ms: number) => Promise<void>) {
  const started = Date.now();
  let total = 0;
  return async (keys: number) => {
    total += keys;
    const due = started + (total / perSecond) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
  };
}
