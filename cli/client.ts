import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CliError, EXIT } from './exit-codes';

export const DEFAULT_URL = 'http://127.0.0.1:3000';
/** Where `npm start` keeps the local stack's token: used when nothing else names one and the URL is the local one. */
const LOCAL_STACK_TOKEN = join('.data', 'api-token');

export interface Connection {
  url: string;
  token?: string;
}

export interface ConnectionOptions {
  url?: string;
  token?: string;
  config?: string;
}

interface ConfigFile {
  url?: string;
  token?: string;
  tokenFile?: string;
}

/** Flags first, then REDIS_DTS_SYNC_URL/_TOKEN, then the config file, then the local stack's defaults. */
export function resolveConnection(options: ConnectionOptions, env = process.env): Connection {
  const configPath =
    options.config ??
    env.REDIS_DTS_SYNC_CONFIG ??
    join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'redis-dts-sync', 'config.yaml');
  const config = readConfig(configPath, options.config !== undefined || env.REDIS_DTS_SYNC_CONFIG !== undefined);
  const url = (options.url ?? env.REDIS_DTS_SYNC_URL ?? config.url ?? DEFAULT_URL).replace(/\/+$/, '');
  let token = options.token ?? env.REDIS_DTS_SYNC_TOKEN ?? config.token;
  if (!token && config.tokenFile) token = readToken(config.tokenFile, `tokenFile in ${configPath}`);
  if (!token && url === DEFAULT_URL && existsSync(LOCAL_STACK_TOKEN)) token = readToken(LOCAL_STACK_TOKEN, 'the token');
  return { url, ...(token ? { token } : {}) };
}

function readConfig(path: string, named: boolean): ConfigFile {
  if (!existsSync(path)) {
    if (named) throw new CliError(`config file ${path} does not exist`, EXIT.usage);
    return {};
  }
  const value: unknown = parse(readFileSync(path, 'utf8'));
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new CliError(`config file ${path}: expected url, token or tokenFile`, EXIT.usage);
  const config = value as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (!['url', 'token', 'tokenFile'].includes(key))
      throw new CliError(`config file ${path}: unknown field ${key} (url, token, tokenFile)`, EXIT.usage);
    if (typeof config[key] !== 'string') throw new CliError(`config file ${path}: ${key} must be a string`, EXIT.usage);
  }
  return config;
}

function readToken(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new CliError(`cannot read ${what} from ${path}: ${(err as Error).message}`, EXIT.usage);
  }
}

/** An error reply of the API (api/errors.ts): a message, and each bad field. */
export interface ApiErrorBody {
  statusCode: number;
  error?: string;
  message?: string;
  fields?: { field: string; rule: string; message: string }[];
  dtsJobId?: string;
  preflight?: { ok: boolean; items: { check: string; outcome: string; message: string; advice?: string }[] };
}

export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
    readonly route: string,
  ) {
    super(apiMessage(status, body, route), exitCodeFor(status));
  }

  /** Fastify's answer for a route this API does not have (an older API, or one not built yet). */
  get routeMissing(): boolean {
    return this.status === 404 && /^Route .* not found$/.test(this.body.message ?? '');
  }
}

function apiMessage(status: number, body: ApiErrorBody, route: string): string {
  if (status === 401)
    return `${route}: the API refused the token (401): set --token, REDIS_DTS_SYNC_TOKEN or the config file`;
  const lines = [`${route}: ${status} ${body.message ?? body.error ?? ''}`.trimEnd()];
  // The message names every field already for a 400; a 409/422 lists them apart from its sentence.
  if (status !== 400) for (const f of body.fields ?? []) lines.push(`  ${f.field}: ${f.message}`);
  for (const item of body.preflight?.items ?? [])
    if (item.outcome === 'fail')
      lines.push(`  preflight ${item.check}: ${item.message}${item.advice ? ` → ${item.advice}` : ''}`);
  return lines.join('\n');
}

function exitCodeFor(status: number): number {
  if (status === 400 || status === 413) return EXIT.usage;
  if (status === 401 || status === 403) return EXIT.unauthorized;
  if (status === 404) return EXIT.notFound;
  if (status === 409 || status === 422) return EXIT.refused;
  return EXIT.error;
}

/** The HTTP API, and nothing else: every command goes through here. The token goes in one header, never in output. */
export class Api {
  constructor(private readonly connection: Connection) {}

  get url(): string {
    return this.connection.url;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const route = `${method} ${path.split('?')[0]}`;
    let res: Response;
    try {
      res = await fetch(`${this.connection.url}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.connection.token ? { authorization: `Bearer ${this.connection.token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach the API at ${safeUrl(this.connection.url)}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        EXIT.error,
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const errorBody = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as ApiErrorBody;
      throw new ApiError(res.status, { ...errorBody, statusCode: res.status }, route);
    }
    return parsed as T;
  }
}

/** A URL as shown in a message: user information (a password in the URL) left out. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(the configured URL)';
  }
}
