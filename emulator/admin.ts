// The unsigned /__emulator/ API that tests and demos use to seed, inspect and break the emulator.
import type { CallLog } from './calls';
import { FaultInputError, parseFault, type FaultStore } from './faults';
import { InstanceInputError, parseInstances, publicInstance } from './instances';
import { currentClass, currentObjects, currentStatus, recordHistory } from './lifecycle';
import type { Direction, DirectionRecord, EndpointConfig, JobRecord } from './model';
import type { NonceStore } from './nonces';
import type { ResolvedOptions } from './options';
import { expireTime } from './operations/common';
import { directionJobId } from './operations/direction-actions';
import { jobName } from './operations/views';
import { applyFailLaterToRunning, planResumeRun } from './run-planner';
import type { EmulatorState } from './state';

export const ADMIN_PREFIX = '/__emulator/';

export interface AdminDeps {
  state: EmulatorState;
  faults: FaultStore;
  calls: CallLog;
  nonces: NonceStore;
  options: ResolvedOptions;
}

export interface AdminReply {
  status: number;
  body: unknown;
}

function endpointView(endpoint: EndpointConfig | undefined) {
  if (!endpoint) return undefined;
  const { password: _password, passwordChangedAt, ...rest } = endpoint;
  return { ...rest, ...(passwordChangedAt ? { passwordChangedAt: new Date(passwordChangedAt).toISOString() } : {}) };
}

function directionView(job: JobRecord, name: Direction, direction: DirectionRecord, now: number) {
  return {
    dtsJobId: directionJobId(job, name),
    status: currentStatus(direction, now),
    configureCount: direction.configureCount,
    startCount: direction.startCount,
    synchronizationObjects: currentObjects(direction, now),
    source: endpointView(direction.config?.source),
    destination: endpointView(direction.config?.destination),
    history: direction.history,
  };
}

function jobView(job: JobRecord, now: number) {
  const name = jobName(job);
  const at = job.releasedAt ?? now;
  return {
    jobId: job.jobId,
    family: job.family ?? 'synchronizationjob',
    topology: job.topology,
    payType: job.payType,
    jobClass: currentClass(job, now),
    sourceRegion: job.sourceRegion,
    destRegion: job.destRegion,
    clientToken: job.clientToken,
    createdAt: new Date(job.createdAt).toISOString(),
    released: job.released,
    expireTime: expireTime(job) || undefined,
    tags: job.tags ?? {},
    resourceGroupId: job.resourceGroupId,
    releasedAt: job.releasedAt !== undefined ? new Date(job.releasedAt).toISOString() : undefined,
    name: name === '' ? undefined : name,
    directions: {
      Forward: directionView(job, 'Forward', job.directions.Forward, at),
      ...(job.directions.Reverse ? { Reverse: directionView(job, 'Reverse', job.directions.Reverse, at) } : {}),
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text === '' ? 'null' : text) as unknown;
  } catch {
    throw new InstanceInputError('body is not valid JSON');
  }
}

/**
 * What the DTS console does from outside the API: pause a Synchronizing direction, or resume a Suspending one.
 * The change shows in the next Describe call like any other, and in the direction's history.
 */
function consoleAction(
  deps: AdminDeps,
  jobId: string,
  action: 'suspend' | 'resume',
  body: unknown,
  now: number,
): AdminReply {
  const raw = (body ?? {}) as Record<string, unknown>;
  const name = (raw.direction ?? 'Forward') as Direction;
  if (name !== 'Forward' && name !== 'Reverse')
    return { status: 400, body: { error: 'direction must be Forward or Reverse' } };
  const job = deps.state.allJobs().find((j) => j.jobId === jobId && !j.released);
  const direction = job?.directions[name];
  if (!job || !direction) return { status: 404, body: { error: `no live job ${jobId} with a ${name} direction` } };
  const status = currentStatus(direction, now);
  recordHistory(direction, now);
  if (action === 'suspend') {
    if (status !== 'Synchronizing' || !direction.run)
      return { status: 409, body: { error: `${name} is ${status}, not Synchronizing` } };
    direction.run.suspendedAt = now;
  } else {
    if (status !== 'Suspending') return { status: 409, body: { error: `${name} is ${status}, not Suspending` } };
    direction.run = planResumeRun(deps, 'console', job, name, now);
  }
  recordHistory(direction, now);
  deps.state.save();
  return { status: 200, body: { jobId, direction: name, status: currentStatus(direction, now) } };
}

const CONSOLE_ROUTE = /^POST jobs\/([^/]+)\/(suspend|resume)$/;
const DELAY_ROUTE = /^POST jobs\/([^/]+)\/delay$/;
const EXPIRY_ROUTE = /^POST jobs\/([^/]+)\/expiry$/;

