// Comparing one batch of keys between two Redis instances, at a chosen depth, the way RedisFullCheck's
// levels do: 'type' (exists, same type), 'length' (and the same length), 'value' (and the same content, as
// a logical value: hash tables serialize in a per-server order, so DUMP bytes cannot be compared).
// Read-only: TYPE, PTTL, *LEN and the type's own reads; never KEYS or DEBUG.
import type { Redis } from 'ioredis';
import { text } from '../../common/text';

export type Depth = 'type' | 'length' | 'value';

export interface Difference {
  key: string;
  reason: string;
}

export interface CompareOptions {
  depth: Depth;
  /** TTLs closer than this count as equal (the sync itself takes time to copy an expiry). */
  ttlToleranceMs: number;
}

interface KeyFacts {
  type: string;
  ttl: number;
  length?: number;
  value?: string;
}

const LENGTH: Record<string, string> = {
  string: 'strlen',
  hash: 'hlen',
  list: 'llen',
  set: 'scard',
  zset: 'zcard',
  stream: 'xlen',
};

async function facts(client: Redis, keys: string[], depth: Depth): Promise<Array<KeyFacts | undefined>> {
  const read = client.pipeline();
  for (const key of keys) read.type(key).pttl(key);
  const replies = (await read.exec()) ?? [];
  const found = keys.map((_key, i) => {
    const type = text(replies[i * 2]?.[1], 'none');
    return type === 'none' ? undefined : { type, ttl: Number(replies[i * 2 + 1]?.[1] ?? -1) };
  });
  if (depth === 'type') return found;
  const more = client.pipeline();
  const asked: Array<{ at: number; what: 'length' | 'value' }> = [];
  found.forEach((f, i) => {
    const key = keys[i] as string;
    if (!f) return;
    const command = LENGTH[f.type];
    if (command) {
      (more as unknown as Record<string, (k: string) => void>)[command]?.(key);
      asked.push({ at: i, what: 'length' });
    }
    if (depth !== 'value') return;
    if (f.type === 'string') more.get(key);
    else if (f.type === 'hash') more.hgetall(key);
    else if (f.type === 'list') more.lrange(key, 0, -1);
    else if (f.type === 'set') more.smembers(key);
    else if (f.type === 'zset') more.zrange(key, 0, -1, 'WITHSCORES');
    else if (f.type === 'stream') more.xrange(key, '-', '+');
    else return;
    asked.push({ at: i, what: 'value' });
  });
  const answers = asked.length > 0 ? ((await more.exec()) ?? []) : [];
  asked.forEach(({ at, what }, j) => {
    const f = found[at] as KeyFacts;
    const reply = answers[j]?.[1];
    if (what === 'length') f.length = Number(reply);
    else f.value = canonical(f.type, reply);
  });
  return found;
}

/** One text per logical value: members sorted where the type is unordered. */
function canonical(type: string, reply: unknown): string {
  if (type === 'hash') {
    const entries = Object.entries((reply ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1));
    return JSON.stringify(entries);
  }
  if (type === 'set') return JSON.stringify([...((reply ?? []) as string[])].sort());
  return JSON.stringify(reply ?? null);
}

/** The keys of this batch that differ between `left` and `right`, with why. */
export async function compareKeys(
  left: Redis,
  right: Redis,
  keys: string[],
  options: CompareOptions,
): Promise<Difference[]> {
  if (keys.length === 0) return [];
  const [a, b] = await Promise.all([facts(left, keys, options.depth), facts(right, keys, options.depth)]);
  const differences: Difference[] = [];
  keys.forEach((key, i) => {
    const x = a[i];
    const y = b[i];
    if (!x && !y) return; // gone at both ends (expired meanwhile): not a difference
    if (!x) return differences.push({ key, reason: 'only at the destination' });
    if (!y) return differences.push({ key, reason: 'missing at the destination' });
    if (x.type !== y.type) return differences.push({ key, reason: `type ${x.type} vs ${y.type}` });
    if (x.length !== y.length) return differences.push({ key, reason: `length ${x.length} vs ${y.length}` });
    if (x.value !== y.value) return differences.push({ key, reason: 'value differs' });
    const ttlDiffers = x.ttl < 0 !== y.ttl < 0 || (x.ttl >= 0 && Math.abs(x.ttl - y.ttl) > options.ttlToleranceMs);
    if (ttlDiffers) differences.push({ key, reason: `ttl ${x.ttl} ms vs ${y.ttl} ms` });
  });
  return differences;
}
