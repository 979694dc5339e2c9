import type { EnvReader } from './env';

export const DEFAULT_TASK_QUEUE = 'redis-dts-sync';

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
}

export function readTemporalConfig(env: EnvReader): TemporalConfig {
  return {
    address: env.string('TEMPORAL_ADDRESS', 'localhost:7233'),
    namespace: env.string('TEMPORAL_NAMESPACE', 'default'),
    taskQueue: env.string('TEMPORAL_TASK_QUEUE', DEFAULT_TASK_QUEUE),
  };
}
