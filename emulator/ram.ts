// A RAM policy document, enforced the way RAM does for a RAM user's AccessKey: an explicit Deny wins, then an
// Allow whose Action and Resource both match, else the call is refused with Forbidden.RAM (HTTP 403).
// The grammar is Alibaba's: Version, Statement[] of Effect, Action and Resource (strings or lists, `*` and `?`
// wildcards). Conditions are not modelled: a statement with a Condition is refused at load, not half-applied.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApiError } from './errors';

/** The least-privilege policy this repository ships, and what every emulator enforces unless told otherwise. */
export const SHIPPED_RAM_POLICY = resolve(__dirname, '..', 'deploy', 'ram-policy.json');

/** The account the emulator's AccessKey belongs to, for resource names (acs:dts:<region>:<account>:…). */
export const EMULATOR_ACCOUNT_ID = '1000000000000001';

interface Statement {
  effect: 'Allow' | 'Deny';
  actions: RegExp[];
  resources: RegExp[];
}

export interface RamPolicy {
  statements: Statement[];
}

export class RamPolicyError extends Error {}

function list(value: unknown, field: string, at: string): string[] {
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || items.length === 0 || !items.every((v) => typeof v === 'string' && v !== '')) {
    throw new RamPolicyError(`${at}.${field} must be a non-empty string or list of strings`);
  }
  return items as string[];
}

/** `*` any run of characters, `?` one character; actions compare case-insensitively, as RAM does. */
function pattern(glob: string, ignoreCase: boolean): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
}

export function parseRamPolicy(document: unknown, source = 'policy'): RamPolicy {
  const doc = document as { Statement?: unknown } | null;
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.Statement)) {
    throw new RamPolicyError(`${source}: expected an object with a Statement list`);
  }
  const statements = doc.Statement.map((raw: unknown, i: number): Statement => {
    const at = `${source}: Statement[${i}]`;
    const s = raw as Record<string, unknown>;
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new RamPolicyError(`${at}.Effect must be Allow or Deny`);
    if (s.Condition !== undefined) throw new RamPolicyError(`${at}: Condition is not supported by the emulator`);
    if (s.NotAction !== undefined || s.NotResource !== undefined)
      throw new RamPolicyError(`${at}: NotAction/NotResource are not supported by the emulator`);
    return {
      effect: s.Effect,
      actions: list(s.Action, 'Action', at).map((a) => pattern(a, true)),
      resources: list(s.Resource, 'Resource', at).map((r) => pattern(r, false)),
    };
  });
  return { statements };
}

/** `none` turns enforcement off; anything else is a policy file. */
export function loadRamPolicy(path: string): RamPolicy | undefined {
  if (path === 'none') return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RamPolicyError(`cannot read the RAM policy ${path}: ${(error as Error).message}`);
  }
  try {
    return parseRamPolicy(JSON.parse(text) as unknown, path);
  } catch (error) {
    if (error instanceof RamPolicyError) throw error;
    throw new RamPolicyError(`${path}: not valid JSON`);
  }
}

export function isAllowed(policy: RamPolicy, action: string, resource: string): boolean {
  const matching = policy.statements.filter(
    (s) => s.actions.some((a) => a.test(action)) && s.resources.some((r) => r.test(resource)),
  );
  return !matching.some((s) => s.effect === 'Deny') && matching.some((s) => s.effect === 'Allow');
}

/** Throws Forbidden.RAM unless the policy lets this call through (no policy: everything passes). */
export function authorize(policy: RamPolicy | undefined, action: string, resource: string): void {
  if (!policy || isAllowed(policy, action, resource)) return;
  throw new ApiError(
    'Forbidden.RAM',
    403,
    `User not authorized to operate on the specified resource, or this API doesn't support RAM. ` +
      `(action ${action} on ${resource})`,
  );
}

/** The resource name a call acts on: its instance when it names one, else every instance of its region. */
export function resourceName(product: 'dts' | 'kvstore', regionId: string | undefined, instanceId?: string): string {
  return `acs:${product}:${regionId || '*'}:${EMULATOR_ACCOUNT_ID}:instance/${instanceId || '*'}`;
}
