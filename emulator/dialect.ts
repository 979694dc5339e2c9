// Dialects: each point where Alibaba's DTS documents are silent or disagree becomes a switch, so tests can run
// the client against every reading the documents allow (docs/dts-api.md §10). The first value is the default.
import type { JobStatus } from './model';

export const DIALECT_CHOICES = {
  unconfiguredStatus: ['NotConfigured', 'NotStarted'],
  startAfterPrecheckFailed: ['allowed', 'refused'],
  statusSpelling: ['pascal', 'lower', 'legacy'],
  clientToken: ['forever', '24h', 'ignored'],
  reverseEndpoints: ['either', 'swapped', 'same'],
  reverseInitialization: ['any', 'seed'],
  statusListScope: ['global', 'region'],
  errorEnvelope: ['http', 'body'],
  reconfigure: ['jobStatus', 'invalidParameter'],
  unconfiguredReverse: ['listed', 'omitted'],
  resetJobId: ['kept', 'new'],
  familyView: ['shared', 'separate'],
  dtsJobModifyStatus: ['Modifying', 'Synchronizing'],
} as const;

type Choices = typeof DIALECT_CHOICES;

export type Dialect = { -readonly [K in keyof Choices]: Choices[K][number] } & {
  /** At most this many jobs in one DescribeSynchronizationJobStatusList answer; 0 = no limit. */
  statusListPageSize: number;
};

export const DEFAULT_DIALECT: Readonly<Dialect> = {
  unconfiguredStatus: 'NotConfigured',
  startAfterPrecheckFailed: 'allowed',
  statusSpelling: 'pascal',
  clientToken: 'forever',
  reverseEndpoints: 'either',
  reverseInitialization: 'any',
  statusListScope: 'global',
  errorEnvelope: 'http',
  reconfigure: 'jobStatus',
  unconfiguredReverse: 'listed',
  resetJobId: 'kept',
  familyView: 'shared',
  dtsJobModifyStatus: 'Modifying',
  statusListPageSize: 0,
};

/** The strictest combination the documents allow (the workflow must pass under it too). */
export const STRICTEST_DIALECT =
  'unconfiguredStatus=NotStarted,startAfterPrecheckFailed=refused,statusSpelling=legacy,clientToken=ignored,' +
  'reverseEndpoints=swapped,reverseInitialization=seed,statusListScope=region,statusListPageSize=10,' +
  'errorEnvelope=body,reconfigure=invalidParameter,unconfiguredReverse=omitted,resetJobId=new,familyView=separate,' +
  'dtsJobModifyStatus=Synchronizing';

export class DialectError extends Error {}

function setSwitch(dialect: Dialect, key: string, value: string): void {
  if (key === 'statusListPageSize') {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new DialectError('statusListPageSize must be an integer >= 0 (0 = no limit)');
    dialect.statusListPageSize = n;
    return;
  }
  if (!(key in DIALECT_CHOICES)) {
    throw new DialectError(
      `unknown dialect switch "${key}"; known: ${[...Object.keys(DIALECT_CHOICES), 'statusListPageSize'].join(', ')}`,
    );
  }
  const allowed = DIALECT_CHOICES[key as keyof Choices] as readonly string[];
  if (!allowed.includes(value))
    throw new DialectError(`dialect ${key} must be one of ${allowed.join('|')} (got "${value}")`);
  (dialect as Record<string, unknown>)[key] = value;
}

/** `key=value,key=value` (EMULATOR_DIALECT) or an object of switches; unnamed switches keep their default. */
export function parseDialect(input: string | Partial<Dialect> | undefined): Dialect {
  const dialect: Dialect = { ...DEFAULT_DIALECT };
  if (input === undefined) return dialect;
  const pairs: [string, string][] =
    typeof input === 'string'
      ? input
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean)
          .map((part) => {
            const at = part.indexOf('=');
            if (at < 1) throw new DialectError(`dialect switch "${part}" must be key=value`);
            return [part.slice(0, at).trim(), part.slice(at + 1).trim()];
          })
      : Object.entries(input).map(([key, value]) => [key, String(value)]);
  for (const [key, value] of pairs) setSwitch(dialect, key, value);
  return dialect;
}

// ---- How a status is spelled on the wire (the admin API always shows the model's spelling). ----

/** The top-level Status of a direction as this dialect reports it. */
export function wireStatus(status: JobStatus, dialect: Dialect): string {
  const shown = status === 'NotConfigured' ? dialect.unconfiguredStatus : status;
  switch (dialect.statusSpelling) {
    case 'pascal':
      return shown;
    case 'lower':
      return shown.toLowerCase();
    case 'legacy': {
      // The lower-camel list of the legacy pages: synchronizing, precheckFailed, initializating.
      const legacy = shown === 'Initializing' ? 'Initializating' : shown;
      return legacy.charAt(0).toLowerCase() + legacy.slice(1);
    }
  }
}

/**
 * A direction's Status in the DtsJob family. NotConfigured is the family's own word (its status lists name it).
 * `legacy` keeps the one odd spelling of that family: DescribeDtsJobDetail's list writes `synchronizing`.
 */
export function wireDtsJobStatus(status: JobStatus, dialect: Dialect): string {
  // The ModifyDtsJob page does not say what a task reports while its objects change: Modifying, as the legacy
  // family's, or still Synchronizing (then only DbObject tells the change has landed).
  if (status === 'Modifying' && dialect.dtsJobModifyStatus === 'Synchronizing') status = 'Synchronizing';
  switch (dialect.statusSpelling) {
    case 'pascal':
      return status;
    case 'lower':
      return status.toLowerCase();
    case 'legacy':
      return status === 'Synchronizing' ? 'synchronizing' : status;
  }
}

/** PrecheckStatus.Status: `Success` in the field table, `Finished` in the JSON sample. */
export function wirePrecheckStatus(status: string, dialect: Dialect): string {
  return dialect.statusSpelling === 'legacy' && status === 'Success' ? 'Finished' : status;
}

/** StructureInitialization / DataInitialization: strings in the models, booleans in samples. */
export function wireFlag(value: boolean, dialect: Dialect): string | boolean {
  return dialect.statusSpelling === 'legacy' ? value : String(value);
}
