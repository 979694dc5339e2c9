// The precheck DTS runs before a direction starts: connectivity, auth, versions, topology.
import type { InstanceRegistry } from './instances';
import type { Direction, DirectionConfig, EndpointConfig, JobRecord, PrecheckItem, RedisInstance } from './model';

export interface PrecheckInput {
  job: JobRecord;
  direction: Direction;
  config: DirectionConfig;
  registry: InstanceRegistry;
  /** Every job of the account, this one included. */
  jobs: JobRecord[];
}

const ok = (ItemName: string): PrecheckItem => ({
  ItemName,
  CheckStatus: 'Success',
  ErrorMessage: '',
  RepairMethod: '',
});
const failed = (ItemName: string, ErrorMessage: string, RepairMethod: string): PrecheckItem => ({
  ItemName,
  CheckStatus: 'Failed',
  ErrorMessage,
  RepairMethod,
});

function describeEndpoint(endpoint: EndpointConfig): string {
  if (endpoint.instanceType.toLowerCase() === 'redis' || endpoint.instanceType.toLowerCase() === 'ecs') {
    return `${endpoint.instanceId ?? '?'}${endpoint.port ? `:${endpoint.port}` : ''}`;
  }
  return `${endpoint.ip ?? '?'}:${endpoint.port ?? '?'}`;
}

/** The identity DTS would see for an endpoint: the instance it reaches, else what was typed. */
export function endpointKey(endpoint: EndpointConfig, registry: InstanceRegistry): string {
  return registry.resolve(endpoint)?.instanceId ?? describeEndpoint(endpoint);
}

/** The two items of one end when connecting to it was refused, or its password did not open it. */
export function connectionFailedItems(
  side: 'SRC' | 'DEST',
  endpoint: EndpointConfig,
  why: 'unreachable' | 'denied',
): PrecheckItem[] {
  const label = side === 'SRC' ? 'Source' : 'Destination';
  const where = describeEndpoint(endpoint);
  const conn = `CHECK_CONN_${side}`;
  const auth = `CHECK_AUTH_${side}`;
  if (why === 'denied')
    return [
      ok(conn),
      failed(
        auth,
        `DTS-070201: Authentication to ${label} DB ${where} failed: invalid password.`,
        `Check the password of ${where} and configure the job again, or fix it and call StartSynchronizationJob.`,
      ),
    ];
  return [
    failed(
      conn,
      `DTS-070211: Connect ${label} DB failed. cause by [connection to ${where} refused]`,
      `Check that ${where} is running and allows the DTS server IP ranges in its whitelist.`,
    ),
    failed(auth, `Authentication was not checked because the connection to ${where} failed.`, `Fix ${conn} first.`),
  ];
}

