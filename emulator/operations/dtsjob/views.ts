// What the DtsJob family answers about a task: DescribeDtsJobs items and DescribeDtsJobDetail, with the field
// names of the dts-20200101 response models (docs/dts-api.md §12).
import { wireDtsJobStatus, type Dialect } from '../../dialect';
import {
  currentClass,
  currentObjects,
  currentStatus,
  dataInitializationStatus,
  dataSynchronizationStatus,
  precheckStatus,
  statusErrorMessage,
  structureInitializationStatus,
} from '../../lifecycle';
import type { Direction, EndpointConfig, JobRecord, RunPlan } from '../../model';
import { directionJobId } from '../direction-actions';
import { expireTime } from '../common';
import { jobName } from '../views';
import { text } from '../../../common/text';

/** The family's instance type for each of the shared model's words. */
const WIRE_KINDS: Readonly<Record<string, string>> = {
  redis: 'REDIS',
  ecs: 'ECS',
  express: 'EXPRESS',
  dg: 'DG',
  cen: 'CEN',
  other: 'OTHER',
};

function endpointView(endpoint: EndpointConfig | undefined, engine: string, region: string) {
  return {
    InstanceID: endpoint?.instanceId ?? '',
    InstanceType: endpoint ? (WIRE_KINDS[endpoint.instanceType.toLowerCase()] ?? endpoint.instanceType) : '',
    EngineName: engine.toUpperCase(),
    Ip: endpoint?.ip ?? '',
    Port: endpoint?.port !== undefined ? String(endpoint.port) : '',
    Region: region,
    UserName: endpoint?.userName ?? '',
    DatabaseName: '',
    OracleSID: '',
    SslSolutionEnum: 'DISABLE',
  };
}

/** PrecheckStatus in this family's words: Checking/Finished, and CheckItem/CheckResult/FailedReason per item. */
function precheckView(run: RunPlan | undefined, now: number) {
  const precheck = precheckStatus(run, now);
  const status = { Prechecking: 'Checking', Success: 'Finished' }[precheck.Status] ?? precheck.Status;
  const detail = (
    precheck.Detail as { ItemName: string; CheckStatus: string; ErrorMessage: string; RepairMethod: string }[]
  ).map((item) => ({
    CheckItem: item.ItemName,
    CheckItemDescription: `${item.ItemName}_DETAIL`,
    CheckResult: item.CheckStatus === 'Failed' ? 'Failed' : 'Success',
    FailedReason: item.ErrorMessage,
    RepairMethod: item.RepairMethod,
  }));
  const failed = detail.find((d) => d.CheckResult === 'Failed');
  return { Status: status, Percent: precheck.Percent, ErrorMessage: failed?.FailedReason ?? '', Detail: detail };
}

/**
 * DbObject: the DbList as configured, or as an ended modification (ModifyDtsJob, ModifySynchronizationObject) left
 * it; the legacy family's objects in the same shape.
 */
function dbObject(job: JobRecord, name: Direction, now: number): string {
  const direction = job.directions[name];
  const config = direction?.config;
  if (!direction || !config) return '';
  const modification = direction.modification;
  const ended = modification && now >= modification.until ? modification : undefined;
  const dbList = ended ? ended.dbList : config.dbList;
  if (dbList) return JSON.stringify(dbList);
  const list: Record<string, unknown> = {};
  for (const o of currentObjects(direction, now) as { DBName?: unknown; NewDBName?: unknown }[]) {
    const db = text(o.DBName);
    list[db] = { name: text(o.NewDBName ?? db), all: true };
  }
  return JSON.stringify(list);
}