/** Time passes for a subscription: the PrePaid instance now ends in `days` (a fraction is fine). */
function setExpiry(deps: AdminDeps, jobId: string, input: unknown, now: number): AdminReply {
  const job = deps.state.allJobs().find((j) => j.jobId === jobId);
  if (!job) return { status: 404, body: { error: `no job ${jobId}` } };
  if (job.payType !== 'PrePaid') return { status: 409, body: { error: `job ${jobId} is not PrePaid` } };
  const { days } = (input ?? {}) as { days?: unknown };
  if (typeof days !== 'number' || !Number.isFinite(days))
    return { status: 400, body: { error: 'days must be a number' } };
  job.expiresAt = now + Math.round(days * 86_400_000);
  deps.state.save();
  return { status: 200, body: { jobId, expireTime: expireTime(job) } };
}

/**
 * Replication falls behind (or catches up): a Synchronizing direction reports `seconds` more delay
 * (Delay, DelayMillis and an older Checkpoint) until set again; 0 returns it to the usual small lag.
 */
function setDelay(deps: AdminDeps, jobId: string, input: unknown): AdminReply {
  const job = deps.state.allJobs().find((j) => j.jobId === jobId);
  if (!job) return { status: 404, body: { error: `no job ${jobId}` } };
  const { direction: name, seconds } = (input ?? {}) as { direction?: unknown; seconds?: unknown };
  if (name !== 'Forward' && name !== 'Reverse')
    return { status: 400, body: { error: 'direction must be Forward or Reverse' } };
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0)
    return { status: 400, body: { error: 'seconds must be a number >= 0' } };
  const direction = job.directions[name];
  if (!direction) return { status: 404, body: { error: `job ${jobId} has no ${name} direction` } };
  direction.extraDelayMs = Math.round(seconds * 1000);
  deps.state.save();
  return { status: 200, body: { jobId, direction: name, seconds } };
}

export function handleAdmin(deps: AdminDeps, method: string, path: string, body: string): AdminReply {
  const route = `${method} ${path.slice(ADMIN_PREFIX.length).replace(/\/$/, '')}`;
  const now = Date.now();
  try {
    const consoleRoute = CONSOLE_ROUTE.exec(route);
    if (consoleRoute) {
      const [, jobId, action] = consoleRoute;
      return consoleAction(
        deps,
        decodeURIComponent(jobId as string),
        action as 'suspend' | 'resume',
        parseJson(body),
        now,
      );
    }
    const delayRoute = DELAY_ROUTE.exec(route);
    if (delayRoute) return setDelay(deps, decodeURIComponent(delayRoute[1] as string), parseJson(body));
    const expiryRoute = EXPIRY_ROUTE.exec(route);
    if (expiryRoute) return setExpiry(deps, decodeURIComponent(expiryRoute[1] as string), parseJson(body), now);
    switch (route) {
      case 'GET dialect':
        return { status: 200, body: { dialect: deps.options.dialect } };
      case 'GET health':
        return { status: 200, body: { ok: true } };
      case 'GET calls':
        return { status: 200, body: { calls: deps.calls.list() } };
      case 'GET jobs':
        if (deps.state.advance(now)) deps.state.save();
        return { status: 200, body: { jobs: deps.state.allJobs().map((job) => jobView(job, now)) } };
      case 'GET instances':
        return { status: 200, body: { instances: deps.state.registry.list().map(publicInstance) } };
      case 'POST instances': {
        const instances = parseInstances(parseJson(body));
        deps.state.registry.upsert(instances);
        deps.state.save();
        return { status: 200, body: { instances: instances.map(publicInstance) } };
      }
      case 'GET faults':
        return { status: 200, body: { faults: deps.faults.list() } };
      case 'POST faults': {
        const fault = parseFault(parseJson(body));
        deps.faults.add(fault);
        if (fault.kind === 'fail-later') {
          applyFailLaterToRunning(deps, fault, now);
          deps.state.save();
        }
        return { status: 200, body: { id: fault.id } };
      }
      case 'DELETE faults':
        deps.faults.clear();
        return { status: 200, body: { ok: true } };
      case 'POST reset':
        deps.state.reset();
        deps.faults.clear();
        deps.calls.clear();
        deps.nonces.clear();
        return { status: 200, body: { ok: true } };
      default:
        return { status: 404, body: { error: `no admin route ${method} ${path}` } };
    }
  } catch (error) {
    if (error instanceof InstanceInputError || error instanceof FaultInputError) {
      return { status: 400, body: { error: error.message } };
    }
    throw error;
  }
}
