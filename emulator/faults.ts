// Injected faults: transient gateway failures per call, and lifecycle failures per job/direction.
import { randomUUID } from 'node:crypto';
import type { Direction, PrecheckItem } from './model';

export const REQUEST_FAULT_KINDS = [
  'throttling',
  'unavailable',
  'internal-error',
  'bad-gateway-html',
  'reset-connection',
  'delay-before',
  'delay-after',
  'drop-after',
  'error',
] as const;
export const LIFECYCLE_FAULT_KINDS = ['precheck-fail', 'init-fail', 'fail-later'] as const;

export type RequestFaultKind = (typeof REQUEST_FAULT_KINDS)[number];
export type LifecycleFaultKind = (typeof LIFECYCLE_FAULT_KINDS)[number];
export type FaultKind = RequestFaultKind | LifecycleFaultKind;

export interface Fault {
  id: string;
  kind: FaultKind;
  action: string;
  jobId?: string;
  direction?: Direction;
  instanceId?: string;
  /** Remaining uses; null = unlimited. */
  remaining: number | null;
  probability?: number;
  delayMs?: number;
  afterMs?: number;
  items?: PrecheckItem[];
  message?: string;
  /** Kind `error`: the Code and HTTP status to answer with. */
  code?: string;
  httpStatus?: number;
}

export interface FaultTarget {
  action: string;
  jobId?: string;
  direction?: Direction;
  instanceIds: string[];
}

export class FaultInputError extends Error {}

function isKind(value: unknown): value is FaultKind {
  return [...REQUEST_FAULT_KINDS, ...LIFECYCLE_FAULT_KINDS].includes(value as FaultKind);
}

export function isRequestFault(fault: Fault): fault is Fault & { kind: RequestFaultKind } {
  return (REQUEST_FAULT_KINDS as readonly string[]).includes(fault.kind);
}

function optionalNonNegative(raw: Record<string, unknown>, field: string): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new FaultInputError(`${field} must be a number >= 0`);
  return value;
}

function optionalText(raw: Record<string, unknown>, field: string): string | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new FaultInputError(`${field} must be a non-empty string`);
  return value;
}

function parseItems(value: unknown): PrecheckItem[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw new FaultInputError('items must be a non-empty array');
  return value.map((item: unknown) => {
    const raw = (item ?? {}) as Record<string, unknown>;
    if (typeof raw.ItemName !== 'string') throw new FaultInputError('each item needs an ItemName');
    const status = raw.CheckStatus ?? 'Failed';
    if (status !== 'Failed' && status !== 'Success' && status !== 'Warning')
      throw new FaultInputError('CheckStatus must be Failed, Success or Warning');
    return {
      ItemName: raw.ItemName,
      CheckStatus: status,
      ErrorMessage: typeof raw.ErrorMessage === 'string' ? raw.ErrorMessage : 'Injected precheck failure.',
      RepairMethod:
        typeof raw.RepairMethod === 'string' ? raw.RepairMethod : 'Fix the cause, then call StartSynchronizationJob.',
    };
  });
}

/** Validate the body of POST /__emulator/faults. */
export function parseFault(input: unknown): Fault {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new FaultInputError('fault must be an object');
  const raw = input as Record<string, unknown>;
  if (!isKind(raw.kind))
    throw new FaultInputError(`kind must be one of ${[...REQUEST_FAULT_KINDS, ...LIFECYCLE_FAULT_KINDS].join(', ')}`);
  const direction = raw.direction;
  if (direction !== undefined && direction !== 'Forward' && direction !== 'Reverse')
    throw new FaultInputError('direction must be Forward or Reverse');
  const probability = optionalNonNegative(raw, 'probability');
  if (probability !== undefined && probability > 1) throw new FaultInputError('probability must be within 0..1');
  const count = optionalNonNegative(raw, 'count');
  if (count !== undefined && (!Number.isInteger(count) || count < 1))
    throw new FaultInputError('count must be an integer >= 1');
  const code = optionalText(raw, 'code');
  const httpStatus = optionalNonNegative(raw, 'httpStatus');
  if (raw.kind === 'error' && code === undefined)
    throw new FaultInputError('kind error needs a code, e.g. "Forbidden.RAM"');
  if (httpStatus !== undefined && (!Number.isInteger(httpStatus) || httpStatus < 400 || httpStatus > 599)) {
    throw new FaultInputError('httpStatus must be an integer from 400 to 599');
  }
  const fault: Fault = {
    id: randomUUID(),
    kind: raw.kind,
    action: optionalText(raw, 'action') ?? '*',
    remaining: count ?? (probability !== undefined ? null : 1),
  };
  const extras = {
    jobId: optionalText(raw, 'jobId'),
    direction: direction,
    instanceId: optionalText(raw, 'instanceId'),
    probability,
    delayMs: optionalNonNegative(raw, 'delayMs'),
    afterMs: optionalNonNegative(raw, 'afterMs'),
    items: parseItems(raw.items),
    message: optionalText(raw, 'message'),
    code,
    httpStatus,
  };
  for (const [key, value] of Object.entries(extras)) {
    if (value !== undefined) Object.assign(fault, { [key]: value });
  }
  return fault;
}

function matches(fault: Fault, target: FaultTarget): boolean {
  if (fault.action !== '*' && fault.action !== target.action) return false;
  if (fault.jobId !== undefined && fault.jobId !== target.jobId) return false;
  if (fault.direction !== undefined && fault.direction !== (target.direction ?? 'Forward')) return false;
  if (fault.instanceId !== undefined && !target.instanceIds.includes(fault.instanceId)) return false;
  return true;
}

export class FaultStore {
  private faults: Fault[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  add(fault: Fault): void {
    this.faults.push(fault);
  }

  list(): Fault[] {
    return [...this.faults];
  }

  clear(): void {
    this.faults = [];
  }

  /** The first matching fault of one of `kinds` that fires now; its count is used up. */
  take(kinds: readonly FaultKind[], target: FaultTarget): Fault | undefined {
    for (const fault of this.faults) {
      if (!kinds.includes(fault.kind) || !matches(fault, target)) continue;
      if (fault.probability !== undefined && this.random() >= fault.probability) continue;
      this.consume(fault);
      return fault;
    }
    return undefined;
  }

  consume(fault: Fault): void {
    if (fault.remaining === null) return;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
  }
}
