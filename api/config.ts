import { EnvReader, type Env } from '../common/env';
import { readPayloadKeys, type PayloadKeys } from '../common/codec';
import { readTemporalConfig, type TemporalConfig } from '../common/temporal-config';
import type { DtsClientConfig } from '../activities/dts/client';

export interface ApiConfig {
  temporal: TemporalConfig;
  host: string;
  port: number;
  logLevel: string;
  tokens: string[];
  rateLimitPerMinute: number;
  payloadKeys: PayloadKeys;
  codecCorsOrigins: string[];
  codecRequiresToken: boolean;
  /** Optional read-only DTS access: lets a pair whose kept job was released be set up again. */
  dts?: DtsClientConfig;
}

export function loadApiConfig(environment: Env = process.env): ApiConfig {
  const env = new EnvReader(environment);
  const config: ApiConfig = {
    temporal: readTemporalConfig(env, environment),
    host: env.string('API_HOST', '127.0.0.1'),
    port: env.int('API_PORT', 3000, { min: 0, max: 65535 }),
    logLevel: env.string('LOG_LEVEL', 'info'),
    tokens: env.list('API_TOKENS'),
    rateLimitPerMinute: env.int('API_RATE_LIMIT_PER_MINUTE', 600, { min: 1 }),
    payloadKeys: readPayloadKeys(env),
    codecCorsOrigins: env.list('CODEC_CORS_ORIGINS', ['http://localhost:8233', 'http://127.0.0.1:8233']),
    codecRequiresToken: env.bool('CODEC_REQUIRE_TOKEN', true),
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
  if (config.tokens.length === 0) env.problem('API_TOKENS is required: one or more bearer tokens, comma-separated');
  for (const token of config.tokens)
    if (token.length < 16) env.problem('API_TOKENS: each token must be at least 16 characters');
  // Without a token anyone who reaches the port could decrypt payloads: loopback only.
  if (!config.codecRequiresToken && !['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
    env.problem(`CODEC_REQUIRE_TOKEN=false is allowed only when API_HOST is a loopback address (got "${config.host}")`);
  }
  env.done();
  return config;
}
