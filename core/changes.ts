import type { DatabaseMapping, JobClass } from './types';
import { JOB_CLASSES } from './vocabulary';
import { renewTermProblem, type RenewTerm } from './renewal';

// Day-two operations on a running setup: each one a `change` Workflow Update (core/messages.ts),
// validated first, then carried out by the setup's keeper (workflows/setup/change.ts).

/** DTS cannot start again a direction suspended for more than 6 hours (StartSynchronizationJob's page). */
export const DTS_SUSPENSION_LIMIT_MS = 6 * 3600_000;
/** A pause resumes this long before DTS's limit at the latest: room for the Start and its retries. */
export const PAUSE_MARGIN_MS = 15 * 60_000;
/** The longest pause accepted, and the pause of a request that names no resume time. */
export const MAX_PAUSE_MS = DTS_SUSPENSION_LIMIT_MS - PAUSE_MARGIN_MS;
/** While a resume keeps failing, the status warns this long before DTS's limit. */
export const PAUSE_WARNING_MS = 30 * 60_000;

export const CHANGE_KINDS = ['pause', 'resume', 'databases', 'jobClass', 'tags', 'password', 'renew'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** The end of the setup whose Redis password a re-key replaces. */
export type EndpointSide = 'source' | 'destination';

/**
 * What the API asks of the setup. Only a re-key holds a secret (its new password): the Update's arguments are
 * encrypted by the payload codec like the setup's input, and the change's record (`what`) names only the end.
 */
export type ChangeRequest = { by?: string } & (
  | { kind: 'pause'; /** How long, in ms; absent: MAX_PAUSE_MS. */ forMs?: number }
  | { kind: 'resume' }
  | { kind: 'databases'; databases: DatabaseMapping[] }
  | { kind: 'jobClass'; jobClass: JobClass }
  | { kind: 'tags'; tags: string[] }
  | { kind: 'password'; endpoint: EndpointSide; password: string }
  | ({ kind: 'renew' } & RenewTerm)
);

/** A change's parameters as its record shows them: never a password. */
export function changeWhat(request: ChangeRequest): Record<string, unknown> {
  if (request.kind === 'password') return { endpoint: request.endpoint };
  const { by: _by, kind: _kind, ...what } = request;
  return what;
}

/** Why a family cannot carry out a kind of change at all, or undefined (docs/dts-api.md §13). */
export function familyRefusal(kind: ChangeKind, family: string): string | undefined {
  if (kind === 'password' && family === 'synchronizationjob')
    return (
      'a new password cannot be given to a setup of the legacy synchronization family: its API has no operation ' +
      'for it (SwitchSynchronizationEndpoint carries no password); set it up again with the new password'
    );
  return undefined;
}

export const CHANGE_OUTCOMES = ['applying', 'applied', 'failed'] as const;
export type ChangeOutcome = (typeof CHANGE_OUTCOMES)[number];

/** One change in the setup's history (`changes` of its status): what, who, when, and how it ended. */
export interface ChangeRecord {
  id: number;
  kind: ChangeKind;
  /** The change's parameters as asked, e.g. `{ databases: [...] }` or `{ until: ISO }`. */
  what: Record<string, unknown>;
  /** The caller's name (a token's name or a JWT's subject), or `schedule` for a pause ending by itself. */
  by?: string;
  requestedAt: string;
  endedAt?: string;
  outcome: ChangeOutcome;
  /** The steps DTS accepted, e.g. `suspend Forward`; on a failure, what was applied before it. */
  applied: string[];
  /** Why it failed (DTS's code and message); the setup keeps running as before it. */
  error?: { type: string; message: string; code?: string };
}

/** A pause asked of this workflow (not one from the console: that is `suspended-outside`). */
export interface PauseState {
  since: string;
  /** When the setup resumes by itself. */
  resumeAt: string;
  /** DTS's limit: past it the directions cannot be started again. */
  limitAt: string;
  by?: string;
  /** Set when the resume keeps failing close to DTS's limit. */
  warning?: string;
}

export interface ChangeContext {
  phase: string;
  topology: string;
  jobClass: JobClass;
  databases: DatabaseMapping[];
  tags: string[];
  paused: boolean;
  /** The setup's DTS API family (core/types.ts DtsApi). */
  family: string;
  /** PrePaid or PostPaid: only a subscription can be renewed. */
  payType?: string;
  /** The change still being applied, if any. */
  applying?: ChangeRecord;
}

/**
 * Why the change cannot be accepted now, or undefined. One change at a time: a second one is refused
 * with the first one's name (it waits for nothing: the caller sends it again once the first has ended).
 */
export function changeRefusal(request: ChangeRequest, ctx: ChangeContext): string | undefined {
  if (ctx.applying)
    return `change ${ctx.applying.id} (${ctx.applying.kind}) requested by ${ctx.applying.by ?? 'someone'} is still being applied; send this one once it has ended`;
  if (request.kind === 'resume') return ctx.paused ? undefined : 'the setup is not paused by this service';
  if (ctx.paused) return `the setup is paused; resume it before a ${request.kind} change`;
  if (ctx.phase !== 'synchronizing')
    return `a ${request.kind} change is only accepted while synchronizing, not in ${ctx.phase}`;
  const unsupported = familyRefusal(request.kind, ctx.family);
  if (unsupported) return unsupported;
  if (request.kind === 'renew') return renewRefusal(request, ctx);
  switch (request.kind) {
    case 'pause':
      if (request.forMs !== undefined && (request.forMs < 1000 || request.forMs > MAX_PAUSE_MS))
        return `a pause lasts from 1s to ${MAX_PAUSE_MS / 60_000} minutes: DTS cannot start a direction suspended for more than 6 hours`;
      return undefined;
    case 'databases':
      if (sameDatabases(request.databases, ctx.databases)) return 'the setup already synchronizes these databases';
      return undefined;
    case 'jobClass': {
      const [from, to] = [JOB_CLASSES.indexOf(ctx.jobClass), JOB_CLASSES.indexOf(request.jobClass)];
      if (to === from) return `the instance class is already ${request.jobClass}`;
      if (to < from) return `DTS cannot downgrade an instance class (${ctx.jobClass} to ${request.jobClass})`;
      return undefined;
    }
    case 'tags':
      if (sameSet(request.tags, ctx.tags)) return 'the setup already has these tags';
      return undefined;
    case 'password':
      if (request.endpoint !== 'source' && request.endpoint !== 'destination')
        return 'a new password names its end: source or destination';
      if (typeof request.password !== 'string' || request.password.length === 0)
        return `the new ${request.endpoint} password is empty`;
      return undefined;
  }
}

/** Both families: RenewInstance names the instance in either (docs/dts-api.md §13.5). */
function renewRefusal(term: RenewTerm, ctx: ChangeContext): string | undefined {
  if (ctx.payType !== 'PrePaid')
    return `a ${ctx.payType ?? 'PostPaid'} (pay-as-you-go) instance has no subscription to renew: RenewInstance is for PrePaid instances only`;
  const problem = renewTermProblem(term);
  return problem ? `${problem.field.slice(1)} ${problem.message}` : undefined;
}

export function sameDatabases(a: DatabaseMapping[], b: DatabaseMapping[]): boolean {
  const key = (list: DatabaseMapping[]) =>
    list
      .map((d) => `${d.from}>${d.to}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return [...a].sort().join('\n') === [...b].sort().join('\n');
}

/** A tag `key=value` (or `key:value`, or a bare `key`) as DTS's TagResources takes it. */
export function tagPair(tag: string): { key: string; value: string } {
  const at = tag.search(/[=:]/);
  return at < 0 ? { key: tag, value: '' } : { key: tag.slice(0, at), value: tag.slice(at + 1) };
}
