// ConfigureDtsJob: configures one task of a bought instance; unless Reserve says none, its precheck starts.
import { randomBytes } from 'node:crypto';
import { operationErrors } from '../../errors';
import type { DirectionConfig, EndpointConfig, JobRecord } from '../../model';
import type { ParamReader } from '../../params';
import type { Operation, OperationContext } from '../context';
import { configureDirection, directionJobId } from '../direction-actions';
import { readMigrationReserved } from '../configure-synchronization-job';
import { chooseDirection, findInstance, findTask } from './common';
import type { Direction } from '../../model';

/** The family's instance types this emulator reaches Redis through, and the shared model's word for each. */
const KINDS: Readonly<Record<string, string>> = {
  REDIS: 'Redis',
  ECS: 'ECS',
  EXPRESS: 'Express',
  DG: 'dg',
  CEN: 'cen',
  OTHER: 'other',
};

function readEndpoint(
  reader: ParamReader,
  prefix: 'SourceEndpoint' | 'DestinationEndpoint',
  engine: string,
): EndpointConfig {
  const typeName = `${prefix}InstanceType`;
  const type = reader.required(typeName).toUpperCase();
  const instanceType = KINDS[type];
  if (instanceType === undefined) {
    throw operationErrors.invalidParameter(
      typeName,
      `this emulator models Redis reached as ${Object.keys(KINDS).join(', ')}`,
    );
  }
  const engineName = `${prefix}EngineName`;
  if (engine !== 'Redis') {
    throw operationErrors.invalidParameter(
      engineName,
      `the instance was bought for ${engine}; this emulator models Redis only`,
    );
  }
  // MYSQL when absent, as the reference says.
  if ((reader.optional(engineName) ?? 'MYSQL').toUpperCase() !== 'REDIS') {
    throw operationErrors.invalidParameter(engineName, 'the instance was bought for Redis: expected REDIS');
  }
  const endpoint: EndpointConfig = { instanceType };
  const instanceId = reader.optional(`${prefix}InstanceID`);
  if (instanceId !== undefined) endpoint.instanceId = instanceId;
  const ip = reader.optional(`${prefix}IP`);
  if (ip !== undefined) {
    if (!/^[0-9a-zA-Z.:-]+$/.test(ip))
      throw operationErrors.invalidParameter(`${prefix}IP`, 'expected an IP address or host name');
    endpoint.ip = ip;
  }
  const port = reader.optional(`${prefix}Port`);
  if (port !== undefined) endpoint.port = Number(port);
  const password = reader.optional(`${prefix}Password`);
  if (password !== undefined) endpoint.password = password;
  const userName = reader.optional(`${prefix}UserName`);
  if (userName !== undefined) endpoint.userName = userName;
  return endpoint;
}

/** DbList for Redis: databases by number, e.g. {"0":{"name":"0","all":true}}; absent means every database. */
export function readDbList(reader: ParamReader): { dbList?: Record<string, unknown>; objects: unknown[] } {
  const dbList = reader.json('DbList');
  if (dbList === undefined) return { objects: [] };
  const valid =
    dbList !== null &&
    typeof dbList === 'object' &&
    !Array.isArray(dbList) &&
    Object.values(dbList).every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  if (!valid) {
    throw operationErrors.invalidParameter(
      'DbList',
      'expected a JSON object of databases, e.g. {"0":{"name":"0","all":true}}',
    );
  }
  const entries = Object.entries(dbList as Record<string, Record<string, unknown>>);
  const objects = entries.map(([db, v]) => ({ DBName: db, NewDBName: typeof v.name === 'string' ? v.name : db }));
  return { dbList: dbList as Record<string, unknown>, objects };
}

/** The instance and task the call names: DtsInstanceId (buy first), DtsJobId, or both (they must agree). */
function targetInstance(ctx: OperationContext): { job: JobRecord; name: Direction } {
  const instanceId = ctx.reader.optional('DtsInstanceId');
  const taskId = ctx.reader.optional('DtsJobId');
  if (instanceId === undefined && taskId === undefined) {
    throw operationErrors.invalidParameter(
      'DtsInstanceId',
      'name the instance bought with CreateDtsInstance (this emulator models buying first)',
    );
  }
  const byTask = taskId === undefined ? undefined : findTask(ctx, taskId);
  if (taskId !== undefined && (!byTask || (instanceId !== undefined && byTask.job.jobId !== instanceId))) {
    throw operationErrors.jobNotFound(taskId);
  }
  const job = byTask?.job ?? findInstance(ctx, instanceId as string);
  const name = chooseDirection(ctx, job, byTask?.name ?? 'Forward');
  ctx.call.jobId = job.jobId;
  ctx.call.direction = name;
  return { job, name };
}

function readConfig(ctx: OperationContext, job: JobRecord, name: Direction): DirectionConfig {
  const { reader } = ctx;
  if (reader.required('JobType') !== 'SYNC') {
    throw operationErrors.invalidParameter('JobType', `${job.jobId} is a data synchronization instance: expected SYNC`);
  }
  const [sourceEngine, destinationEngine] =
    name === 'Forward' ? [job.sourceEngine, job.destinationEngine] : [job.destinationEngine, job.sourceEngine];
  const { dbList, objects } = readDbList(reader);
  const reserve = readMigrationReserved(reader, 'Reserve');
  const checkpoint = reader.optional('Checkpoint');
  const config: DirectionConfig = {
    name: reader.required('DtsJobName'),
    taskId: `dts${randomBytes(6).toString('hex')}`,
    source: readEndpoint(reader, 'SourceEndpoint', sourceEngine),
    destination: readEndpoint(reader, 'DestinationEndpoint', destinationEngine),
    structureInitialization: reader.requiredBoolean('StructureInitialization'),
    dataInitialization: reader.requiredBoolean('DataInitialization'),
    dataSynchronization: reader.requiredBoolean('DataSynchronization'),
    synchronizationObjects: objects,
  };
  if (dbList) config.dbList = dbList;
  if (reserve) config.migrationReserved = reserve;
  if (checkpoint !== undefined) config.checkpoint = Number(checkpoint);
  return config;
}

export const configureDtsJob: Operation = (ctx) => {
  const { job, name } = targetInstance(ctx);
  configureDirection(ctx, job, name, readConfig(ctx, job, name), {
    jobId: 'DtsJobId',
    sourceId: 'SourceEndpointInstanceID',
    destinationId: 'DestinationEndpointInstanceID',
  });
  // Strings in this action's model.
  return { DtsInstanceId: job.jobId, DtsJobId: directionJobId(job, name), Success: 'true', HttpStatusCode: '200' };
};
