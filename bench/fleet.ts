// The bench's instance pairs: Tair instances registered in the emulator, two-way setups between them.
import type { CreateSetupBody } from '../api/schemas';
import type { RedisInstance } from '../emulator';

export interface Pair {
  name: string;
  source: RedisInstance;
  target: RedisInstance;
}

const REGION = 'cn-hangzhou';

/**
 * N disjoint pairs (a shared instance would trip DTS's cascade precheck). Source sizes are
 * spread evenly between min and max over every `spreadOver` pairs, shuffled, so jobs reach
 * Synchronizing at different times.
 */
export function makePairs(count: number, minDataMb: number, maxDataMb: number, spreadOver = count): Pair[] {
  const pairs: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const n = String(i).padStart(5, '0');
    // A multiplicative hash spreads sizes without a random seed: runs are repeatable.
    const spread = ((i * 7919) % spreadOver) / Math.max(spreadOver - 1, 1);
    const dataSizeMb = Math.round(minDataMb + spread * (maxDataMb - minDataMb));
    pairs.push({
      name: `bench-${n}`,
      source: {
        instanceId: `r-bench-src-${n}`,
        password: `src-${n}-Pa55`,
        engineVersion: '5.0',
        architecture: 'standard',
        region: REGION,
        edition: 'enterprise',
        maxmemoryPolicy: 'noeviction',
        dataSizeMb,
      },
      target: {
        instanceId: `r-bench-dst-${n}`,
        password: `dst-${n}-Pa55`,
        engineVersion: '5.0',
        architecture: 'standard',
        region: REGION,
        edition: 'enterprise',
        maxmemoryPolicy: 'noeviction',
        dataSizeMb: 64,
      },
    });
  }
  return pairs;
}

/** The body an operator would POST to /v1/syncs for this pair. */
export function createBody(pair: Pair): CreateSetupBody {
  const endpoint = (i: RedisInstance) => ({
    kind: 'enterprise' as const,
    instanceId: i.instanceId,
    region: REGION,
    password: i.password,
  });
  return {
    name: pair.name,
    topology: 'bidirectional',
    region: REGION,
    source: endpoint(pair.source),
    destination: endpoint(pair.target),
    jobClass: 'small',
    payType: 'PostPaid',
  };
}

/**
 * The kept fleet's pairs `from` to `to` (bench:api --fleet, bench:grow): named apart from the benches' others,
 * each pair the same whatever the fleet's size, so a larger fleet continues a smaller one.
 */
export function fleetPairs(from: number, to: number): Pair[] {
  return makePairs(to, 512, 3072, 1000)
    .slice(from)
    .map((p) => ({
      ...p,
      name: `fleet-${p.name}`,
      source: { ...p.source, instanceId: p.source.instanceId.replace('bench', 'fleet') },
      target: { ...p.target, instanceId: p.target.instanceId.replace('bench', 'fleet') },
    }));
}

/** Registers the pairs' instances in the emulator, 250 pairs a request. */
export async function registerPairs(emulatorUrl: string, pairs: Pair[]): Promise<void> {
  for (let i = 0; i < pairs.length; i += 250) {
    const res = await fetch(`${emulatorUrl}/__emulator/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pairs.slice(i, i + 250).flatMap((p) => [p.source, p.target])),
    });
    if (!res.ok) throw new Error(`registering instances: ${res.status} ${await res.text()}`);
  }
}
