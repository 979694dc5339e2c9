// The registry of Redis instances DTS can reach: cloud ones by id, self-managed ones by ECS id/IP + port.
import { readFileSync } from 'node:fs';
import type { EndpointConfig, RedisInstance } from './model';

const ARCHITECTURES = ['standard', 'cluster', 'rwsplit'] as const;
const EDITIONS = ['enterprise', 'community', 'self-managed'] as const;

export class InstanceInputError extends Error {}

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T, field: string): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new InstanceInputError(`${field} must be one of ${allowed.join(', ')}`);
}

function optionalNumber(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new InstanceInputError(`${field} must be a non-negative number`);
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  throw new InstanceInputError(`${field} must be a string`);
}

/** Validate one registry entry; the defaults describe a Tair 5.0 standard instance in cn-hangzhou. */
export function parseInstance(input: unknown): RedisInstance {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw new InstanceInputError('instance must be an object');
  const raw = input as Record<string, unknown>;
  if (typeof raw.instanceId !== 'string' || raw.instanceId === '')
    throw new InstanceInputError('instanceId is required');
  if (typeof raw.password !== 'string') throw new InstanceInputError('password is required (may be empty)');
  const instance: RedisInstance = {
    instanceId: raw.instanceId,
    password: raw.password,
    engineVersion: optionalString(raw.engineVersion, 'engineVersion') ?? '5.0',
    architecture: pick(raw.architecture, ARCHITECTURES, 'standard', 'architecture'),
    region: optionalString(raw.region, 'region') ?? 'cn-hangzhou',
    edition: pick(raw.edition, EDITIONS, 'enterprise', 'edition'),
    maxmemoryPolicy: optionalString(raw.maxmemoryPolicy, 'maxmemoryPolicy') ?? 'noeviction',
  };
  const dataSizeMb = optionalNumber(raw.dataSizeMb, 'dataSizeMb');
  const ip = optionalString(raw.ip, 'ip');
  const port = optionalNumber(raw.port, 'port');
  if (dataSizeMb !== undefined) instance.dataSizeMb = dataSizeMb;
  const status = optionalString(raw.status, 'status');
  if (status !== undefined) instance.status = status;
  if (raw.directConnection !== undefined) instance.directConnection = raw.directConnection === true;
  if (ip !== undefined) instance.ip = ip;
  if (port !== undefined) instance.port = port;
  return instance;
}

export function parseInstances(input: unknown): RedisInstance[] {
  return (Array.isArray(input) ? input : [input]).map(parseInstance);
}

export function loadInstancesFile(path: string): RedisInstance[] {
  return parseInstances(JSON.parse(readFileSync(path, 'utf8')));
}

/** The registry entry without its password, for admin listings. */
export function publicInstance(instance: RedisInstance): Omit<RedisInstance, 'password'> {
  const { password: _password, ...rest } = instance;
  return rest;
}

export class InstanceRegistry {
  private readonly byId = new Map<string, RedisInstance>();

  constructor(instances: RedisInstance[] = []) {
    this.upsert(instances);
  }

  upsert(instances: RedisInstance[]): void {
    for (const instance of instances) this.byId.set(instance.instanceId, instance);
  }

  replaceAll(instances: RedisInstance[]): void {
    this.byId.clear();
    this.upsert(instances);
  }

  list(): RedisInstance[] {
    return [...this.byId.values()];
  }

  get(instanceId: string): RedisInstance | undefined {
    return this.byId.get(instanceId);
  }

  /** Find the instance an endpoint points at, the way DTS would connect to it. */
  resolve(endpoint: EndpointConfig): RedisInstance | undefined {
    const type = endpoint.instanceType.toLowerCase();
    // By id where the endpoint names one: every precheck resolves each configured job's endpoints.
    if (type === 'redis' || type === 'ecs') {
      const found = endpoint.instanceId === undefined ? undefined : this.byId.get(endpoint.instanceId);
      if (!found) return undefined;
      if (type === 'redis') return found.edition !== 'self-managed' ? found : undefined;
      return found.edition === 'self-managed' && (found.port ?? 6379) === endpoint.port ? found : undefined;
    }
    return this.list().find(
      (i) =>
        i.edition === 'self-managed' &&
        i.ip !== undefined &&
        i.ip === endpoint.ip &&
        (i.port ?? 6379) === endpoint.port,
    );
  }
}
