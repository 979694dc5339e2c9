// The preflight's rules: pure functions from what was read about the pair to a report. Each message names
// the rule of Alibaba's guide to Redis Enterprise (Tair) DTS sync it enforces. Plain data, no I/O.
import { DtsFailure } from './failures';
import type { DtsApi, EndpointSummary, Topology } from './types';

export const PREFLIGHT_OUTCOMES = ['pass', 'warn', 'fail'] as const;
export type PreflightOutcome = (typeof PREFLIGHT_OUTCOMES)[number];

export interface PreflightItem {
  check: string;
  outcome: PreflightOutcome;
  message: string;
  advice: string;
}

export interface PreflightReport {
  ok: boolean;
  items: PreflightItem[];
}

/** Risks a request may accept, turning their fail into a warn. */
export const ACCEPTABLE_RISKS = ['eviction-policy'] as const;
export type AcceptedRisk = (typeof ACCEPTABLE_RISKS)[number];

/** The request without passwords: all the preflight needs. */
export interface PreflightInput {
  /** The DTS API family the setup would speak (absent: the legacy one); its region rule applies. */
  api?: DtsApi;
  topology: Topology;
  /** Region of the DTS instance. */
  region: string;
  source: EndpointSummary;
  destination: EndpointSummary;
  acceptRisks: AcceptedRisk[];
}

/** What the preflight reads about one instance from R-KVStore. */
export interface InstanceFacts {
  instanceId: string;
  status: string;
  regionId: string;
  /** Tair (Redis Enterprise), Redis (community) or Memcache. */
  instanceType: string;
  engineVersion: string;
  architecture?: string;
  maxmemoryPolicy?: string;
  directConnection: boolean;
}

/** A read that failed, classified (activities/dts/errors.ts types). */
export interface ReadError {
  api: 'R-KVStore' | 'DTS';
  action: string;
  type: string;
  code?: string;
  message: string;
}

export type Read<T> = { ok: true; value: T } | { ok: false; error: ReadError };

/** One sync direction that already exists, from our own setups or from DTS. */
export interface ExistingDirection {
  source: string;
  destination: string;
  /** Where it was seen: a setup's workflow id or a DTS job id. */
  seenIn: string;
}

export interface PreflightFacts {
  source?: Read<InstanceFacts>;
  destination?: Read<InstanceFacts>;
  dtsDirections: Read<ExistingDirection[]>;
  ownDirections: ExistingDirection[];
}

const USABLE_STATUS = 'normal';
const MIN_ENGINE = [5, 0];
const DOCS = 'Alibaba Cloud’s guide to Redis Enterprise DTS sync';

export function evaluatePreflight(input: PreflightInput, facts: PreflightFacts): PreflightReport {
  const items: PreflightItem[] = [
    ...(['source', 'destination'] as const).map((side) => instanceCheck(input, side, facts[side])),
    editionCheck(input, facts),
    engineVersionCheck(facts),
    evictionPolicyCheck(input, facts.destination),
    directConnectionCheck(facts.destination),
    topologyCheck(input, facts),
    credentialsCheck(facts),
    regionCheck(input),
    ...standingAdvice(input.topology),
  ];
  return { ok: items.every((i) => i.outcome !== 'fail'), items };
}

const item = (check: string, outcome: PreflightOutcome, message: string, advice = ''): PreflightItem => ({
  check,
  outcome,
  message,
  advice,
});
const isCloud = (e: EndpointSummary) => e.kind === 'enterprise' || e.kind === 'community';
const idOf = (e: EndpointSummary) => e.instanceId ?? `${e.ip}:${e.port}`;
const facts = (read?: Read<InstanceFacts>) => (read?.ok ? read.value : undefined);

