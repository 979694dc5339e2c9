import { EnvReader, type Env } from '../common/env';
import { readPayloadKeys, type PayloadKeys } from '../common/codec';
import { readTemporalConfig, type TemporalConfig } from '../common/temporal-config';
import type { DtsClientConfig } from '../activities/dts/client';
import { DTS_APIS } from '../core/vocabulary';
import type { DtsApi } from '../core/types';
import { readFileSync } from 'node:fs';
import { parseTokenEntry, tokenFileLines, type TokenEntry } from './auth';
import { JWT_ALGORITHMS, type JwtConfig } from './jwt';
import { VIEW_CACHE_FULL_MS, VIEW_CACHE_HOT_RATE, VIEW_CACHE_MS } from './view-cache';

export interface ApiConfig {
  temporal: TemporalConfig;
  host: string;
  port: number;
  logLevel: string;
  tokens: TokenEntry[];
  /** Single sign-on: JWTs of the organisation's identity provider, when configured. */
  jwt?: JwtConfig;
  rateLimitPerMinute: number;
  payloadKeys: PayloadKeys;
  codecCorsOrigins: string[];
  codecRequiresToken: boolean;
  /** Optional read-only DTS access: lets a pair whose kept job was released be set up again. */
  dts?: DtsClientConfig;
  /** The DTS API family new setups speak (DTS_API); a running setup keeps the one it started with. */
  dtsApi: DtsApi;
  /** GET one's view cache: the bound on an answer's age in ms, 0 off (api/view-cache.ts). */
  viewCacheMs: number;
  /** GET-one requests a second in one API process that start the view cache's background listing. */
  viewCacheHotRate: number;
  /** How often the view cache lists every running setup; in between only the ones not synchronizing. */
  viewCacheFullMs: number;
}

export function loadApiConfig(environment: Env = process.env): ApiConfig {
  const env = new EnvReader(environment);
  const config: ApiConfig = {
    temporal: readTemporalConfig(env, environment),
    host: env.string('API_HOST', '127.0.0.1'),
    port: env.int('API_PORT', 3000, { min: 0, max: 65535 }),
    logLevel: env.string('LOG_LEVEL', 'info'),
    tokens: [],
    rateLimitPerMinute: env.int('API_RATE_LIMIT_PER_MINUTE', 600, { min: 1 }),
    payloadKeys: readPayloadKeys(env),
    codecCorsOrigins: env.list('CODEC_CORS_ORIGINS', ['http://localhost:8233', 'http://127.0.0.1:8233']),
    codecRequiresToken: env.bool('CODEC_REQUIRE_TOKEN', true),
    dtsApi: env.oneOf('DTS_API', DTS_APIS, 'dtsjob'),
    viewCacheMs: env.int('VIEW_CACHE_MS', VIEW_CACHE_MS, { min: 0, max: 60_000 }),
    viewCacheHotRate: env.int('VIEW_CACHE_HOT_RATE', VIEW_CACHE_HOT_RATE, { min: 1 }),
    viewCacheFullMs: env.int('VIEW_CACHE_FULL_MS', VIEW_CACHE_FULL_MS, { min: 0, max: 3_600_000 }),
  };
  const accessKeyId = env.optional('ALIBABA_CLOUD_ACCESS_KEY_ID');
  if (accessKeyId) {
    config.dts = {
      endpoint: env.url('DTS_ENDPOINT', 'https://dts.aliyuncs.com'),
      apiVersion: env.string('DTS_API_VERSION', '2020-01-01'),
      accessKeyId,
      accessKeySecret: env.optional('ALIBABA_CLOUD_ACCESS_KEY_SECRET') ?? '',
      securityToken: env.optional('ALIBABA_CLOUD_SECURITY_TOKEN'),
      timeoutMs: env.int('DTS_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
    };
  }
  if (config.dts && !config.dts.accessKeySecret)
    env.problem('ALIBABA_CLOUD_ACCESS_KEY_SECRET is required with ALIBABA_CLOUD_ACCESS_KEY_ID');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel))
    env.problem(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${config.logLevel}")`);
  config.tokens = readTokens(env);
  const jwt = readJwt(env);
  if (jwt) config.jwt = jwt;
  if (config.tokens.length === 0 && !config.jwt)
    env.problem(
      'API_TOKENS is required (or API_TOKENS_FILE, or JWT_JWKS_URL): one or more bearer tokens, comma-separated',
    );
  // Without a token anyone who reaches the port could decrypt payloads: loopback only.
  if (!config.codecRequiresToken && !['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
    env.problem(`CODEC_REQUIRE_TOKEN=false is allowed only when API_HOST is a loopback address (got "${config.host}")`);
  }
  env.done();
  return config;
}

/** `API_TOKENS` and the lines of `API_TOKENS_FILE`: `name:role:token` or a bare token (admin). */
function readTokens(env: EnvReader): TokenEntry[] {
  const sources: { variable: string; entries: string[] }[] = [
    { variable: 'API_TOKENS', entries: env.list('API_TOKENS') },
  ];
  const file = env.optional('API_TOKENS_FILE');
  if (file) {
    try {
      sources.push({ variable: `API_TOKENS_FILE (${file})`, entries: tokenFileLines(readFileSync(file, 'utf8')) });
    } catch (err) {
      env.problem(`API_TOKENS_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const tokens: TokenEntry[] = [];
  for (const { variable, entries } of sources)
    entries.forEach((text, i) => {
      const entry = parseTokenEntry(text);
      if ('problem' in entry) env.problem(`${variable}: entry ${i + 1}: ${entry.problem}`);
      else tokens.push(entry);
    });
  const names = tokens.map((t) => t.name);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
    env.problem(`API_TOKENS: the name "${name}" is given to more than one token`);
  return tokens;
}

const LOOPBACK_URL = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;

/** JWT_* : all of issuer, audience and key set URL, or none. */
function readJwt(env: EnvReader): JwtConfig | undefined {
  const jwksUrl = env.optional('JWT_JWKS_URL');
  const issuer = env.optional('JWT_ISSUER');
  const audience = env.optional('JWT_AUDIENCE');
  const roleClaim = env.string('JWT_ROLE_CLAIM', 'role');
  const algorithms = env.list('JWT_ALGORITHMS', ['RS256', 'ES256']);
  if (!jwksUrl && !issuer && !audience) return undefined;
  if (!jwksUrl || !issuer || !audience) {
    env.problem('JWT_JWKS_URL, JWT_ISSUER and JWT_AUDIENCE go together: set all three for single sign-on, or none');
    return undefined;
  }
  // Keys fetched in clear text could be swapped on the way: HTTPS, or plain HTTP on loopback only.
  if (!jwksUrl.startsWith('https://') && !LOOPBACK_URL.test(jwksUrl))
    env.problem(`JWT_JWKS_URL must be an https URL (got "${jwksUrl}")`);
  for (const alg of algorithms)
    if (!JWT_ALGORITHMS.includes(alg))
      env.problem(`JWT_ALGORITHMS: "${alg}" is not one of ${JWT_ALGORITHMS.join(', ')}`);
  return { jwksUrl, issuer, audience, roleClaim, algorithms };
}
