// Adopting a DTS job bought outside the service: what DTS says about the job, and where it differs from
// the request. Pure data and functions: the adoption check (workflows/adoption-check.ts), the setup's
// adopt step (workflows/setup/adopt.ts) and the API (api/adopt.ts) share them.
import type { DatabaseMapping, DtsApi, DtsDirectionStatus, EndpointSummary, SetupRequest, Topology } from './types';

/** One endpoint of a configured direction, as DTS reports it (`InstanceType` `Redis`, `ECS`, `Express`, …). */
export interface JobEndpointFacts {
  instanceType: string;
  instanceId?: string;
  ip?: string;
  port?: number;
}

export interface JobDirectionFacts {
  /** DTS holds a configuration for it (an unconfigured direction has no endpoints). */
  configured: boolean;
  status: DtsDirectionStatus;
  rawStatus: string;
  source?: JobEndpointFacts;
  destination?: JobEndpointFacts;
  databases?: DatabaseMapping[];
}

/** What DTS says about one job (activities/dts/describe-job.ts, activities/dts/dts-job.ts). */
export interface DtsJobFacts {
  /** The id a setup keeps: SynchronizationJobId (legacy family) or DtsInstanceId (dtsjob family). */
  dtsJobId: string;
  /** The family that answered for it (absent in answers older than the choice: the legacy one). */
  api?: DtsApi;
  /** Whether the family's list shows it in the request's region. */
  inRegion: boolean;
  name: string;
  jobClass: string;
  payType: string;
  /** From the number of directions listed; unknown when the job is not listed in the region. */
  topology?: Topology;
  forward: JobDirectionFacts;
  reverse?: JobDirectionFacts;
  /**
   * The setup its owner tag (`redis-dts-sync:setup`) names: a second proof of ownership besides the claim. Read
   * only when asked (the adoption check); absent when untagged or when DTS/RAM refused the tag read.
   */
  ownerTag?: string;
}

/** A field of the request that differs from the job (an HTTP 422 names it). */
export interface AdoptionDifference {
  field: string;
  rule: string;
  message: string;
}

/** The request as the comparison needs it: no passwords; jobClass and payType only when the caller gave them. */
export type AdoptionRequest = Pick<SetupRequest, 'topology' | 'region' | 'databases'> & {
  source: EndpointSummary;
  destination: EndpointSummary;
  jobClass?: string;
  payType?: string;
};

const RULE = 'matches-adopted-job';

/**
 * Where the request and the job differ: region, topology, class, pay type, and, for each configured direction,
 * its endpoints and databases. Forward must run from the request's source to its destination; Reverse
 * (configured by someone else) may name the pair in either order (docs/dts-api.md §10 `reverseEndpoints`).
 */
export function adoptionDifferences(request: AdoptionRequest, job: DtsJobFacts): AdoptionDifference[] {
  const out: AdoptionDifference[] = [];
  const differ = (field: string, message: string) => out.push({ field, rule: RULE, message });
  const id = job.dtsJobId;
  if (!job.inRegion) differ('/region', `DTS job ${id} is not listed in region ${request.region}`);
  if (job.topology && job.topology !== request.topology)
    differ('/topology', `DTS job ${id} is ${job.topology}, the request says ${request.topology}`);
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (request.jobClass !== undefined && job.jobClass && !same(job.jobClass, request.jobClass))
    differ('/jobClass', `DTS job ${id} is of class ${job.jobClass}, the request says ${request.jobClass}`);
  if (request.payType !== undefined && job.payType && !same(job.payType, request.payType))
    differ('/payType', `DTS job ${id} is ${job.payType}, the request says ${request.payType}`);
  const forward = job.forward;
  if (forward.configured) {
    for (const side of ['source', 'destination'] as const) {
      const problem = endpointDifference(request[side], forward[side]);
      if (problem)
        differ(
          `/${side}/${problem.field}`,
          `the Forward ${side} of DTS job ${id} is ${problem.job}, not ${problem.asked}`,
        );
    }
    if (forward.databases?.length && !sameDatabases(forward.databases, request.databases))
      differ(
        '/databases',
        `DTS job ${id} syncs databases ${showDatabases(forward.databases)}, the request ${showDatabases(request.databases)}`,
      );
  }
  const reverse = job.reverse;
  if (reverse?.configured) {
    const swapped =
      !endpointDifference(request.destination, reverse.source) &&
      !endpointDifference(request.source, reverse.destination);
    const straight =
      !endpointDifference(request.source, reverse.source) &&
      !endpointDifference(request.destination, reverse.destination);
    if (!swapped && !straight)
      differ(
        '/destination',
        `the Reverse of DTS job ${id} runs ${show(reverse.source)} → ${show(reverse.destination)}, not between the request's endpoints`,
      );
  }
  return out;
}

function endpointDifference(
  asked: EndpointSummary,
  seen: JobEndpointFacts | undefined,
): { field: string; job: string; asked: string } | undefined {
  if (!seen) return undefined;
  const type = seen.instanceType.toLowerCase();
  const cloud = asked.kind === 'enterprise' || asked.kind === 'community';
  const expectedType = cloud ? 'redis' : asked.kind === 'ecs' ? 'ecs' : 'express';
  if (type && type !== expectedType) return { field: 'kind', job: `of type ${seen.instanceType}`, asked: asked.kind };
  if (asked.instanceId !== undefined && (seen.instanceId ?? '') !== asked.instanceId)
    return { field: 'instanceId', job: show(seen), asked: asked.instanceId };
  if (asked.ip !== undefined && cloud === false && (seen.ip ?? '') !== asked.ip)
    return { field: 'ip', job: show(seen), asked: asked.ip };
  if (asked.port !== undefined && seen.port !== undefined && seen.port !== asked.port)
    return { field: 'port', job: show(seen), asked: String(asked.port) };
  return undefined;
}

function show(e: JobEndpointFacts | undefined): string {
  if (!e) return 'unknown';
  const where = e.instanceId || e.ip || 'unknown';
  return e.port !== undefined && !e.instanceId?.startsWith('r-') ? `${where}:${e.port}` : where;
}

const key = (dbs: DatabaseMapping[]) =>
  dbs
    .map((d) => `${d.from}→${d.to}`)
    .sort()
    .join(',');
function sameDatabases(a: DatabaseMapping[], b: DatabaseMapping[]): boolean {
  return key(a) === key(b);
}
function showDatabases(dbs: DatabaseMapping[]): string {
  return key(dbs) || 'none';
}

/** The comparison's view of a request (no passwords). */
export function adoptionRequestOf(request: SetupRequest): AdoptionRequest {
  const { password: _s, ...source } = request.source;
  const { password: _d, ...destination } = request.destination;
  return {
    topology: request.topology,
    region: request.region,
    databases: request.databases,
    source,
    destination,
    jobClass: request.jobClass,
    payType: request.payType,
  };
}
