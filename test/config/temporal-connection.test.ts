// The Temporal connection is configured the way Temporal's own tools configure it (@temporalio/envconfig):
// TOML profiles, TEMPORAL_* variables over them, certificates from files. The API key is checked where it
// matters, on the wire: a TLS gRPC server on loopback records the headers both SDK connections send.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, EnvReader, type Env } from '../../common/env';
import { connectClient, describeConnection, readTemporalConfig } from '../../common/temporal-config';
import { ensureTlsFiles, type TlsFiles } from '../../scripts/tls-certs';

let dir: string;
let certs: TlsFiles;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'temporal-config-'));
  certs = ensureTlsFiles(join(dir, 'tls'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** No config file from the machine's home directory leaks into a test. */
function load(vars: Env) {
  const environment: Env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), ...vars };
  const env = new EnvReader(environment);
  const config = readTemporalConfig(env, environment);
  env.done();
  return config;
}

const sameBytes = (bytes: Uint8Array | undefined, file: string) =>
  bytes !== undefined && Buffer.from(bytes).equals(readFileSync(file));

function problems(vars: Env): string[] {
  try {
    load(vars);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('readTemporalConfig', () => {
  it('defaults to a local plaintext server', () => {
    const config = load({});
    expect(config).toMatchObject({ address: 'localhost:7233', namespace: 'default', taskQueue: 'redis-dts-sync' });
    expect(config.connection).toEqual({ address: 'localhost:7233' });
    expect(describeConnection(config)).toBe('localhost:7233 (plaintext), namespace default');
  });

  it('reads a TOML profile chosen by TEMPORAL_PROFILE, with TEMPORAL_* variables over it', () => {
    const file = join(dir, 'temporal.toml');
    writeFileSync(
      file,
      [
        '[profile.default]',
        'address = "default.example:7233"',
        '[profile.prod]',
        'address = "prod.tmprl.example:7233"',
        'namespace = "sync.a1b2c"',
        '[profile.prod.tls]',
        `client_cert_path = "${certs.clientCert}"`,
        `client_key_path = "${certs.clientKey}"`,
        `server_ca_cert_path = "${certs.caCert}"`,
        'server_name = "localhost"',
      ].join('\n'),
    );
    const config = load({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(config.address).toBe('prod.tmprl.example:7233');
    expect(config.namespace).toBe('sync.a1b2c');
    const tls = config.connection.tls as TLSConfig;
    expect(tls.serverNameOverride).toBe('localhost');
    expect(sameBytes(tls.clientCertPair?.crt, certs.clientCert)).toBe(true);
    expect(sameBytes(tls.clientCertPair?.key, certs.clientKey)).toBe(true);
    expect(sameBytes(tls.serverRootCACertificate, certs.caCert)).toBe(true);
    expect(describeConnection(config)).toBe('prod.tmprl.example:7233 (mTLS), namespace sync.a1b2c');

    const overridden = load({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'other' });
    expect(overridden.namespace).toBe('other');
    expect(load({ TEMPORAL_CONFIG_FILE: file }).address).toBe('default.example:7233');
  });

  it('takes certificates from mounted files, and an API key turns TLS on', () => {
    const config = load({
      TEMPORAL_ADDRESS: 'ns.a1b2c.tmprl.cloud:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
    });
    expect(sameBytes((config.connection.tls as TLSConfig).clientCertPair?.crt, certs.clientCert)).toBe(true);
    const keyed = load({ TEMPORAL_ADDRESS: 'ns.a1b2c.tmprl.cloud:7233', TEMPORAL_API_KEY: 'not-a-real-key' });
    expect(keyed.connection).toMatchObject({ tls: true, apiKey: 'not-a-real-key' });
    expect(describeConnection(keyed)).not.toContain('not-a-real-key');
  });

  it('names the variable of every mistake', () => {
    expect(problems({ TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'missing.pem') })).toEqual([
      expect.stringContaining(`TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read ${join(dir, 'missing.pem')} (ENOENT)`),
      expect.stringContaining('needs its key: TEMPORAL_TLS_CLIENT_KEY_PATH'),
    ]);
    expect(problems({ TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey })).toEqual([
      expect.stringContaining('needs its certificate: TEMPORAL_TLS_CLIENT_CERT_PATH'),
    ]);
    expect(problems({ TEMPORAL_PROFILE: 'nope' })).toEqual([
      expect.stringMatching(/profile "nope" \(TEMPORAL_PROFILE\).*: Profile 'nope' not found/),
    ]);
    expect(problems({ TEMPORAL_TLS: 'maybe' })).toEqual(['TEMPORAL_TLS must be true or false (got "maybe")']);
    expect(problems({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert, TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'x' })).toEqual(
      [expect.stringContaining('Cannot specify both server_ca_cert_path and server_ca_cert_data')],
    );
  });
});

describe('API key on the wire', () => {
  let server: grpc.Server;
  let port: number;
  const seen: grpc.Metadata[] = [];

  beforeAll(async () => {
    server = new grpc.Server();
    // The one call both connections make when they connect. An empty message is a valid empty response.
    const bytes = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
    server.addService(
      {
        GetSystemInfo: {
          path: '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo',
          requestStream: false,
          responseStream: false,
          requestSerialize: bytes.serialize,
          requestDeserialize: bytes.deserialize,
          responseSerialize: bytes.serialize,
          responseDeserialize: bytes.deserialize,
        },
      },
      {
        GetSystemInfo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          seen.push(call.metadata);
          callback(null, Buffer.alloc(0));
        },
      },
    );
    const credentials = grpc.ServerCredentials.createSsl(readFileSync(certs.caCert), [
      { cert_chain: readFileSync(certs.serverCert), private_key: readFileSync(certs.serverKey) },
    ]);
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
    );
  });
  afterAll(() => server?.forceShutdown());

  const keyed = () =>
    load({
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_API_KEY: 'test-api-key-not-a-secret',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    });

  it('the client connection (API) sends it as a bearer token over TLS', async () => {
    seen.length = 0;
    const connection = await connectClient(keyed());
    await connection.close();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map((m) => m.get('authorization'))).toContainEqual(['Bearer test-api-key-not-a-secret']);
  });

  it('the native connection (worker) sends it as a bearer token over TLS', async () => {
    seen.length = 0;
    const connection = await NativeConnection.connect(keyed().connection);
    await connection.close();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map((m) => m.get('authorization'))).toContainEqual(['Bearer test-api-key-not-a-secret']);
  });

  it('sends no authorization header without a key', async () => {
    seen.length = 0;
    const config = load({
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    });
    const connection = await connectClient(config);
    await connection.close();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map((m) => m.get('authorization'))).toEqual(seen.map(() => []));
  });
});
