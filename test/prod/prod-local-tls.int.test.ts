import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, loadTemporalConfig } from '../../common/temporal-config';
import { startTopology, type Topology } from '../../scripts/prod-local/topology';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../emulator/options';
import { freeLowPort } from '../support/ports';
import { syncRequest } from '../support/requests';
import { eventually } from '../support/stack';

// `npm run prod-local -- --tls`: the Temporal server built from source with mTLS on its frontend, workers
// and APIs connecting through the TEMPORAL_TLS_* variables. Proves that the certificate is required (a
// client and a worker without it are refused) and sufficient (a setup reaches synchronizing). Runs with
// PROD_LOCAL=1, like test/prod/prod-local.int.test.ts.
describe.runIf(process.env.PROD_LOCAL === '1')('prod-local with mTLS on the Temporal frontend', () => {
  let topology: Topology;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'redis-dts-prod-local-tls-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to pass through (not read) it.
    chmodSync(dataDir, 0o711);
    topology = await startTopology({
      dataDir,
      tls: true,
      ports: {
        postgres: await freeLowPort(),
        frontend: await freeLowPort(),
        frontendHttp: await freeLowPort(),
        frontendMembership: await freeLowPort(),
        history: await freeLowPort(),
        historyMembership: await freeLowPort(),
        matching: await freeLowPort(),
        matchingMembership: await freeLowPort(),
        temporalWorker: await freeLowPort(),
        temporalWorkerMembership: await freeLowPort(),
        emulator: await freeLowPort(),
        apis: [await freeLowPort()],
        workerMetrics: [await freeLowPort()],
      },
      log: () => {},
      vars: { EMULATOR_TIME_SCALE: '0.1', DTS_STATUS_WATCH_INTERVAL_MS: '1000', LOG_LEVEL: 'warn' },
    });
  }, 900_000);

  afterAll(async () => {
    await topology?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  /** The client environment without the client certificate: TLS and the CA only. */
  const withoutCertificate = () => {
    const env: Record<string, string> = { ...topology.temporalClientEnv };
    delete env.TEMPORAL_TLS_CLIENT_CERT_PATH;
    delete env.TEMPORAL_TLS_CLIENT_KEY_PATH;
    return env;
  };

  it('answers a client that presents the certificate, and refuses one that does not', async () => {
    const withCert = await connectClient(loadTemporalConfig(topology.temporalClientEnv));
    const info = await withCert.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBe(topology.temporalVersion);
    await withCert.close();
    // Without TLS at all, or with TLS but no certificate: the handshake fails, whatever the call.
    for (const env of [{ TEMPORAL_ADDRESS: topology.temporalAddress }, withoutCertificate()]) {
      await expect(
        (async () => {
          const connection = await connectClient(loadTemporalConfig(env));
          try {
            await connection.workflowService.getSystemInfo({});
          } finally {
            await connection.close();
          }
        })(),
      ).rejects.toThrow();
    }
  });

  it('refuses a worker without the client certificate: it exits naming the failure', async () => {
    const worker = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../worker/main.ts')], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dataDir,
        ...withoutCertificate(),
        TEMPORAL_NAMESPACE: topology.namespace,
        TEMPORAL_TASK_QUEUE: topology.taskQueue,
        DTS_ENDPOINT: topology.emulatorUrl,
        ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
        PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
        WORKER_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => worker.once('exit', resolve));
    expect(code, output).not.toBe(0);
    expect(output).not.toContain('worker: polling');
    expect(output).toMatch(/certificate|handshake|tls|transport|connection/i);
  }, 120_000);

  it('runs a setup to synchronizing through workers and the API that connect with the certificate', async () => {
    const api = async (path: string, body?: unknown) => {
      const res = await fetch(`${topology.apiUrls[0]}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${topology.apiToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const created = await api('/v1/syncs', syncRequest({ name: 'prod-local-tls', topology: 'oneway' }));
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.id as string;
    await eventually(
      async () => {
        const { status, body } = await api(`/v1/syncs/${encodeURIComponent(id)}`);
        return status === 200 && body.phase === 'synchronizing' ? body : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 500, what: 'the setup to reach synchronizing over mTLS' },
    );
  }, 300_000);
});
