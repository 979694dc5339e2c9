// ConfigureSynchronizationJob: configures one direction and (unless told not to) starts its precheck.
import { randomBytes } from 'node:crypto';
import { wireStatus } from '../dialect';
import { operationErrors } from '../errors';
import { currentStatus, recordHistory } from '../lifecycle';
import type { DirectionConfig, JobRecord } from '../model';
import type { ParamReader } from '../params';
import { endpointKey } from '../precheck';
import { planFullRun } from '../run-planner';
import { targetDirection, targetJob } from './common';
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

function readMigrationReserved(reader: ParamReader): Record<string, unknown> | undefined {
  const reserved = reader.json('MigrationReserved');
  if (reserved === undefined) return undefined;
  const bad = (why: string) => operationErrors.invalid('MigrationReserved', why);
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

/**
 * Reverse must connect the Forward pair of instances: in either order, or (by dialect) swapped as the console
 * guide shows, or in Forward's own order (docs/dts-api.md §2.4).
 */
function checkReversePair(ctx: OperationContext, job: JobRecord, config: DirectionConfig): void {
  const forward = job.directions.Forward.config as DirectionConfig;
  const registry = ctx.state.registry;
  const [from, to] = [endpointKey(forward.source, registry), endpointKey(forward.destination, registry)];
  const source = endpointKey(config.source, registry);
  const destination = endpointKey(config.destination, registry);
  const order = ctx.options.dialect.reverseEndpoints;
  const expected =
    order === 'swapped'
      ? { source: [to], destination: [from] }
      : order === 'same'
        ? { source: [from], destination: [to] }
        : { source: [from, to], destination: [from, to] };
  const why = {
    either: `the Reverse direction must use the instances of the Forward direction (${from}, ${to})`,
    swapped: `the Reverse direction's source must be the Forward destination (${to}) and its destination the Forward source (${from})`,
    same: `the Reverse direction must name the Forward source (${from}) as source and its destination (${to}) as destination`,
  }[order];
  if (!expected.source.includes(source)) throw operationErrors.invalid('SourceEndpoint.InstanceId', why);
  if (!expected.destination.includes(destination) || destination === source) {
    throw operationErrors.invalid('DestinationEndpoint.InstanceId', why);
  }
}

/** With reverseInitialization=seed, Reverse is configured the way Alibaba's sample and the console do it. */
function checkReverseInitialization(ctx: OperationContext, config: DirectionConfig): void {
  if (ctx.options.dialect.reverseInitialization !== 'seed') return;
  const why = 'the Reverse direction must be configured with true (full plus incremental, as the console fixes it)';
  if (!config.structureInitialization) throw operationErrors.invalid('StructureInitialization', why);
  if (!config.dataInitialization) throw operationErrors.invalid('DataInitialization', why);
}

export const configureSynchronizationJob: Operation = (ctx) => {
  const job = targetJob(ctx);
  const { name, direction } = targetDirection(ctx, job);
  const config = readConfig(ctx, job);
  const status = wireStatus(currentStatus(direction, ctx.now), ctx.options.dialect);
  if (direction.config) {
    throw operationErrors.jobStatus(
      `the ${name} direction of ${job.jobId} is already configured (status ${status}); reset it before configuring again`,
    );
  }
  if (name === 'Reverse') {
    const forwardStatus = currentStatus(job.directions.Forward, ctx.now);
    if (forwardStatus !== 'Synchronizing') {
      const shown = wireStatus(forwardStatus, ctx.options.dialect);
      throw operationErrors.jobStatus(
        `the Reverse direction can be configured only when Forward is Synchronizing (Forward is ${shown})`,
      );
    }
    checkReversePair(ctx, job, config);
    checkReverseInitialization(ctx, config);
  }

  direction.config = config;
  delete direction.modification;
  direction.configuredAt = ctx.now;
  direction.configureCount += 1;
  delete direction.run;
  if (config.migrationReserved?.autoStartModulesAfterConfig === 'none') {
    direction.history.push({ status: 'NotStarted', at: new Date(ctx.now).toISOString() });
  } else {
    direction.run = planFullRun(ctx, ctx.action, job, name, ctx.now);
    recordHistory(direction, ctx.now);
  }
  return { Success: true };
};
