import Redis from 'ioredis';

// The demo's second half: keys written at each end show up at the other, then a verification on request
// compares the two instances. Only with the emulator's real redis-server instances (loopback addresses).

/** A demo instance's redis-server, as the emulator's admin API lists it. */
interface RedisServer {
  instanceId: string;
  host: string;
  port: number;
  running: boolean;
}

interface Verification {
  state: 'running' | 'done';
  outcome?: string;
  keysCompared?: number;
  keysDiffering?: number;
  reason?: string;
}

const KEYS = 5;
const ARRIVAL_TIMEOUT_MS = 60_000;
const VERIFY_TIMEOUT_MS = 120_000;

export async function showDataMoving(
  api: string,
  headers: Record<string, string>,
  setupId: string,
  emulatorUrl: string,
  ends: { source: { instanceId: string; password: string }; destination: { instanceId: string; password: string } },
): Promise<boolean> {
  const servers = await redisServers(emulatorUrl);
  const address = (id: string) => servers.find((s) => s.instanceId === id && s.running);
  const sourceAt = address(ends.source.instanceId);
  const destinationAt = address(ends.destination.instanceId);
  if (!sourceAt || !destinationAt) {
    console.log('data: the demo instances have no redis-server (apt-get install redis-server), so no data moves');
    return true;
  }
  const connect = (at: RedisServer, password: string) =>
    new Redis({ host: at.host, port: at.port, password, lazyConnect: true, maxRetriesPerRequest: 1 });
  const source = connect(sourceAt, ends.source.password);
  const destination = connect(destinationAt, ends.destination.password);
  try {
    const stamp = Date.now().toString(36);
    const forward = await writeAndWait(source, destination, `demo:from-source:${stamp}`);
    console.log(`data: ${KEYS} keys written at the source ${forward}`);
    const reverse = await writeAndWait(destination, source, `demo:from-destination:${stamp}`);
    console.log(`data: ${KEYS} keys written at the destination ${reverse}`);
    const verification = await verify(api, headers, setupId);
    const counts =
      verification.keysCompared === undefined
        ? ''
        : ` (${verification.keysCompared} keys compared, ${verification.keysDiffering ?? 0} differing)`;
    console.log(`verification: ${verification.outcome ?? verification.state}${counts}${reasonOf(verification)}`);
    return verification.outcome === 'consistent';
  } finally {
    source.disconnect();
    destination.disconnect();
  }
}

async function redisServers(emulatorUrl: string): Promise<RedisServer[]> {
  const res = await fetch(`${emulatorUrl}/__emulator/redis`).catch(() => undefined);
  if (!res?.ok) return [];
  return ((await res.json()) as { servers: RedisServer[] }).servers;
}

/** Writes KEYS keys at one end and waits until the other end has them all; says how long that took. */
async function writeAndWait(from: Redis, to: Redis, prefix: string): Promise<string> {
  const keys = Array.from({ length: KEYS }, (_, i) => `${prefix}:${i}`);
  const started = Date.now();
  for (const key of keys) await from.set(key, `written at ${new Date(started).toISOString()}`);
  for (;;) {
    const present = await to.exists(...keys);
    if (present === keys.length) return `arrived at the other end in ${Date.now() - started} ms`;
    if (Date.now() - started > ARRIVAL_TIMEOUT_MS)
      return `NOT at the other end after ${ARRIVAL_TIMEOUT_MS / 1000} s (${present} of ${keys.length})`;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** POST /v1/syncs/:id/verify, then the setup's status until that verification is done. */
async function verify(api: string, headers: Record<string, string>, setupId: string): Promise<Verification> {
  const url = `${api}/v1/syncs/${encodeURIComponent(setupId)}`;
  const started = Date.now();
  // The automatic verification after the first Synchronizing may still run: a request waits for it.
  let asked: { verification?: Verification & { id: string } } | undefined;
  while (!asked) {
    const res = await fetch(`${url}/verify`, { method: 'POST', headers, body: '{}' });
    if (res.status === 202) asked = (await res.json()) as typeof asked;
    else if (Date.now() - started > VERIFY_TIMEOUT_MS) return { state: 'running', reason: `verify: ${res.status}` };
    else await new Promise((r) => setTimeout(r, 1000));
  }
  const id = asked?.verification?.id;
  for (;;) {
    const status = (await (await fetch(url, { headers })).json()) as { verification?: Verification & { id: string } };
    const v = status.verification;
    if (v && v.state === 'done' && (!id || v.id === id)) return v;
    if (Date.now() - started > VERIFY_TIMEOUT_MS) return v ?? { state: 'running' };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function reasonOf(v: Verification): string {
  return v.reason ? `: ${v.reason}` : '';
}
