import type { Duration } from '@temporalio/common';
import { AUTO_RENEW_DAYS_BEFORE, renewTermProblem } from '../core/renewal';
import type { AutoRenewal, InitializationWindow, RedisEndpoint, SetupRequest } from '../core/types';
import { isTimeZone, minutesOfDay } from '../core/window';
import type { CreateSetupBody } from './schemas';

export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

/** Rules a JSON schema cannot say: which fields each endpoint kind needs, two-way needs Tair. */
export function toSetupRequest(body: CreateSetupBody): { request?: SetupRequest; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const source = toEndpoint(body.source, '/source', problems);
  const destination = toEndpoint(body.destination, '/destination', problems);
  if (body.topology === 'bidirectional') checkTwoWay(source, destination, problems);
  // DTS bills the instance in the destination's region: CreateSynchronizationJob's RegionId is DestRegion.
  if (body.region !== destination.region) {
    problems.push({
      field: '/region',
      rule: 'equals-destination-region',
      message: `region must be the destination's region (${destination.region}): DTS buys the instance there`,
    });
  }
  if (sameEndpoint(source, destination)) {
    problems.push({
      field: '/destination',
      rule: 'distinct-endpoints',
      message: 'source and destination must be different Redis instances',
    });
  }
  const payType = body.payType ?? 'PostPaid';
  if (body.adopt) refusePurchaseFields(body, problems);
  else checkPrepaid(body, payType, problems);
  const databases = body.databases ?? [{ from: 0, to: 0 }];
  const seen = new Set<number>();
  databases.forEach((db, i) => {
    if (seen.has(db.from))
      problems.push({ field: `/databases/${i}/from`, rule: 'unique', message: `database ${db.from} is mapped twice` });
    seen.add(db.from);
  });
  if (body.initializationWindow) checkWindow(body.initializationWindow, problems);
  const renew = autoRenewal(body, payType, problems);
  if (problems.length > 0) return { problems };
  return {
    problems,
    request: {
      name: body.name,
      topology: body.topology,
      region: body.region,
      source,
      destination,
      databases,
      jobClass: body.jobClass ?? 'small',
      payType,
      ...(payType === 'PrePaid' ? { period: body.period, usedTime: body.usedTime } : {}),
      keepInstanceOnFailure: body.keepInstanceOnFailure ?? false,
      waitDeadline: (body.waitDeadline ?? '48h') as Duration,
      attentionDeadline: (body.attentionDeadline ?? '72h') as Duration,
      // Absent: the workflow applies DEFAULT_MAX_DELAY and DEFAULT_DELAY_GRACE (core/types.ts).
      ...(body.maxDelay !== undefined ? ({ maxDelay: body.maxDelay } as Pick<SetupRequest, 'maxDelay'>) : {}),
      ...(body.delayGrace !== undefined ? ({ delayGrace: body.delayGrace } as Pick<SetupRequest, 'delayGrace'>) : {}),
      ...(body.initializationWindow ? { initializationWindow: { ...body.initializationWindow } } : {}),
      ...(body.adopt ? { adopt: { dtsJobId: body.adopt.dtsJobId } } : {}),
      ...(body.canary ? { canary: { intervalSeconds: body.canary.intervalSeconds } } : {}),
      ...(body.resourceGroupId ? { resourceGroupId: body.resourceGroupId } : {}),
      ...(renew ? { renew } : {}),
    },
  };
}

/** `renew.auto`: a PrePaid instance's own renewal, its term as RenewInstance takes it; `auto: false` is none. */
function autoRenewal(body: CreateSetupBody, payType: string, problems: FieldProblem[]): AutoRenewal | undefined {
  if (!body.renew) return undefined;
  if (payType !== 'PrePaid') {
    problems.push({
      field: '/renew',
      rule: 'prepaid-only',
      message: `renew applies only when payType is PrePaid: a ${payType} (pay-as-you-go) instance has no subscription`,
    });
    return undefined;
  }
  if (!body.renew.auto) return undefined;
  const term = { period: body.renew.period ?? 'Month', usedTime: body.renew.usedTime ?? 1 };
  const problem = renewTermProblem(term);
  if (problem) {
    problems.push({ field: `/renew${problem.field}`, rule: 'renew-term', message: problem.message });
    return undefined;
  }
  return { auto: true, ...term, daysBefore: body.renew.daysBefore ?? AUTO_RENEW_DAYS_BEFORE };
}

/** Two-way sync runs only between two Tair instances. */
function checkTwoWay(source: RedisEndpoint, destination: RedisEndpoint, problems: FieldProblem[]): void {
  for (const [field, endpoint] of [
    ['/source/kind', source],
    ['/destination/kind', destination],
  ] as const) {
    if (endpoint.kind !== 'enterprise') {
      problems.push({
        field,
        rule: 'bidirectional-needs-enterprise',
        message: 'two-way sync needs two Redis Enterprise (Tair) instances',
      });
    }
  }
}

