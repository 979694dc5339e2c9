import { readFileSync } from 'node:fs';
import { Connection, type TLSConfig } from '@temporalio/client';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';
import { EnvReader, type Env } from './env';

export const DEFAULT_TASK_QUEUE = 'redis-dts-sync';
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** What both Connection.connect (client) and NativeConnection.connect (worker) take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  connection: TemporalConnectionOptions;
}

/**
 * The Temporal connection as Temporal's own tools configure it (@temporalio/envconfig): the profile
 * TEMPORAL_PROFILE (default "default") of the TOML file TEMPORAL_CONFIG_FILE (default
 * ~/.config/temporalio/temporal.toml, when present), overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS and TEMPORAL_TLS_*. Certificates and keys may be files (Kubernetes secrets
 * mounted as files) or inline data. The task queue is this project's own setting.
 */
export function readTemporalConfig(env: EnvReader, environment: Env): TemporalConfig {
  const taskQueue = env.string('TEMPORAL_TASK_QUEUE', DEFAULT_TASK_QUEUE);
  // Read by @temporalio/envconfig, the same ones the `temporal` CLI reads. Named here so a wrong value is
  // reported by name at start rather than as a TLS handshake failure later.
  env.optional('TEMPORAL_ADDRESS');
  env.optional('TEMPORAL_NAMESPACE');
  env.optional('TEMPORAL_API_KEY');
  env.optional('TEMPORAL_TLS_SERVER_NAME');
  for (const data of ['CLIENT_CERT', 'CLIENT_KEY', 'SERVER_CA_CERT']) env.optional(`TEMPORAL_TLS_${data}_DATA`);
  const files = {
    TEMPORAL_TLS_CLIENT_CERT_PATH: env.optional('TEMPORAL_TLS_CLIENT_CERT_PATH'),
    TEMPORAL_TLS_CLIENT_KEY_PATH: env.optional('TEMPORAL_TLS_CLIENT_KEY_PATH'),
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: env.optional('TEMPORAL_TLS_SERVER_CA_CERT_PATH'),
  };
  const unreadable = Object.entries(files).filter(([name, path]) => !readable(env, name, path));
  const tls = env.optional('TEMPORAL_TLS');
  if (tls !== undefined && !['true', 'false', '1', '0'].includes(tls))
    env.problem(`TEMPORAL_TLS must be true or false (got "${tls}")`);

  let profile: ClientConfigProfile = {};
  const profileName = env.optional('TEMPORAL_PROFILE');
  const file = env.optional('TEMPORAL_CONFIG_FILE');
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: definedOnly(environment), configFileStrict: true });
  } catch (err) {
    const from = [`profile "${profileName ?? 'default'}"${profileName ? ' (TEMPORAL_PROFILE)' : ''}`];
    from.push(file ? `of TEMPORAL_CONFIG_FILE ${file}` : 'of the default config file', 'and TEMPORAL_* variables');
    env.problem(`Temporal client configuration (${from.join(' ')}): ${(err as Error).message}`);
  }
  const bad = profile.tls ? tlsProblem(profile) : undefined;
  if (bad) env.problem(bad);

  let options: TemporalConnectionOptions = { address: profile.address ?? DEFAULT_TEMPORAL_ADDRESS };
  // Already reported by name above.
  if (unreadable.length === 0)
    try {
      const { connectionOptions } = toClientOptions(profile);
      options = {
        address: connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS,
        ...(connectionOptions.tls != null ? { tls: connectionOptions.tls } : {}),
        ...(profile.apiKey ? { apiKey: profile.apiKey } : {}),
        ...(profile.grpcMeta ? { metadata: profile.grpcMeta } : {}),
      };
    } catch (err) {
      // A certificate path in the TOML file that cannot be read.
      env.problem(`Temporal TLS files of the client profile could not be read: ${(err as Error).message}`);
    }
  return {
    address: options.address,
    namespace: profile.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    taskQueue,
    connection: options,
  };
}

/** A client certificate without its key (or the reverse) would silently connect without mTLS. */
function tlsProblem(profile: ClientConfigProfile): string | undefined {
  const { clientCert, clientKey } = profile.tls ?? {};
  if (!clientCert === !clientKey) return undefined;
  return clientCert
    ? "TEMPORAL_TLS_CLIENT_CERT_PATH/_DATA (or the profile's tls.client_cert_*) needs its key: TEMPORAL_TLS_CLIENT_KEY_PATH/_DATA"
    : "TEMPORAL_TLS_CLIENT_KEY_PATH/_DATA (or the profile's tls.client_key_*) needs its certificate: TEMPORAL_TLS_CLIENT_CERT_PATH/_DATA";
}

function readable(env: EnvReader, name: string, path: string | undefined): boolean {
  if (!path) return true;
  try {
    readFileSync(path);
    return true;
  } catch (err) {
    env.problem(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return false;
  }
}

/** An empty variable counts as unset, as everywhere else here (envconfig would take "" for a key). */
function definedOnly(environment: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => !!entry[1]?.trim()),
  );
}

/** A client connection; the caller closes it. */
export function connectClient(config: TemporalConfig): Promise<Connection> {
  return Connection.connect(config.connection);
}

/** How a log line names the connection: never the key or certificate contents. */
export function describeConnection(config: TemporalConfig): string {
  const tls = config.connection.tls;
  const how =
    tls === undefined || tls === false ? 'plaintext' : typeof tls === 'object' && tls.clientCertPair ? 'mTLS' : 'TLS';
  return `${config.address} (${how}${config.connection.apiKey ? ', API key' : ''}), namespace ${config.namespace}`;
}

/** For scripts: the same configuration as the worker and API, or a ConfigError naming every problem. */
export function loadTemporalConfig(environment: Env = process.env): TemporalConfig {
  const env = new EnvReader(environment);
  const config = readTemporalConfig(env, environment);
  env.done();
  return config;
}
