// What Configure, Start, Suspend, Reset and Delete do to the one job model, whichever API family asks.
// The families differ in their words (operations/*.ts and operations/dtsjob/*.ts read them); the rules are here.
import { randomBytes } from 'node:crypto';
import { wireStatus } from '../dialect';
import { ApiError, operationErrors } from '../errors';
import { currentStatus, recordHistory } from '../lifecycle';
import type { Direction, DirectionConfig, DirectionRecord, JobRecord } from '../model';
import { endpointKey } from '../precheck';
import { planFullRun, planRecoverRun, planResumeRun } from '../run-planner';
import type { OperationContext } from './context';

/** A direction paused longer than this cannot be started again (docs/dts-api.md §1.4); scaled like all durations. */
const MAX_SUSPENSION_MS = 6 * 3600_000;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** 13 characters of DTS's id alphabet (an instance id is `dts` + these). */
export function newIdSuffix(): string {
  return [...randomBytes(13)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

/**
 * The DtsJobId of a direction. Forward's is the instance id without `dts`, as in every sample of the reference
 * (`dtsl3m1213ye7l****` / `l3m1213ye7l****`); Reverse gets its own. Given on first use, for older state files.
 */
export function directionJobId(job: JobRecord, name: Direction): string {
  const direction = job.directions[name] as DirectionRecord;
  direction.dtsJobId ??= name === 'Forward' ? job.jobId.replace(/^dts/, '') : newIdSuffix();
  return direction.dtsJobId;
}

function shown(ctx: OperationContext, direction: DirectionRecord): string {
  return wireStatus(currentStatus(direction, ctx.now), ctx.options.dialect);
}

/** A configured direction is refused another Configure; the code is a guess (dialect `reconfigure`). */
function alreadyConfigured(ctx: OperationContext, job: JobRecord, name: Direction, idName: string): ApiError {
  const why = `the ${name} direction of ${job.jobId} is already configured (status ${shown(ctx, job.directions[name] as DirectionRecord)}); reset it before configuring again`;
  if (ctx.options.dialect.reconfigure === 'invalidParameter') {
    return new ApiError('InvalidParameter', 403, `The Value of Input Parameter ${idName} is not valid: ${why}.`);
  }
  return operationErrors.jobStatus(why);
}

/**
 * Reverse must connect the Forward pair of instances: in either order, or (by dialect) swapped as the console
 * guide shows, or in Forward's own order (docs/dts-api.md §2.4).
 */
function checkReversePair(ctx: OperationContext, job: JobRecord, config: DirectionConfig, names: EndpointNames): void {
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
  if (!expected.source.includes(source)) throw operationErrors.invalid(names.sourceId, why);
  if (!expected.destination.includes(destination) || destination === source) {
    throw operationErrors.invalid(names.destinationId, why);
  }
}

/** With reverseInitialization=seed, Reverse is configured the way Alibaba's sample and the console do it. */
function checkReverseInitialization(ctx: OperationContext, config: DirectionConfig): void {
  if (ctx.options.dialect.reverseInitialization !== 'seed') return;
  const why = 'the Reverse direction must be configured with true (full plus incremental, as the console fixes it)';
  if (!config.structureInitialization) throw operationErrors.invalid('StructureInitialization', why);
  if (!config.dataInitialization) throw operationErrors.invalid('DataInitialization', why);
}

/** The wire names a refusal names, per family. */
export interface EndpointNames {
  jobId: string;
  sourceId: string;
  destinationId: string;
}

/** Configure one direction; unless told not to, it starts its precheck at once. */
export function configureDirection(
  ctx: OperationContext,
  job: JobRecord,
  name: Direction,
  config: DirectionConfig,
  names: EndpointNames,
): void {
  const direction = job.directions[name] as DirectionRecord;
  if (direction.config) throw alreadyConfigured(ctx, job, name, names.jobId);
  if (name === 'Reverse') {
    const forwardStatus = currentStatus(job.directions.Forward, ctx.now);
    if (forwardStatus !== 'Synchronizing') {
      throw operationErrors.jobStatus(
        `the Reverse direction can be configured only when Forward is Synchronizing (Forward is ${shown(ctx, job.directions.Forward)})`,
      );
    }
    checkReversePair(ctx, job, config, names);
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
}

/** Start: NotStarted/PrecheckFailed → precheck; Failed → short re-init; Suspending → resume. */
export function startDirection(ctx: OperationContext, job: JobRecord, name: Direction): void {
  const direction = job.directions[name] as DirectionRecord;
  const status = currentStatus(direction, ctx.now);
  const wire = shown(ctx, direction);
  recordHistory(direction, ctx.now);
  switch (status) {
    case 'PrecheckFailed':
      // Start's page lists only NotStarted, Failed and Suspending (docs/dts-api.md §1.3).
      if (ctx.options.dialect.startAfterPrecheckFailed === 'refused') {
        throw operationErrors.jobStatus(
          `${ctx.action} is not allowed while the ${name} direction is ${wire}; reset and configure it again`,
        );
      }
      direction.run = planFullRun(ctx, ctx.action, job, name, ctx.now);
      break;
    case 'NotStarted':
      direction.run = planFullRun(ctx, ctx.action, job, name, ctx.now);
      break;
    case 'Failed':
      direction.run = planRecoverRun(ctx, ctx.action, job, name, ctx.now);
      break;
    case 'Suspending': {
      const pausedFor = ctx.now - (direction.run?.suspendedAt ?? ctx.now);
      if (pausedFor > MAX_SUSPENSION_MS * ctx.options.timeScale) {
        throw operationErrors.jobStatus(
          `the ${name} direction was suspended for more than 6 hours and cannot be started again`,
        );
      }
      direction.run = planResumeRun(ctx, ctx.action, job, name, ctx.now);
      break;
    }
    default:
      throw operationErrors.jobStatus(`${ctx.action} is not allowed while the ${name} direction is ${wire}`);
  }
  direction.startCount += 1;
  recordHistory(direction, ctx.now);
}

/** Suspend: only while Synchronizing. */
export function suspendDirection(ctx: OperationContext, job: JobRecord, name: Direction): void {
  const direction = job.directions[name] as DirectionRecord;
  if (currentStatus(direction, ctx.now) !== 'Synchronizing' || !direction.run) {
    throw operationErrors.jobStatus(
      `${ctx.action} is allowed only while Synchronizing; the ${name} direction is ${shown(ctx, direction)}`,
    );
  }
  direction.run.suspendedAt = ctx.now;
  recordHistory(direction, ctx.now);
}

/**
 * Reset: the direction's configuration is cleared so it can be configured again. With resetJobId=new its task
 * gets a new DtsJobId (the DtsJob page: DTS deletes the task and creates another); the instance id stays.
 */
export function resetDirection(ctx: OperationContext, job: JobRecord, name: Direction): void {
  const direction = job.directions[name] as DirectionRecord;
  recordHistory(direction, ctx.now);
  // Resetting an unconfigured direction is accepted and changes nothing.
  if (!direction.config) return;
  delete direction.config;
  delete direction.run;
  delete direction.configuredAt;
  delete direction.modification;
  direction.history.push({ status: 'NotConfigured', at: new Date(ctx.now).toISOString() });
  if (ctx.options.dialect.resetJobId === 'new') direction.dtsJobId = newIdSuffix();
}

/** Release the whole instance, in any state. */
export function releaseJob(ctx: OperationContext, job: JobRecord): void {
  for (const direction of [job.directions.Forward, job.directions.Reverse]) {
    if (direction) recordHistory(direction, ctx.now);
  }
  job.released = true;
  job.releasedAt = ctx.now;
}