/** A prepaid purchase names its term; a pay-as-you-go one has none. */
function checkPrepaid(body: CreateSetupBody, payType: string, problems: FieldProblem[]): void {
  if (payType === 'PrePaid') {
    if (!body.period)
      problems.push({
        field: '/period',
        rule: 'required-for-prepaid',
        message: 'period (Year or Month) is required when payType is PrePaid',
      });
    if (body.usedTime === undefined)
      problems.push({
        field: '/usedTime',
        rule: 'required-for-prepaid',
        message: 'usedTime is required when payType is PrePaid',
      });
    else if (body.period === 'Year' && body.usedTime > 5)
      problems.push({ field: '/usedTime', rule: 'maximum', message: 'usedTime must be 1 to 5 years' });
  } else if (body.period || body.usedTime !== undefined) {
    problems.push({
      field: body.period ? '/period' : '/usedTime',
      rule: 'prepaid-only',
      message: 'period and usedTime apply only when payType is PrePaid',
    });
  }
}

/**
 * An adoption buys nothing: the purchase's terms have no meaning, and no failure ever releases an adopted job
 * (only DELETE ?release=true does), so keepInstanceOnFailure would promise nothing. The initialization window
 * decides when a bought job's first load starts; an adopted job's Forward is its owner's. jobClass and payType
 * are allowed: they are compared with the job's (api/adopt.ts).
 */
function refusePurchaseFields(body: CreateSetupBody, problems: FieldProblem[]): void {
  for (const field of [
    'period',
    'usedTime',
    'keepInstanceOnFailure',
    'initializationWindow',
    'resourceGroupId',
  ] as const) {
    if (body[field] !== undefined)
      problems.push({
        field: `/${field}`,
        rule: 'not-allowed-with-adopt',
        message: `${field} is not allowed with adopt: nothing is bought, and an adopted job is released only by DELETE ?release=true`,
      });
  }
}

/** HH:MM times, a zone Intl knows, and a window that is not empty. */
function checkWindow(window: InitializationWindow, problems: FieldProblem[]): void {
  const at = '/initializationWindow';
  for (const field of ['start', 'end'] as const) {
    if (minutesOfDay(window[field]) === undefined)
      problems.push({
        field: `${at}/${field}`,
        rule: 'format',
        message: `${field} must be a local time HH:MM, e.g. 01:00`,
      });
  }
  if (!isTimeZone(window.timeZone))
    problems.push({
      field: `${at}/timeZone`,
      rule: 'time-zone',
      message: `timeZone must be an IANA time zone such as Asia/Shanghai, not ${JSON.stringify(window.timeZone)}`,
    });
  if (window.start === window.end)
    problems.push({ field: `${at}/end`, rule: 'not-empty', message: 'end must differ from start (an empty window)' });
}

function toEndpoint(body: CreateSetupBody['source'], at: string, problems: FieldProblem[]): RedisEndpoint {
  const kind = body.kind ?? 'enterprise';
  const need = (field: 'instanceId' | 'ip' | 'port', why: string) => {
    if (body[field] === undefined)
      problems.push({ field: `${at}/${field}`, rule: 'required', message: `${field} is required ${why}` });
  };
  const refuse = (field: 'instanceId' | 'ip' | 'port', why: string) => {
    if (body[field] !== undefined)
      problems.push({ field: `${at}/${field}`, rule: 'not-allowed', message: `${field} is not allowed ${why}` });
  };
  const redisId = /^r-/.test(body.instanceId ?? '');
  switch (kind) {
    case 'enterprise':
    case 'community':
      need('instanceId', `for a ${kind} instance`);
      if (body.instanceId !== undefined && !redisId)
        problems.push({ field: `${at}/instanceId`, rule: 'pattern', message: 'a Redis instance id starts with r-' });
      refuse('ip', `for a ${kind} instance`);
      refuse('port', `for a ${kind} instance`);
      break;
    case 'ecs':
      need('instanceId', 'for a self-managed Redis on ECS');
      if (body.instanceId !== undefined && redisId)
        problems.push({ field: `${at}/instanceId`, rule: 'pattern', message: 'an ECS instance id starts with i-' });
      need('port', 'for a self-managed Redis on ECS');
      // ip is optional: DTS's Configure page lists IP for an ECS source (docs/dts-api.md); the client sends it when given.
      break;
    case 'express':
      need('ip', 'for a self-managed Redis reached by IP');
      need('port', 'for a self-managed Redis reached by IP');
      refuse('instanceId', 'for a self-managed Redis reached by IP');
      break;
  }
  return { kind, region: body.region, password: body.password, ...pick(body) };
}

function pick(body: CreateSetupBody['source']): Partial<RedisEndpoint> {
  return {
    ...(body.instanceId !== undefined ? { instanceId: body.instanceId } : {}),
    ...(body.username !== undefined ? { username: body.username } : {}),
    ...(body.ip !== undefined ? { ip: body.ip } : {}),
    ...(body.port !== undefined ? { port: body.port } : {}),
  };
}

function sameEndpoint(a: RedisEndpoint, b: RedisEndpoint): boolean {
  return (a.instanceId ?? a.ip) === (b.instanceId ?? b.ip) && a.port === b.port;
}