function instanceCheck(
  input: PreflightInput,
  side: 'source' | 'destination',
  read?: Read<InstanceFacts>,
): PreflightItem {
  const check = `${side}-instance`;
  const endpoint = input[side];
  if (!isCloud(endpoint))
    return item(check, 'pass', `${side} ${idOf(endpoint)} is self-managed; DTS's own precheck connects to it`);
  if (!read) return item(check, 'fail', `${side} ${idOf(endpoint)} was not read`);
  if (!read.ok) {
    const missing = /NotFound/i.test(read.error.code ?? '');
    return item(
      check,
      'fail',
      missing
        ? `${side} instance ${idOf(endpoint)} does not exist (${read.error.code})`
        : `${side} instance ${idOf(endpoint)} could not be read: ${read.error.message}`,
      missing
        ? `Check the instance id and the account; ${DOCS} needs both instances to exist before the job is bought.`
        : 'See the credentials item.',
    );
  }
  const i = read.value;
  if (i.regionId !== endpoint.region) {
    return item(
      check,
      'fail',
      `${side} instance ${i.instanceId} is in ${i.regionId}, not in the stated region ${endpoint.region}`,
      `Set ${side}.region to ${i.regionId}.`,
    );
  }
  if (i.status.toLowerCase() !== USABLE_STATUS) {
    return item(
      check,
      'fail',
      `${side} instance ${i.instanceId} is ${i.status}, not Normal: DTS can only sync a running instance`,
      'Wait until the instance is Normal, then try again.',
    );
  }
  return item(check, 'pass', `${side} instance ${i.instanceId} exists in ${i.regionId} and is Normal`);
}

function editionCheck(input: PreflightInput, f: PreflightFacts): PreflightItem {
  const rule =
    `${DOCS}: source and destination are Redis Enterprise (Tair) instances;` + ' two-way sync needs Tair on both sides';
  const notTair = (['source', 'destination'] as const).filter((side) => {
    const e = input[side];
    if (!isCloud(e)) return true;
    const i = facts(f[side]);
    return e.kind !== 'enterprise' || (i !== undefined && i.instanceType.toLowerCase() !== 'tair');
  });
  if (notTair.length === 0) return item('tair-edition', 'pass', 'both instances are Redis Enterprise (Tair)');
  if (input.topology === 'bidirectional') {
    return item(
      'tair-edition',
      'fail',
      `${rule}; not Tair: ${notTair.map((s) => `${s} ${idOf(input[s])}`).join(', ')}`,
      'Use two Tair instances, or set up one-way sync.',
    );
  }
  return item(
    'tair-edition',
    'pass',
    `one-way sync also accepts community and self-managed Redis (${notTair.join(', ')} is not Tair)`,
  );
}

function engineVersionCheck(f: PreflightFacts): PreflightItem {
  const source = facts(f.source);
  const destination = facts(f.destination);
  const known = [source, destination].filter((i): i is InstanceFacts => i !== undefined);
  const old = known.filter((i) => compareVersions(i.engineVersion, MIN_ENGINE.join('.')) < 0);
  if (old.length > 0) {
    return item(
      'engine-version',
      'fail',
      `${DOCS}: both instances run engine 5.0 or later; ` +
        old.map((i) => `${i.instanceId} runs ${i.engineVersion}`).join(', '),
      'Upgrade the major version of the instance first.',
    );
  }
  if (source && destination && compareVersions(destination.engineVersion, source.engineVersion) < 0) {
    return item(
      'engine-version',
      'fail',
      `the destination (${destination.engineVersion}) must not be older than the source` +
        ` (${source.engineVersion}); DTS's precheck refuses it`,
      'Upgrade the destination to at least the source version.',
    );
  }
  if (known.length < 2)
    return item('engine-version', 'pass', 'engine versions of self-managed Redis are checked by DTS’s own precheck');
  return item('engine-version', 'pass', `engine ${source?.engineVersion} → ${destination?.engineVersion}`);
}

