import { EnvReader, type Env } from '../shared/env';
import { readTemporalConfig, type TemporalConfig } from '../shared/temporal-config';

export interface ApiConfig {
  temporal: TemporalConfig;
  host: string;
  port: number;
  logLevel: string;
}

export function loadApiConfig(environment: Env = process.env): ApiConfig {
  const env = new EnvReader(environment);
  const config: ApiConfig = {
    temporal: readTemporalConfig(env),
    host: env.string('API_HOST', '127.0.0.1'),
    port: env.int('API_PORT', 3000, { min: 0, max: 65535 }),
    logLevel: env.string('LOG_LEVEL', 'info'),
  };
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) env.problem(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${config.logLevel}")`);
  env.done();
  return config;
}
