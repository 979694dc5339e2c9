/** Reading process configuration: every problem names its variable, all are reported at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  string(name: string, fallback?: string): string {
    const value = this.env[name]?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    this.problems.push(`${name} is required`);
    return '';
  }

  /** One of the values, compared case-insensitively; the fallback when unset. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const value = this.optional(name)?.toLowerCase();
    if (value === undefined) return fallback;
    const found = values.find((v) => v === value);
    if (found) return found;
    this.problems.push(`${name} must be one of ${values.join(', ')} (got "${value}")`);
    return fallback;
  }

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    return this.bounded(name, fallback, min, max, Number.isInteger, 'an integer');
  }

  number(name: string, fallback: number, { min = 0, max = Number.MAX_VALUE } = {}): number {
    return this.bounded(name, fallback, min, max, Number.isFinite, 'a number');
  }

  private bounded(
    name: string,
    fallback: number,
    min: number,
    max: number,
    valid: (value: number) => boolean,
    kind: string,
  ): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!valid(value) || value < min || value > max) {
      this.problems.push(`${name} must be ${kind} from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  url(name: string, fallback?: string): string {
    const value = this.string(name, fallback);
    if (value && !/^https?:\/\/[^\s/]+/.test(value))
      this.problems.push(`${name} must be an http(s) URL (got "${value}")`);
    return value.replace(/\/+$/, '');
  }

  list(name: string, fallback: string[] = []): string[] {
    const raw = this.optional(name);
    return raw === undefined
      ? fallback
      : raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws one ConfigError naming every bad variable. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