function evictionPolicyCheck(input: PreflightInput, read?: Read<InstanceFacts>): PreflightItem {
  const i = facts(read);
  if (!i)
    return item(
      'eviction-policy',
      'pass',
      'the destination is not an R-KVStore instance that could be read; DTS warns in its precheck',
    );
  const policy = i.maxmemoryPolicy ?? 'unknown';
  if (policy === 'noeviction') return item('eviction-policy', 'pass', 'destination maxmemory-policy is noeviction');
  const message =
    `${DOCS}: a destination maxmemory-policy other than noeviction can make the destination's data` +
    ` differ from the source; ${i.instanceId} has maxmemory-policy ${policy}`;
  const advice =
    'Set the destination parameter maxmemory-policy to noeviction, or list "eviction-policy" in acceptRisks.';
  return item('eviction-policy', input.acceptRisks.includes('eviction-policy') ? 'warn' : 'fail', message, advice);
}

function directConnectionCheck(read?: Read<InstanceFacts>): PreflightItem {
  const i = facts(read);
  if (!i) return item('direct-connection', 'pass', 'not an R-KVStore destination');
  if (i.directConnection) return item('direct-connection', 'pass', `direct connection is enabled on ${i.instanceId}`);
  return item(
    'direct-connection',
    'warn',
    `${DOCS}: without direct connection on the destination, DTS writes through the proxy (${i.instanceId} has none)`,
    'Enable direct connection on the destination instance for faster writes.',
  );
}

function topologyCheck(input: PreflightInput, f: PreflightFacts): PreflightItem {
  const s = idOf(input.source);
  const d = idOf(input.destination);
  const wanted =
    input.topology === 'bidirectional'
      ? [
          [s, d],
          [d, s],
        ]
      : [[s, d]];
  const samePair = (e: ExistingDirection) =>
    (e.source === s && e.destination === d) || (e.source === d && e.destination === s);
  const existing = [...f.ownDirections, ...(f.dtsDirections.ok ? f.dtsDirections.value : [])];
  for (const [from, to] of wanted) {
    for (const e of existing) {
      // The same pair's own existing setup is answered by POST /v1/syncs as "existing", not refused here.
      if (samePair(e) && !(e.source === to && e.destination === from && input.topology === 'oneway')) continue;
      const loop = e.source === to && e.destination === from;
      const intoSource = e.destination === from;
      const outOfDestination = e.source === to;
      if (loop || intoSource || outOfDestination) {
        const shape = loop
          ? `a loop: ${to} → ${from} already exists`
          : intoSource
            ? `a cascade: ${e.source} → ${from} → ${to}`
            : `a cascade: ${from} → ${to} → ${e.destination}`;
        return item(
          'topology',
          'fail',
          `${DOCS}: cascading one-way sync is not supported; this would make ${shape} (${e.seenIn})`,
          loop
            ? 'Use topology bidirectional for one pair instead of two one-way syncs.'
            : 'Sync each destination from the original source instead.',
        );
      }
    }
  }
  return item('topology', 'pass', `no cascade and no loop with ${existing.length} existing direction(s)`);
}

function credentialsCheck(f: PreflightFacts): PreflightItem {
  const errors = [f.source, f.destination, f.dtsDirections].flatMap((r) => (r && !r.ok ? [r.error] : []));
  const denied = errors.filter((e) => e.type === DtsFailure.Credentials);
  if (denied.length > 0) {
    return item(
      'credentials',
      'fail',
      `our credentials may not call ${denied.map((e) => `${e.api} ${e.action} (${e.code ?? e.type})`).join(', ')}`,
      'Grant the worker’s RAM identity the policy in deploy/ram-policy.json (docs/deployment.md).',
    );
  }
  const other = errors.filter((e) => !/NotFound/i.test(e.code ?? ''));
  if (other.length > 0) {
    return item(
      'credentials',
      'fail',
      `a read failed: ${other.map((e) => `${e.api} ${e.action}: ${e.message}`).join('; ')}`,
      'Try again; if it persists, check the endpoints and the network.',
    );
  }
  return item('credentials', 'pass', 'our credentials can read R-KVStore and DTS');
}

