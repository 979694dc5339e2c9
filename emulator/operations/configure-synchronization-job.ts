// ConfigureSynchronizationJob: configures one direction and (unless told not to) starts its precheck.
import { randomBytes } from 'node:crypto';
import { operationErrors } from '../errors';
import type { DirectionConfig, JobRecord } from '../model';
import type { ParamReader } from '../params';
import { targetDirection, targetJob } from './common';
import { configureDirection } from './direction-actions';
import type { Operation, OperationContext } from './context';
import { readEndpoint } from './endpoints';
import { text } from '../../common/text';

function readObjects(reader: ParamReader): unknown[] {
  reader.required('SynchronizationObjects');
  const objects = reader.json('SynchronizationObjects');
  const valid =
    Array.isArray(objects) &&
    objects.length > 0 &&
    objects.every(
      (o) =>
        o !== null &&
        typeof o === 'object' &&
        !Array.isArray(o) &&
        typeof (o as Record<string, unknown>).DBName === 'string',
    );
  if (!valid)
    throw operationErrors.invalid(
      'SynchronizationObjects',
      'expected a JSON array of objects with a DBName, e.g. [{"DBName":"0","NewDBName":"0"}]',
    );
  return objects;
}

/** MigrationReserved (legacy) or Reserve (DtsJob): a JSON object whose keys DTS reads are checked. */
export function readMigrationReserved(
  reader: ParamReader,
  name: 'MigrationReserved' | 'Reserve' = 'MigrationReserved',
): Record<string, unknown> | undefined {
  const reserved = reader.json(name);
  if (reserved === undefined) return undefined;
  const bad = (why: string) => operationErrors.invalid(name, why);
  if (reserved === null || typeof reserved !== 'object' || Array.isArray(reserved)) throw bad('expected a JSON object');
  const r = reserved as Record<string, unknown>;
  if (
    r.autoStartModulesAfterConfig !== undefined &&
    r.autoStartModulesAfterConfig !== 'all' &&
    r.autoStartModulesAfterConfig !== 'none'
  ) {
    throw bad('autoStartModulesAfterConfig must be all or none');
  }
  for (const key of ['srcRedisType', 'destRedisType']) {
    if (r[key] !== undefined && r[key] !== 'enterprise') throw bad(`${key} must be enterprise`);
  }
  if (r.targetTableMode !== undefined && !['0', '2'].includes(text(r.targetTableMode)))
    throw bad('targetTableMode must be 0 or 2');
  return r;
}

function readConfig(ctx: OperationContext, job: JobRecord): DirectionConfig {
  const { reader } = ctx;
  const synchronizationObjects = readObjects(reader);
  const structureInitialization = reader.requiredBoolean('StructureInitialization');
  const dataInitialization = reader.requiredBoolean('DataInitialization');
  reader.region('RegionId', false);
  const name = reader.optional('SynchronizationJobName');
  if (name !== undefined && name.length > 128)
    throw operationErrors.invalid('SynchronizationJobName', 'at most 128 characters');
  const source = readEndpoint(reader, 'SourceEndpoint', job.sourceEngine);
  const destination = readEndpoint(reader, 'DestinationEndpoint', job.destinationEngine);
  for (const unit of ['Year', 'Month', 'Day', 'Hour', 'Minute']) reader.boolean(`PartitionKey.ModifyTime_${unit}`);
  const migrationReserved = readMigrationReserved(reader);
  const checkpoint = reader.integer('Checkpoint', 0, 4102444800);
  const config: DirectionConfig = {
    taskId: `dts${randomBytes(6).toString('hex')}`,
    source,
    destination,
    structureInitialization,
    dataInitialization,
    synchronizationObjects,
  };
  if (name !== undefined) config.name = name;
  if (migrationReserved) config.migrationReserved = migrationReserved;
  if (checkpoint !== undefined) config.checkpoint = checkpoint;
  return config;
}

export const configureSynchronizationJob: Operation = (ctx) => {
  const job = targetJob(ctx);
  const { name } = targetDirection(ctx, job);
  configureDirection(ctx, job, name, readConfig(ctx, job), {
    jobId: 'SynchronizationJobId',
    sourceId: 'SourceEndpoint.InstanceId',
    destinationId: 'DestinationEndpoint.InstanceId',
  });
  return { Success: true };
};
