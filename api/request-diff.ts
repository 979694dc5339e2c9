import type { FieldProblem } from './setup-request';
import type { PublicRequest } from './setup-start';

/**
 * Where a new request differs from the running setup of the same pair, field by field.
 * Passwords are never stored, so never compared. A two-way request may name the pair in
 * either order: then its Forward is the running setup's Reverse.
 */
export function requestDifferences(running: PublicRequest, incoming: PublicRequest): FieldProblem[] {
  const twoWay = running.topology === 'bidirectional' && incoming.topology === 'bidirectional';
  const oriented = twoWay && !sameEndpoint(running.source, incoming.source) ? flip(incoming) : incoming;
  const problems: FieldProblem[] = [];
  const asRecord = (r: PublicRequest) => r as unknown as Record<string, unknown>;
  compare('', asRecord(running), asRecord(oriented), problems);
  return problems;
}

function flip(request: PublicRequest): PublicRequest {
  const databases = request.databases.map((d) => ({ from: d.to, to: d.from }));
  return { ...request, source: request.destination, destination: request.source, databases };
}

function sameEndpoint(a: PublicRequest['source'], b: PublicRequest['source']): boolean {
  return a.instanceId === b.instanceId && a.ip === b.ip && a.port === b.port && a.region === b.region;
}

type Fields = Record<string, unknown>;

function compare(at: string, before: Fields, after: Fields, problems: FieldProblem[]): void {
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (key === 'password') continue;
    const [was, now] = [before[key], after[key]];
    const field = `${at}/${key}`;
    if (isPlainObject(was) && isPlainObject(now)) compare(field, was, now, problems);
    else if (JSON.stringify(was) !== JSON.stringify(now)) {
      const message = `the running setup has ${show(was)}, this request ${show(now)}`;
      problems.push({ field, rule: 'differs-from-running-setup', message });
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? 'none' : JSON.stringify(value);
}
