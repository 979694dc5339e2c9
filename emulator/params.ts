// Parameter validation with DTS's Missing<Name> / Invalid<Name> codes.
import { operationErrors } from './errors';

export type Params = Readonly<Record<string, string>>;

/** What a JavaScript client sends when it forgets to omit or stringify a value. */
const CLIENT_BUG_LITERALS = new Set(['undefined', 'null', '[object Object]', 'NaN']);
/** Free text a user may legitimately set to "null" (a job named null, a password "NaN"); DTS accepts those. */
const FREE_TEXT =
  /^(SynchronizationJobName|DtsJobName|ClientToken)$|(\.|^SourceEndpoint|^DestinationEndpoint)(Password|UserName|DatabaseName|DataBaseName|Role)$/;

/** Refuses the literals in ids, enums, numbers and JSON, where only a client bug can produce them. */
export function rejectClientBugLiterals(params: Params): void {
  for (const [name, value] of Object.entries(params)) {
    if (CLIENT_BUG_LITERALS.has(value) && (value === '[object Object]' || !FREE_TEXT.test(name))) {
      throw operationErrors.invalid(name, `the literal value "${value}" is not allowed (a client serialisation bug)`);
    }
  }
}

interface EnumOptions {
  caseInsensitive?: boolean;
}

export class ParamReader {
  constructor(private readonly params: Params) {}

  optional(name: string): string | undefined {
    const value = this.params[name];
    return value === undefined || value === '' ? undefined : value;
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw operationErrors.missing(name);
    return value;
  }

  /** Returns the canonical spelling from `allowed`. */
  enumOf<T extends string>(name: string, allowed: readonly T[], options: EnumOptions = {}): T | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    const match = allowed.find((a) =>
      options.caseInsensitive ? a.toLowerCase() === value.toLowerCase() : a === value,
    );
    if (!match) throw operationErrors.invalid(name, `expected one of ${allowed.join(', ')}`);
    return match;
  }

  requiredEnum<T extends string>(name: string, allowed: readonly T[], options: EnumOptions = {}): T {
    this.required(name);
    return this.enumOf(name, allowed, options) as T;
  }

  boolean(name: string): boolean | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw operationErrors.invalid(name, 'expected true or false');
  }

  requiredBoolean(name: string): boolean {
    this.required(name);
    return this.boolean(name) as boolean;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) throw operationErrors.invalid(name, 'expected an integer');
    const n = Number(value);
    if (n < min || n > max) throw operationErrors.invalid(name, `expected an integer from ${min} to ${max}`);
    return n;
  }

  json(name: string): unknown {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw operationErrors.invalid(name, 'the value is not valid JSON');
    }
  }

  /** ClientToken: ASCII, at most 64 characters. */
  clientToken(name = 'ClientToken'): string | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (value.length > 64 || !/^[\x20-\x7e]+$/.test(value)) {
      throw operationErrors.invalid(name, 'expected at most 64 printable ASCII characters');
    }
    return value;
  }

  /** Region ids look like cn-hangzhou, ap-southeast-1, cn-shanghai-finance-1. */
  region(name: string, required: boolean): string | undefined {
    const value = required ? this.required(name) : this.optional(name);
    if (value !== undefined && !/^[a-z]{2,}(-[a-z0-9]+)+$/.test(value)) {
      throw operationErrors.invalid(name, 'expected a region id such as cn-hangzhou');
    }
    return value;
  }
}
