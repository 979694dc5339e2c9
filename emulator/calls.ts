// The log of every API call, for GET /__emulator/calls and the one-line-per-call log.
import type { Params } from './params';

export interface CallRecord {
  seq: number;
  time: string;
  method: string;
  action?: string;
  jobId?: string;
  direction?: string;
  clientToken?: string;
  /** 'OK', an error Code, or 'reset' / 'dropped' / 'bad-gateway'. */
  outcome: string;
  /** 0 when no HTTP answer was sent. */
  httpStatus: number;
  durationMs: number;
  /** The injected fault kind, if one fired. */
  fault?: string;
  /** Request parameters with passwords and tokens masked and the signature removed. */
  params: Record<string, string>;
}

const SECRET_NAME = /password|secret|securitytoken/i;

export function redactParams(params: Params): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (name === 'Signature') continue;
    safe[name] = SECRET_NAME.test(name) ? '***' : value;
  }
  return safe;
}

export function formatCallLine(call: CallRecord): string {
  const parts = [`[dts-emulator] ${call.time} #${call.seq} ${call.method} ${call.action ?? '-'}`];
  if (call.jobId) parts.push(`job=${call.jobId}`);
  if (call.direction) parts.push(`dir=${call.direction}`);
  if (call.fault) parts.push(`fault=${call.fault}`);
  parts.push(`-> ${call.outcome} ${call.httpStatus || '-'} (${call.durationMs} ms)`);
  return parts.join(' ');
}

export class CallLog {
  private calls: CallRecord[] = [];
  private seq = 0;

  constructor(private readonly maxEntries = 10_000) {}

  add(entry: Omit<CallRecord, 'seq'>): CallRecord {
    const call = { seq: ++this.seq, ...entry };
    this.calls.push(call);
    if (this.calls.length > this.maxEntries) this.calls.shift();
    return call;
  }

  list(): CallRecord[] {
    return [...this.calls];
  }

  clear(): void {
    this.calls = [];
  }
}
