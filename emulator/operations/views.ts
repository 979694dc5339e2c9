// The per-direction view of DescribeSynchronizationJobStatus (docs/dts-api.md §2.1), also used by the job list.
import {
  currentClass,
  currentObjects,
  currentStatus,
  dataInitializationStatus,
  dataSynchronizationStatus,
  precheckStatus,
  statusErrorMessage,
  structureInitializationStatus,
} from '../lifecycle';
import { wireFlag, wirePrecheckStatus, wireStatus, type Dialect } from '../dialect';
import type { Direction, EndpointConfig, JobRecord } from '../model';
import { text } from '../../common/text';
import { expireTime } from './common';

function endpointView(endpoint: EndpointConfig | undefined, engine: string) {
  return {
    InstanceId: endpoint?.instanceId ?? '',
    InstanceType: endpoint?.instanceType ?? engine,
    EngineName: engine,
    IP: endpoint?.ip ?? '',
    Port: endpoint?.port !== undefined ? String(endpoint.port) : '',
    UserName: endpoint?.userName ?? '',
  };
}

export function jobName(job: JobRecord): string {
  return job.directions.Forward.config?.name ?? job.directions.Reverse?.config?.name ?? '';
}

function precheckView(run: Parameters<typeof precheckStatus>[0], now: number, dialect: Dialect) {
  const precheck = precheckStatus(run, now);
  return { ...precheck, Status: wirePrecheckStatus(precheck.Status, dialect) };
}

export function directionView(job: JobRecord, name: Direction, now: number, dialect: Dialect): Record<string, unknown> {
  const direction = job.directions[name];
  if (!direction) throw new Error(`no ${name} direction`);
  const config = direction.config;
  const run = direction.run;
  const sync = dataSynchronizationStatus(direction, now);
  const [sourceEngine, destinationEngine] =
    name === 'Forward' ? [job.sourceEngine, job.destinationEngine] : [job.destinationEngine, job.sourceEngine];
  return {
    SynchronizationJobId: job.jobId,
    SynchronizationJobName: config?.name ?? jobName(job),
    SynchronizationJobClass: currentClass(job, now),
    SynchronizationDirection: name,
    PayType: job.payType,
    ExpireTime: expireTime(job),
    Status: wireStatus(currentStatus(direction, now), dialect),
    ErrorMessage: statusErrorMessage(direction, now),
    StructureInitialization: wireFlag(config?.structureInitialization ?? false, dialect),
    DataInitialization: wireFlag(config?.dataInitialization ?? false, dialect),
    Delay: sync.Delay,
    DelayMillis: sync.DelayMillis,
    Checkpoint: sync.Checkpoint,
    TaskId: config?.taskId ?? '',
    SourceEndpoint: endpointView(config?.source, sourceEngine),
    DestinationEndpoint: endpointView(config?.destination, destinationEngine),
    SynchronizationObjects: currentObjects(direction, now).map((o) => {
      const object = o as Record<string, unknown>;
      return {
        SchemaName: text(object.DBName),
        NewSchemaName: text(object.NewDBName ?? object.DBName),
        TableIncludes: [],
        TableExcludes: [],
      };
    }),
    PrecheckStatus: precheckView(run, now, dialect),
    StructureInitializationStatus: structureInitializationStatus(run, now),
    DataInitializationStatus: dataInitializationStatus(run, now),
    DataSynchronizationStatus: sync,
    Performance: {
      RPS: sync.Status === 'Migrating' ? '120' : '0',
      FLOW: sync.Status === 'Migrating' ? '0.05MB/s' : '0.00MB/s',
    },
  };
}
