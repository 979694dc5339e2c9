// The emulator's data mover for one direction: a full load (SCAN + DUMP/RESTORE with the remaining TTL),
// then every change, found through keyspace notifications and copied by reading the key again at the
// source. Test infrastructure: it makes the emulated sync move real bytes; it is not the product.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis, type RedisAddress } from '../../common/redis';

const SCAN_COUNT = 500;

/**
 * Two-way sync without echo: what a mover last wrote to an instance, per key, as that instance serializes
 * it (DUMP right after RESTORE, in one transaction: hash tables serialize in an order of their own per
 * server). A change notification whose key still holds exactly that is the mover's own write coming back.
 */
export class EchoGuard {
  private readonly written = new Map<string, string>();

  note(instance: string, key: string, value: Buffer | null): void {
    this.written.set(`${instance}\u0000${key}`, fingerprint(value));
  }

  /** True (once) when the key holds what a mover wrote there. */
  isEcho(instance: string, key: string, value: Buffer | null): boolean {
    const id = `${instance}\u0000${key}`;
    const seen = this.written.get(id);
    if (seen === undefined) return false;
    this.written.delete(id);
    return seen === fingerprint(value);
  }
}

function fingerprint(value: Buffer | null): string {
  return value === null ? 'gone' : createHash('sha1').update(value).digest('hex');
}

export interface MoverEnd extends RedisAddress {
  /** Names the instance for the echo guard (both directions of a job see the same name). */
  name: string;
}

export interface MoverOptions {
  source: MoverEnd;
  destination: MoverEnd;
  fullLoad: boolean;
  guard: EchoGuard;
  /** Held back this long before a change is applied: replication falling behind, on purpose. */
  extraDelayMs: () => number;
  /** False while nothing may be written yet (the precheck runs): changes are only collected. */
  mayMove: () => boolean;
}

interface Pending {
  key: string;
  at: number;
}

export class DirectionMover {
  private source?: Redis;
  private subscriber?: Redis;
  private destination?: Redis;
  private readonly queue: Pending[] = [];
  private readonly queued = new Set<string>();
  private stopped = false;
  private wake?: () => void;
  private lastLagMs = 0;
  /** Full-load progress: keys at the start, keys copied. */
  total = 0;
  copied = 0;
  loaded = false;
  error?: string;

  constructor(private readonly options: MoverOptions) {}

  /** Replication lag now: the oldest change not yet applied, else how late the last one was. */
  lagMs(now = Date.now()): number {
    const oldest = this.queue[0];
    return oldest ? Math.max(now - oldest.at, this.lastLagMs) : this.lastLagMs;
  }

  async start(): Promise<void> {
    const { source, destination } = this.options;
    this.source = await connectRedis(source, { name: 'dts-emulator-mover' });
    this.destination = await connectRedis(destination, { name: 'dts-emulator-mover' });
    this.subscriber = await connectRedis(source, { name: 'dts-emulator-mover-feed' });
    // Every keyspace change of every type, as key-event notifications (the key is the message).
    await this.source.config('SET', 'notify-keyspace-events', 'EA');
    this.subscriber.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, key: Buffer) =>
      this.enqueue(key.toString('latin1'), channel.toString()),
    );
    // Subscribed before the full load, so nothing written during it is missed.
    await this.subscriber.psubscribe('__keyevent@0__:*');
    void this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    for (const client of [this.subscriber, this.source, this.destination]) client?.disconnect();
  }

  private enqueue(key: string, _event: string): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push({ key, at: Date.now() });
    this.wake?.();
  }

  private async run(): Promise<void> {
    try {
      while (!this.options.mayMove() && !this.stopped) await new Promise((r) => setTimeout(r, 20));
      if (this.options.fullLoad) await this.fullLoad();
      this.loaded = true;
      while (!this.stopped) {
        const next = this.queue[0];
        if (!next) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        const due = next.at + this.options.extraDelayMs();
        if (Date.now() < due) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, Math.min(due - Date.now(), 200));
          });
          continue;
        }
        this.queue.shift();
        this.queued.delete(next.key);
        await this.copy([Buffer.from(next.key, 'latin1')], true);
        this.lastLagMs = Date.now() - next.at;
      }
    } catch (error) {
      if (!this.stopped) this.error = error instanceof Error ? error.message : String(error);
    }
  }

  private async fullLoad(): Promise<void> {
    const source = this.source as Redis;
    this.total = await source.dbsize();
    let cursor = '0';
    do {
      const [next, keys] = await source.scanBuffer(cursor, 'COUNT', SCAN_COUNT);
      cursor = String(next);
      await this.copy(keys, false);
      this.copied += keys.length;
      this.total = Math.max(this.total, this.copied);
    } while (cursor !== '0' && !this.stopped);
  }

  /** Copy keys as they are now at the source: value and remaining TTL, or their absence. */
  private async copy(keys: Buffer[], incremental: boolean): Promise<void> {
    if (keys.length === 0) return;
    const source = this.source as Redis;
    const destination = this.destination as Redis;
    const read = source.pipeline();
    for (const key of keys) read.dumpBuffer(key).pttl(key);
    const replies = (await read.exec()) ?? [];
    const { guard } = this.options;
    const write = incremental ? destination.multi() : destination.pipeline();
    const written: Array<{ name: string; at: number }> = [];
    let queued = 0;
    keys.forEach((key, i) => {
      const dump = (replies[i * 2]?.[1] as Buffer | null) ?? null;
      const ttl = Number(replies[i * 2 + 1]?.[1] ?? -2);
      const name = key.toString('latin1');
      // A change the other direction made here comes back as a notification: not copied back.
      if (incremental && guard.isEcho(this.options.source.name, name, dump)) return;
      if (dump === null || ttl === -2) {
        if (!incremental) return; // gone since SCAN saw it
        write.del(key);
      } else {
        write.restore(key, ttl > 0 ? ttl : 0, dump, 'REPLACE');
      }
      queued++;
      if (!incremental) return;
      write.dumpBuffer(key);
      written.push({ name, at: queued++ });
    });
    if (queued === 0) {
      return;
    }
    const results = (await write.exec()) ?? [];
    for (const { name, at } of written)
      guard.note(this.options.destination.name, name, (results[at]?.[1] as Buffer | null) ?? null);
  }
}
