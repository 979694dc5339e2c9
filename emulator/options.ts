// Options of startEmulator() and their defaults.
import { parseDialect, type Dialect } from './dialect';
import type { RedisInstance } from './model';
import { loadRamPolicy, SHIPPED_RAM_POLICY, type RamPolicy } from './ram';

export const DEFAULT_PORT = 8780;
export const DEFAULT_ACCESS_KEY_ID = 'emulator-key-id';
export const DEFAULT_ACCESS_KEY_SECRET = 'emulator-key-secret-not-a-real-secret';

export interface EmulatorOptions {
  /** 0 picks a free port. Default 8780. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** AccessKeyId → AccessKeySecret. Default { 'emulator-key-id': 'emulator-key-secret-not-a-real-secret' }. */
  accessKeys?: Record<string, string>;
  /** JSON file with instances and jobs; loaded at start, rewritten (tmp + rename) after each change. */
  stateFile?: string;
  /** Multiplies every lifecycle duration. Default 1. */
  timeScale?: number;
  /** Precheck duration. Default 8000 ms. */
  precheckMs?: number;
  /** Structure initialization duration. Default 6000 ms. */
  structureInitMs?: number;
  /** Full data initialization of 1 GB (or of an instance without dataSizeMb). Default 30000 ms. */
  dataInitMs?: number;
  /** Short re-initialization when StartSynchronizationJob recovers a Failed direction. Default 3000 ms. */
  recoverMs?: number;
  /** Accept the phased-out Version=2018-08-01. Default false. */
  allowLegacyVersion?: boolean;
  /** Serve the unsigned /__emulator/ admin API. Default true. */
  admin?: boolean;
  /** Seed instances (merged with instancesFile; the seed wins on the same id). */
  instances?: RedisInstance[];
  instancesFile?: string;
  /** Dialect switches (`key=value,…` as in EMULATOR_DIALECT, or an object); unnamed switches keep the default. */
  dialect?: string | Partial<Dialect>;
  /**
   * RAM policy file every call must pass (Forbidden.RAM 403 otherwise), or `none`. Default: the shipped
   * deploy/ram-policy.json, so every test runs under the policy the product ships.
   */
  ramPolicy?: string;
  /**
   * A real redis-server per cloud instance: 'auto' when redis-server is found, true requires it,
   * false (default) never: most tests and benchmarks need no data, and some seed thousands of instances.
   */
  redis?: boolean | 'auto';
  /** Where those servers keep their data (a temp dir inside it). Default: the OS temp dir. */
  redisDataDir?: string;
  /** One line per call; never receives a password, secret or signature. Default: stdout. */
  log?: (line: string) => void;
}

export type ResolvedOptions = Required<
  Omit<EmulatorOptions, 'stateFile' | 'instances' | 'instancesFile' | 'dialect' | 'redisDataDir' | 'ramPolicy'>
> &
  Pick<EmulatorOptions, 'stateFile' | 'instances' | 'instancesFile' | 'redisDataDir'> & {
    dialect: Dialect;
    /** Undefined: no policy is enforced (`ramPolicy: 'none'`). */
    ram: RamPolicy | undefined;
  };

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error('timeScale must be > 0');
  return {
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? '127.0.0.1',
    accessKeys: options.accessKeys ?? { [DEFAULT_ACCESS_KEY_ID]: DEFAULT_ACCESS_KEY_SECRET },
    stateFile: options.stateFile,
    timeScale,
    precheckMs: options.precheckMs ?? 8000,
    structureInitMs: options.structureInitMs ?? 6000,
    dataInitMs: options.dataInitMs ?? 30000,
    recoverMs: options.recoverMs ?? 3000,
    allowLegacyVersion: options.allowLegacyVersion ?? false,
    admin: options.admin ?? true,
    dialect: parseDialect(options.dialect),
    ram: loadRamPolicy(options.ramPolicy ?? SHIPPED_RAM_POLICY),
    instances: options.instances,
    instancesFile: options.instancesFile,
    redis: options.redis ?? false,
    redisDataDir: options.redisDataDir,
    log: options.log ?? ((line) => process.stdout.write(`${line}\n`)),
  };
}