/** The fields DescribeDtsJobs and its ReverseJob give for one task. */
export function taskView(job: JobRecord, name: Direction, now: number, dialect: Dialect, withDbList = true) {
  const direction = job.directions[name];
  if (!direction) throw new Error(`no ${name} direction`);
  const { config, run } = direction;
  const sync = dataSynchronizationStatus(direction, now);
  const [sourceEngine, destinationEngine] =
    name === 'Forward' ? [job.sourceEngine, job.destinationEngine] : [job.destinationEngine, job.sourceEngine];
  const [sourceRegion, destRegion] =
    name === 'Forward' ? [job.sourceRegion, job.destRegion] : [job.destRegion, job.sourceRegion];
  const moving = sync.Status === 'Migrating';
  return {
    DtsJobId: directionJobId(job, name),
    DtsInstanceID: job.jobId,
    DtsJobName: config?.name ?? (name === 'Forward' ? jobName(job) : ''),
    DtsJobClass: currentClass(job, now),
    DtsJobDirection: name,
    JobType: 'SYNC',
    Status: wireDtsJobStatus(currentStatus(direction, now), dialect),
    ErrorMessage: statusErrorMessage(direction, now),
    PayType: job.payType,
    ExpireTime: expireTime(job),
    CreateTime: `${new Date(job.createdAt).toISOString().slice(0, 19)}Z`,
    Checkpoint: sync.Checkpoint,
    // Seconds in this list (DescribeDtsJobDetail gives milliseconds).
    Delay: Math.floor(sync.DelayMillis / 1000),
    SourceEndpoint: endpointView(config?.source, sourceEngine, sourceRegion),
    DestinationEndpoint: endpointView(config?.destination, destinationEngine, destRegion),
    MigrationMode: {
      StructureInitialization: config?.structureInitialization ?? false,
      DataInitialization: config?.dataInitialization ?? false,
      DataSynchronization: config ? config.dataSynchronization !== false : false,
    },
    PrecheckStatus: precheckView(run, now),
    StructureInitializationStatus: structureInitializationStatus(run, now),
    DataInitializationStatus: dataInitializationStatus(run, now),
    DataSynchronizationStatus: {
      Status: sync.Status,
      Percent: sync.Percent,
      Progress: '0/0',
      ErrorMessage: sync.ErrorMessage,
      NeedUpgrade: false,
    },
    Performance: { Rps: moving ? '120' : '0', Flow: moving ? '0.05' : '0' },
    ...(withDbList ? { DbObject: dbObject(job, name, now) } : {}),
    Reserved: JSON.stringify(config?.migrationReserved ?? {}),
    OriginType: 'DTS',
    ResourceGroupId: job.resourceGroupId ?? '',
    TagList: Object.entries(job.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    ErrorDetails: [],
  };
}

/** DescribeDtsJobDetail: the top-level fields of its model (precheck and initialization detail are the list's). */
export function taskDetail(job: JobRecord, name: Direction, now: number, dialect: Dialect) {
  const view = taskView(job, name, now, dialect);
  const sync = dataSynchronizationStatus(job.directions[name] as NonNullable<JobRecord['directions'][Direction]>, now);
  return {
    DtsJobId: view.DtsJobId,
    DtsInstanceID: view.DtsInstanceID,
    DtsJobName: view.DtsJobName,
    DtsJobClass: view.DtsJobClass,
    // Returned only for a two-way instance.
    ...(job.topology === 'bidirectional' ? { DtsJobDirection: name } : {}),
    SynchronizationDirection: name,
    JobType: 'sync',
    Status: view.Status,
    ErrorMessage: view.ErrorMessage,
    PayType: view.PayType,
    ExpireTime: view.ExpireTime,
    CreateTime: view.CreateTime,
    FinishTime: '',
    // A number of seconds, and the delay in milliseconds, in this action's model.
    Checkpoint: Number(sync.Checkpoint),
    Delay: sync.DelayMillis,
    SourceEndpoint: { ...view.SourceEndpoint, CanModifyPassword: true },
    DestinationEndpoint: { ...view.DestinationEndpoint, CanModifyPassword: true },
    MigrationMode: { ...view.MigrationMode, DataExtractTransformLoad: false },
    DataSynchronizationStatus: view.DataSynchronizationStatus,
    DbObject: view.DbObject,
    Reserved: view.Reserved,
    SubSyncJob: [],
  };
}
