// Checks one call's parameters against the reference table (emulator/reference/dts.ts).
import { DTS_ACTIONS, type ActionSpec, type ParamSpec } from './dts';

export type Params = Readonly<Record<string, string>>;

export interface ParamProblem {
  /** `Missing<Name>` or `InvalidParameter`, the codes DTS's gateway answers with. */
  code: string;
  name: string;
  why: string;
}

/** The signed envelope every RPC call carries (docs/dts-api.md §5), not part of any action's table. */
export const ENVELOPE = new Set([
  'Action',
  'Version',
  'AccessKeyId',
  'Format',
  'Signature',
  'SignatureMethod',
  'SignatureNonce',
  'SignatureVersion',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
]);

const REGION_ID = /^[a-z]{2,}(-[a-z0-9]+)+$/;

function present(params: Params, name: string): string | undefined {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
}

function conditionHolds(spec: ParamSpec, params: Params): boolean {
  if (spec.requiredUnless !== undefined) return present(params, spec.requiredUnless) === undefined;
  if (!spec.requiredWhen) return false;
  const other = present(params, spec.requiredWhen.param);
  if (other === undefined) return false;
  return spec.requiredWhen.values.some((v) => v === '*' || v.toLowerCase() === other.toLowerCase());
}

function valueProblem(spec: ParamSpec, value: string): string | undefined {
  switch (spec.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(value)) return 'expected an integer';
      const n = Number(value);
      if (spec.values && !spec.values.map(Number).includes(n)) return `expected one of ${spec.values.join(', ')}`;
      if (spec.min !== undefined && n < spec.min) return `expected at least ${spec.min}`;
      if (spec.max !== undefined && n > spec.max) return `expected at most ${spec.max}`;
      return undefined;
    }
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : 'expected true or false';
    case 'json':
      if (spec.maxLength !== undefined && value.length > spec.maxLength)
        return `expected at most ${spec.maxLength} characters`;
      try {
        JSON.parse(value);
        return undefined;
      } catch {
        return 'the value is not valid JSON';
      }
    case 'region':
      return REGION_ID.test(value) ? undefined : 'expected a region id such as cn-hangzhou';
    case 'string': {
      if (spec.maxItems !== undefined && value.split(',').length > spec.maxItems)
        return `expected at most ${spec.maxItems} comma-separated items`;
      if (spec.maxLength !== undefined && value.length > spec.maxLength)
        return `expected at most ${spec.maxLength} characters`;
      if (spec.ascii && !/^[\x20-\x7e]+$/.test(value)) return 'expected printable ASCII characters';
      if (spec.values) {
        const same = (a: string) => (spec.anyCase ? a.toLowerCase() === value.toLowerCase() : a === value);
        if (!spec.values.some(same)) return `expected one of ${spec.values.join(', ')}`;
      }
      return undefined;
    }
  }
}

/** The first problem of a call, in table order (required ones first), or undefined when the table allows it. */
export function checkParams(spec: ActionSpec, params: Params): ParamProblem | undefined {
  for (const p of spec.params) {
    if ((p.required || conditionHolds(p, params)) && present(params, p.name) === undefined) {
      return { code: `Missing${p.name}`, name: p.name, why: 'required' };
    }
  }
  for (const p of spec.params) {
    const value = present(params, p.name);
    if (value === undefined) continue;
    const why = valueProblem(p, value);
    if (why) return { code: 'InvalidParameter', name: p.name, why };
  }
  return undefined;
}

/** Parameters the table does not name (a gateway ignores them; the client's tests refuse them). */
export function unknownParams(spec: ActionSpec, params: Params): string[] {
  const known = new Set(spec.params.map((p) => p.name));
  return Object.keys(params).filter((name) => !ENVELOPE.has(name) && !known.has(name));
}

export function actionSpec(action: string): ActionSpec | undefined {
  return Object.hasOwn(DTS_ACTIONS, action) ? DTS_ACTIONS[action] : undefined;
}