const mainland = (region: string) => region.startsWith('cn-') && region !== 'cn-hongkong';
/** Where each family's rule is written, named in the report so an operator can check it (docs/dts-api.md §13.3). */
export const REGION_RULE_SOURCES = {
  synchronizationjob: 'https://www.alibabacloud.com/help/en/dts/developer-reference/api-createsynchronizationjob',
  dtsjob: 'https://www.alibabacloud.com/help/en/dts/user-guide/definition-of-cross-border-and-cross-region-instances',
} as const satisfies Record<DtsApi, string>;

/** The DTS guide's classes of a region pair: both ends on one side of the China border, or across it. */
function regionClass(s: string, d: string): 'same-region' | 'cross-region' | 'cross-border' {
  if (s === d) return 'same-region';
  return mainland(s) === mainland(d) ? 'cross-region' : 'cross-border';
}

/**
 * The region rule of the family the setup speaks. CreateSynchronizationJob: when the source is in Hong Kong or
 * outside mainland China, DestRegion must equal SourceRegion. CreateDtsInstance names no such rule: the pair may
 * be in different regions, as the DTS guide's cross-region and cross-border instances are.
 */
function regionCheck(input: PreflightInput): PreflightItem {
  const s = input.source.region;
  const d = input.destination.region;
  const api = input.api ?? 'synchronizationjob';
  const source = REGION_RULE_SOURCES[api];
  if (api === 'synchronizationjob') {
    if (s !== d && !mainland(s)) {
      return item(
        'regions',
        'fail',
        'CreateSynchronizationJob: when the source is in Hong Kong or outside mainland China' +
          ` the destination must be in the same region (${s} → ${d}; ${source})`,
        'Use instances in the same region, or speak the DtsJob family (DTS_API=dtsjob), which allows it.',
      );
    }
    return item('regions', 'pass', `${s} → ${d} is allowed by the CreateSynchronizationJob rule (${source})`);
  }
  return item(
    'regions',
    'pass',
    `${s} → ${d} is a ${regionClass(s, d)} instance, which CreateDtsInstance allows (${source})`,
  );
}

/** The guide's standing advice: always shown, never blocking. */
function standingAdvice(topology: Topology): PreflightItem[] {
  const twoWay = topology === 'bidirectional';
  return [
    ...(twoWay
      ? [
          item(
            'same-key-both-ends',
            'warn',
            `${DOCS}: while two-way sync runs, do not write the same key at both ends at once`,
            'Route writes of a key to one side.',
          ),
        ]
      : []),
    item(
      'flush-commands',
      'warn',
      `${DOCS}: FLUSHDB or FLUSHALL on the source makes source and destination differ`,
      'Disable FLUSHDB/FLUSHALL on the source (rename-command or account permissions).',
    ),
    item(
      'lua-scripts',
      'warn',
      `${DOCS}: scripts run with EVAL/EVALSHA are not guaranteed to succeed on the destination during incremental sync`,
      'Avoid Lua scripts on synced keys, or verify them on the destination.',
    ),
    item(
      'list-duplicates',
      'warn',
      `${DOCS}: Lists may get duplicate elements when DTS resends (sync/psync does not clear the destination)`,
      'Prefer idempotent structures, or check Lists after a resend.',
    ),
    item(
      'expiring-keys',
      'warn',
      `${DOCS}: keys with an expiry can make the destination count fewer keys (INFO) than the source`,
      'Compare keys without an expiry, which match on both ends.',
    ),
    item(
      'full-load',
      'warn',
      `${DOCS}: the full initialization loads the source and the destination; run it off-peak`,
      'Give the request an initializationWindow (e.g. 01:00-05:00 in your time zone): DTS then starts at its opening.',
    ),
  ];
}

/** "5.0" vs "4.0", "7.0" vs "6.0"; missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let k = 0; k < Math.max(pa.length, pb.length); k++) {
    const diff = (pa[k] ?? 0) - (pb[k] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
