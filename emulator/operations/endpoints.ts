// Reads SourceEndpoint.* / DestinationEndpoint.* of ConfigureSynchronizationJob.
import { operationErrors } from '../errors';
import type { EndpointConfig } from '../model';
import type { ParamReader } from '../params';

const SOURCE_TYPES = ['RDS', 'Redis', 'PolarDB', 'ECS', 'Express', 'dg', 'cen'] as const;
const DESTINATION_TYPES = [
  'Redis',
  'RDS',
  'PolarDB',
  'ECS',
  'Express',
  'DataHub',
  'MaxCompute',
  'AnalyticDB',
  'AnalyticDB30',
  'Greenplum',
] as const;
/** Deployment kinds through which DTS reaches a Redis engine. */
const REDIS_DEPLOYMENTS = ['Redis', 'ECS', 'Express', 'dg', 'cen'];
const NEEDS_IP = ['Express', 'dg', 'cen'];
const NEEDS_PORT = ['ECS', 'Express', 'dg', 'cen'];

export function readEndpoint(
  reader: ParamReader,
  prefix: 'SourceEndpoint' | 'DestinationEndpoint',
  engine: string,
): EndpointConfig {
  const allowed = prefix === 'SourceEndpoint' ? SOURCE_TYPES : DESTINATION_TYPES;
  const typeName = `${prefix}.InstanceType`;
  const instanceType: string = reader.enumOf(typeName, allowed, { caseInsensitive: true }) ?? 'RDS';
  if (engine !== 'Redis') {
    throw operationErrors.invalid(
      typeName,
      `the instance was bought for a ${engine} endpoint; this emulator models Redis only`,
    );
  }
  if (!REDIS_DEPLOYMENTS.includes(instanceType)) {
    throw operationErrors.invalid(
      typeName,
      `the instance was bought for Redis; use Redis, ECS, Express, dg or cen, not ${instanceType}`,
    );
  }
  const endpoint: EndpointConfig = { instanceType };
  if (instanceType === 'Redis' || instanceType === 'ECS') endpoint.instanceId = reader.required(`${prefix}.InstanceId`);
  else if (reader.optional(`${prefix}.InstanceId`)) endpoint.instanceId = reader.optional(`${prefix}.InstanceId`);
  const ip = NEEDS_IP.includes(instanceType) ? reader.required(`${prefix}.IP`) : reader.optional(`${prefix}.IP`);
  if (ip !== undefined) {
    if (!/^[0-9a-zA-Z.:-]+$/.test(ip))
      throw operationErrors.invalid(`${prefix}.IP`, 'expected an IP address or host name');
    endpoint.ip = ip;
  }
  if (NEEDS_PORT.includes(instanceType)) reader.required(`${prefix}.Port`);
  const port = reader.integer(`${prefix}.Port`, 1, 65535);
  if (port !== undefined) endpoint.port = port;
  const password = reader.optional(`${prefix}.Password`);
  if (password !== undefined) endpoint.password = password;
  const userName = reader.optional(`${prefix}.UserName`);
  if (userName !== undefined) endpoint.userName = userName;
  if (reader.optional(`${prefix}.OwnerID`) !== undefined) reader.required(`${prefix}.Role`);
  return endpoint;
}
