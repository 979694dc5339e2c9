// R-KVStore (Version 2015-01-01) reads the preflight needs, answered from the DTS emulator's instance registry.
// Field names and wrapped lists follow the models of @alicloud/r-kvstore20150101.
import { ApiError, gatewayErrors } from '../errors';
import type { RedisInstance } from '../model';
import type { Params } from '../params';
import type { InstanceRegistry } from '../instances';
import { LOOPBACK, type RedisFleet } from '../redis/servers';

export const RKVSTORE_VERSION = '2015-01-01';

type Operation = (params: Params, registry: InstanceRegistry, redis?: RedisFleet) => Record<string, unknown>;

const notFound = () => new ApiError('InvalidInstanceId.NotFound', 404, 'The specified instance is not found.');

/** A cloud instance by id (self-managed registry entries are not R-KVStore instances). */
function instanceOf(params: Params, registry: InstanceRegistry, name: string): RedisInstance {
  const id = params[name];
  if (!id) throw gatewayErrors.missingParameter(name);
  const instance = registry.get(id);
  if (!instance || instance.edition === 'self-managed') throw notFound();
  return instance;
}

const ARCHITECTURE: Record<RedisInstance['architecture'], string> = {
  standard: 'standard',
  cluster: 'cluster',
  rwsplit: 'rwsplit',
};

export const rkvstoreOperations: Readonly<Record<string, Operation>> = {
  DescribeInstanceAttribute: (params, registry, redis) => {
    const i = instanceOf(params, registry, 'InstanceId');
    const tair = i.edition === 'enterprise';
    return {
      Instances: {
        DBInstanceAttribute: [
          {
            InstanceId: i.instanceId,
            InstanceName: i.instanceId,
            InstanceStatus: i.status ?? 'Normal',
            RegionId: i.region,
            ZoneId: `${i.region}-h`,
            // Tair (Redis Enterprise) reports InstanceType Tair; the community edition reports Redis.
            InstanceType: tair ? 'Tair' : 'Redis',
            Engine: 'Redis',
            EngineVersion: i.engineVersion,
            ArchitectureType: ARCHITECTURE[i.architecture],
            InstanceClass: tair ? 'tair.rdb.1g' : 'redis.master.small.default',
            NetworkType: 'VPC',
            ChargeType: 'PostPaid',
            Port: redis?.address(i.instanceId)?.port ?? i.port ?? 6379,
            Config: JSON.stringify({ 'maxmemory-policy': i.maxmemoryPolicy }),
          },
        ],
      },
    };
  },
  DescribeParameters: (params, registry) => {
    const i = instanceOf(params, registry, 'DBInstanceId');
    const running = [
      {
        ParameterName: 'maxmemory-policy',
        ParameterValue: i.maxmemoryPolicy,
        ModifiableStatus: 'true',
        ForceRestart: 'false',
      },
      { ParameterName: 'appendonly', ParameterValue: 'yes', ModifiableStatus: 'true', ForceRestart: 'false' },
    ];
    return {
      Engine: 'Redis',
      EngineVersion: i.engineVersion,
      RunningParameters: { Parameter: running },
      ConfigParameters: { Parameter: [] },
    };
  },
  DescribeDBInstanceNetInfo: (params, registry, redis) => {
    const i = instanceOf(params, registry, 'InstanceId');
    // The instance's real redis-server; without one, its port on loopback: tests and the local stack only
    // ever contact loopback addresses.
    const address = redis?.address(i.instanceId) ?? { host: LOOPBACK, port: i.port ?? 6379 };
    const item = (direct: boolean) => ({
      ConnectionString: `${i.instanceId}${direct ? '-direct' : ''}.redis.rds.aliyuncs.com`,
      DBInstanceNetType: '2',
      DirectConnection: direct ? 1 : 0,
      IPAddress: address.host,
      IPType: 'Private',
      Port: String(address.port),
      VPCId: 'vpc-emulator',
      VPCInstanceId: i.instanceId,
      Upgradeable: '0',
      ExpiredTime: '',
      IsSlaveProxy: 0,
    });
    const items = i.directConnection ? [item(false), item(true)] : [item(false)];
    return { InstanceNetworkType: 'VPC', NetInfoItems: { InstanceNetInfo: items } };
  },
};