function connectionItems(
  side: 'SRC' | 'DEST',
  endpoint: EndpointConfig,
  instance: RedisInstance | undefined,
  allowedRegions: string[],
): PrecheckItem[] {
  const label = side === 'SRC' ? 'Source' : 'Destination';
  const where = describeEndpoint(endpoint);
  const conn = `CHECK_CONN_${side}`;
  const auth = `CHECK_AUTH_${side}`;
  if (!instance) {
    return [
      failed(
        conn,
        `DTS-070211: Connect ${label} DB failed. cause by [instance ${where} not found or unreachable]`,
        `Check that ${where} exists, is running and allows the DTS server IP ranges in its whitelist.`,
      ),
      failed(auth, `Authentication was not checked because the connection to ${where} failed.`, `Fix ${conn} first.`),
    ];
  }
  if (instance.edition !== 'self-managed' && !allowedRegions.includes(instance.region)) {
    return [
      failed(
        conn,
        `DTS-070211: Connect ${label} DB failed. cause by [instance ${where} is in region ${instance.region}, not ${allowedRegions.join('/')}]`,
        'Use the region of the instance when buying the synchronization instance.',
      ),
      failed(auth, `Authentication was not checked because the connection to ${where} failed.`, `Fix ${conn} first.`),
    ];
  }
  const items = [ok(conn)];
  items.push(
    passwordMatches(endpoint.password ?? '', instance.password)
      ? ok(auth)
      : failed(
          auth,
          `DTS-070201: Authentication to ${label} DB ${where} failed: invalid password.`,
          `Check the password of ${where} and configure the job again, or fix it and call StartSynchronizationJob.`,
        ),
  );
  return items;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function versionItem(source: RedisInstance | undefined, destination: RedisInstance | undefined): PrecheckItem {
  if (source && destination && compareVersions(destination.engineVersion, source.engineVersion) < 0) {
    return failed(
      'CHECK_REDIS_VERSION',
      `The destination engine version ${destination.engineVersion} is older than the source version ${source.engineVersion}.`,
      'Use a destination whose engine version is the same as or newer than the source.',
    );
  }
  return ok('CHECK_REDIS_VERSION');
}

function editionItem(config: DirectionConfig, source?: RedisInstance, destination?: RedisInstance): PrecheckItem {
  const reserved = config.migrationReserved ?? {};
  const wrong: string[] = [];
  if (reserved.srcRedisType === 'enterprise' && source && source.edition !== 'enterprise')
    wrong.push(`source ${source.instanceId} is ${source.edition}`);
  if (reserved.destRedisType === 'enterprise' && destination && destination.edition !== 'enterprise')
    wrong.push(`destination ${destination.instanceId} is ${destination.edition}`);
  if (wrong.length === 0) return ok('CHECK_REDIS_TYPE');
  return failed(
    'CHECK_REDIS_TYPE',
    `MigrationReserved says enterprise, but the ${wrong.join(' and the ')}.`,
    'Remove srcRedisType/destRedisType for non-enterprise instances.',
  );
}

/** DTS forbids cascading one-way sync: A→B plus B→C, or a loop made of separate jobs. */
function topologyItem(input: PrecheckInput): PrecheckItem {
  const { registry, config, job } = input;
  const source = endpointKey(config.source, registry);
  const destination = endpointKey(config.destination, registry);
  if (source === destination) {
    return failed(
      'CHECK_TOPOLOGY',
      `Source and destination are the same instance ${source}.`,
      'Choose two different instances.',
    );
  }
  for (const other of input.jobs) {
    if (other.released || other.jobId === job.jobId) continue;
    for (const direction of [other.directions.Forward, other.directions.Reverse]) {
      if (!direction?.config) continue;
      const otherSource = endpointKey(direction.config.source, registry);
      const otherDestination = endpointKey(direction.config.destination, registry);
      if (source === otherDestination || destination === otherSource) {
        return failed(
          'CHECK_TOPOLOGY',
          `Cascading synchronization is not supported: job ${other.jobId} already syncs ${otherSource} to ${otherDestination}.`,
          'Release the other synchronization job or choose other instances.',
        );
      }
    }
  }
  return ok('CHECK_TOPOLOGY');
}

function evictionItem(destination: RedisInstance | undefined): PrecheckItem {
  if (!destination || destination.maxmemoryPolicy === 'noeviction') return ok('CHECK_DEST_EVICTION_POLICY');
  return {
    ItemName: 'CHECK_DEST_EVICTION_POLICY',
    CheckStatus: 'Warning',
    ErrorMessage: `The destination maxmemory-policy is ${destination.maxmemoryPolicy}; evicted keys make the destination diverge from the source.`,
    RepairMethod: 'Set maxmemory-policy to noeviction on the destination.',
  };
}

export function runPrecheck(input: PrecheckInput): PrecheckItem[] {
  const { config, registry, job, direction } = input;
  const source = registry.resolve(config.source);
  const destination = registry.resolve(config.destination);
  const [sourceRegions, destinationRegions] =
    direction === 'Forward'
      ? [[job.sourceRegion], [job.destRegion]]
      : [
          [job.sourceRegion, job.destRegion],
          [job.sourceRegion, job.destRegion],
        ];
  return [
    ...connectionItems('SRC', config.source, source, sourceRegions),
    ...connectionItems('DEST', config.destination, destination, destinationRegions),
    versionItem(source, destination),
    editionItem(config, source, destination),
    topologyItem(input),
    evictionItem(destination),
  ];
}

/** Accounts are not modelled: a Tair custom account's `user:password` passes when its password part matches. */
function passwordMatches(sent: string, password: string | undefined): boolean {
  return sent === password || (password !== undefined && sent.endsWith(`:${password}`) && sent.indexOf(':') > 0);
}
