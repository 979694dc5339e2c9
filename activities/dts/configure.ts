import type { DtsClient, DtsParams } from './client';
import type { DatabaseMapping, Direction, RedisEndpoint } from '../../core/types';

export interface ConfigureInput {
  dtsJobId: string;
  regionId: string;
  direction: Direction;
  jobName: string;
  source: RedisEndpoint;
  destination: RedisEndpoint;
  databases: DatabaseMapping[];
  /** false: DTS waits for StartSynchronizationJob (the initialization window); absent: starts at once. */
  startAutomatically?: boolean;
}

/**
 * ConfigureSynchronizationJob for one direction. DTS starts the precheck by itself.
 * Reverse callers pass the endpoints already swapped (data flows destination → source).
 */
export async function configureDirection(dts: DtsClient, input: ConfigureInput): Promise<void> {
  const { source, destination } = input;
  const bothEnterprise = source.kind === 'enterprise' && destination.kind === 'enterprise';
  await dts.call(
    'ConfigureSynchronizationJob',
    {
      SynchronizationJobId: input.dtsJobId,
      RegionId: input.regionId,
      SynchronizationJobName: input.jobName,
      SynchronizationDirection: input.direction,
      // Both directions ask for full + incremental, as Alibaba's guide and console do for Reverse:
      // DTS skips the initialization of objects the Forward direction already initialized.
      StructureInitialization: true,
      DataInitialization: true,
      SynchronizationObjects: JSON.stringify(
        input.databases.map((db) => ({ DBName: String(db.from), NewDBName: String(db.to) })),
      ),
      ...endpointParams('SourceEndpoint', source),
      ...endpointParams('DestinationEndpoint', destination),
      MigrationReserved: migrationReserved(bothEnterprise, input.startAutomatically ?? true),
    },
    [source.password, destination.password],
  );
}

/** DTS's reserved JSON (docs/dts-api.md §1.2); absent when nothing in it applies. */
function migrationReserved(bothEnterprise: boolean, startAutomatically: boolean): string | undefined {
  const reserved = {
    // srcRedisType/destRedisType=enterprise only applies to Tair↔Tair.
    ...(bothEnterprise ? { srcRedisType: 'enterprise', destRedisType: 'enterprise' } : {}),
    // none: the direction stays NotStarted (no precheck, no load) until StartSynchronizationJob.
    ...(startAutomatically ? {} : { autoStartModulesAfterConfig: 'none' }),
  };
  return Object.keys(reserved).length > 0 ? JSON.stringify(reserved) : undefined;
}

/** Redis's own name for the account a server has before any ACL is set up (Redis 6 and later). */
export const DEFAULT_REDIS_USER = 'default';

function endpointParams(prefix: 'SourceEndpoint' | 'DestinationEndpoint', endpoint: RedisEndpoint): DtsParams {
  switch (endpoint.kind) {
    case 'enterprise':
    case 'community':
      // UserName is "not needed" for the Redis kind; a Tair custom account goes into the password as
      // user:password, as Tair's own AUTH takes it (docs/dts-api.md §1.2).
      return {
        [`${prefix}.InstanceType`]: 'Redis',
        [`${prefix}.InstanceId`]: endpoint.instanceId,
        [`${prefix}.Password`]: endpoint.username ? `${endpoint.username}:${endpoint.password}` : endpoint.password,
      };
    case 'ecs':
      // Configure's table: IP is "available and required" for ECS too (docs/dts-api.md §1.2); sent when known.
      return {
        [`${prefix}.InstanceType`]: 'ECS',
        [`${prefix}.InstanceId`]: endpoint.instanceId,
        [`${prefix}.IP`]: endpoint.ip,
        [`${prefix}.Port`]: endpoint.port,
        // The SDK model requires an account for ECS, Express, dg and cen endpoints.
        [`${prefix}.UserName`]: endpoint.username ?? DEFAULT_REDIS_USER,
        [`${prefix}.Password`]: endpoint.password,
      };
    case 'express':
      return {
        [`${prefix}.InstanceType`]: 'Express',
        [`${prefix}.IP`]: endpoint.ip,
        [`${prefix}.Port`]: endpoint.port,
        [`${prefix}.UserName`]: endpoint.username ?? DEFAULT_REDIS_USER,
        [`${prefix}.Password`]: endpoint.password,
      };
  }
}
