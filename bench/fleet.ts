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
 * spread evenly between min and max, shuffled, so jobs reach Synchronizing at different times.
 */
export function makePairs(count: number, minDataMb: number, maxDataMb: number): Pair[] {
  const pairs: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const n = String(i).padStart(5, '0');
    // A multiplicative hash spreads sizes without a random seed: runs are repeatable.
    const spread = ((i * 7919) % count) / Math.max(count - 1, 1);
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
