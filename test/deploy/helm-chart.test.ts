// The Helm chart (deploy/helm/redis-dts-sync) renders, validates against the Kubernetes API schema offline
// (kubernetes-validate ships the schemas; no cluster here), and agrees with what the processes read: the
// rendered environment loads as the worker's and the API's configuration, the grace period outlasts the
// worker's shutdown grace, the probes hit the ports and paths the processes serve, and DTS_WORKERS follows
// the replica count so each worker takes its share of the DTS budget.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../api/config';
import { loadWorkerConfig, WORKER_SHUTDOWN_GRACE_MS } from '../../worker/config';
import { ensureTlsFiles } from '../../scripts/tls-certs';
import { root } from '../support/env-scan';

const CHART = join(root, 'deploy/helm/redis-dts-sync');
const KUBE_VERSION = '1.33.0';
/**
 * How long before it polls a new worker's /metrics answers, with margin: the rolling-upgrade test measured
 * 4.1–4.3 s through tsx with a prebuilt bundle on a loaded machine (2 cores, load average 15–20).
 */
const METRICS_BEFORE_POLLING_MS = 15_000;
// CI installs both first (.ci/run): there a missing tool is a failure, not a skip.
const HELM = [
  process.env.HELM_PATH,
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'redis-dts-sync/helm-v3.22.0/helm'),
].find((path) => path && existsSync(path));
const VALIDATE = ['-m', 'kubernetes_validate'];
const hasValidator = spawnSync('python3', [...VALIDATE, '--version']).status === 0;
const runnable = (!!HELM && hasValidator) || !!process.env.CI;

interface Env {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  command: string[];
  env: Env[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: { httpGet?: { path: string; port: string }; exec?: { command: string[] } };
  livenessProbe: { httpGet?: { path: string; port: string }; exec?: { command: string[] } };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
}
interface Resource {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown> & {
    replicas?: number;
    minReadySeconds?: number;
    strategy?: { rollingUpdate: { maxSurge: number; maxUnavailable: number } };
    template?: {
      spec: {
        terminationGracePeriodSeconds: number;
        securityContext: { runAsNonRoot: boolean };
        containers: Container[];
      };
    };
  };
}

function render(set: string[] = []): { text: string; resources: Resource[] } {
  const args = ['template', 'rds', CHART, '--kube-version', KUBE_VERSION, ...set.flatMap((s) => ['--set', s])];
  const text = execFileSync(HELM!, args, { encoding: 'utf8' });
  const resources = parseAllDocuments(text)
    .map((doc) => doc.toJS() as Resource | null)
    .filter((r): r is Resource => r !== null);
  return { text, resources };
}

function deployment(resources: Resource[], component: 'worker' | 'api'): Resource {
  const found = resources.find((r) => r.kind === 'Deployment' && r.metadata.name.endsWith(`-${component}`));
  expect(found, `${component} Deployment`).toBeDefined();
  return found!;
}

/** The container's environment as the process sees it, secrets filled with stand-ins. */
function envOf(container: Container, secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    container.env.map((e) => [e.name, e.value ?? secrets[e.name] ?? `missing stand-in for ${e.name}`]),
  );
}

const SECRETS = {
  PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  API_TOKENS: 'chart-test-token-not-a-secret',
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
};

const EVERYTHING = [
  'worker.replicas=3',
  'dts.maxCallsPerSecond=30',
  'rkvstore.maxCallsPerSecond=45',
  'dts.statusWatch.settledIntervalMs=20000',
  'dts.unclaimedSweep.intervalMs=120000',
  'dts.unclaimedSweep.maxIntervalMs=600000',
  'serviceMonitor.enabled=true',
  'serviceMonitor.apiTokenSecret.name=metrics-token',
  'networkPolicy.enabled=true',
  'temporal.mtls.existingSecret=temporal-client-tls',
  'temporal.mtls.serverCA=true',
  'temporal.serverName=frontend.temporal.example',
  'rrsa.enabled=true',
  'secrets.alibabaCloud.existingSecret=dts-access-key',
];

describe.skipIf(!runnable)('Helm chart', () => {
  it('passes helm lint', () => {
    const lint = spawnSync(HELM!, ['lint', '--strict', CHART], { encoding: 'utf8' });
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
  });

  it.each([
    ['defaults', []],
    ['every option', EVERYTHING],
    ['an API key', ['temporal.apiKey.existingSecret=temporal-api-key']],
  ])('renders with %s into objects valid against the Kubernetes %s API schema', (_name, set) => {
    const { text } = render(set);
    const check = spawnSync('python3', [...VALIDATE, '--strict', '-k', KUBE_VERSION, '-'], {
      input: text,
      encoding: 'utf8',
    });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout + check.stderr).not.toMatch(/ERROR|failed/i);
  });

  it('gives the worker an environment it accepts, with DTS_WORKERS following the replica count', () => {
    const { resources } = render(EVERYTHING);
    const worker = deployment(resources, 'worker');
    const container = worker.spec.template!.spec.containers[0]!;
    const env = envOf(container, SECRETS);
    expect(env.TEMPORAL_TLS_CLIENT_CERT_PATH).toBe('/var/run/secrets/temporal/tls.crt');
    // The mounted Secret's files, here made locally.
    const certs = ensureTlsFiles(mkdtempSync(join(tmpdir(), 'chart-tls-')));
    const config = loadWorkerConfig({
      ...env,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
    });
    rmSync(certs.dir, { recursive: true, force: true });
    expect(worker.spec.replicas).toBe(3);
    expect(config.dtsWorkers).toBe(worker.spec.replicas);
    expect(config.dtsMaxCallsPerSecond).toBe(30);
    expect(config.rkvstoreMaxCallsPerSecond).toBe(45);
    expect(config.statusWatchSettledIntervalMs).toBe(20_000);
    expect([config.unclaimedSweepIntervalMs, config.unclaimedSweepMaxIntervalMs]).toEqual([120_000, 600_000]);
    // A rollout never runs more workers than the shares were computed for.
    expect(worker.spec.strategy!.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(config.temporal.connection.tls).toMatchObject({ serverNameOverride: 'frontend.temporal.example' });
  });

  it("lets the worker's shutdown grace run out before Kubernetes kills it", () => {
    const { resources } = render();
    const spec = deployment(resources, 'worker').spec.template!.spec;
    const config = loadWorkerConfig(envOf(spec.containers[0]!, SECRETS));
    expect(config.shutdownGraceMs).toBe(WORKER_SHUTDOWN_GRACE_MS);
    // Some seconds to close connections and exit after the grace.
    expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(WORKER_SHUTDOWN_GRACE_MS + 10_000);
  });

  // The procedure test/prod/rolling-upgrade.int.test.ts proves (docs/deployment.md, "Upgrading").
  it('replaces the workers one at a time, each new one polling before the next old one goes', () => {
    const { resources } = render();
    const worker = deployment(resources, 'worker');
    expect(worker.spec.replicas).toBeGreaterThanOrEqual(2); // one always polls while another is replaced
    expect(worker.spec.strategy!.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    // The readiness probe reads /metrics, which answers before the worker polls (the test measures the gap).
    expect(worker.spec.minReadySeconds! * 1000).toBeGreaterThanOrEqual(METRICS_BEFORE_POLLING_MS);
    const pdb = resources.find((r) => r.kind === 'PodDisruptionBudget' && r.metadata.name.endsWith('-worker'));
    expect(pdb?.spec.maxUnavailable).toBe(1);
  });

  it("probes the worker's metrics port and runs its health check", () => {
    const { resources } = render();
    const container = deployment(resources, 'worker').spec.template!.spec.containers[0]!;
    const config = loadWorkerConfig(envOf(container, SECRETS));
    const metrics = container.ports.find((p) => p.name === 'metrics');
    expect(metrics?.containerPort).toBe(config.metricsPort);
    expect(config.metricsHost).toBe('0.0.0.0');
    expect(container.readinessProbe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
    // The image's build writes dist/worker/health.js from worker/health.ts, which reads WORKER_METRICS_PORT.
    expect(container.livenessProbe.exec?.command).toEqual(['node', 'dist/worker/health.js']);
    expect(existsSync(join(root, 'worker/health.ts'))).toBe(true);
    expect(readFileSync(join(root, 'worker/health.ts'), 'utf8')).toContain('WORKER_METRICS_PORT');
  });

  it('gives the API an environment it accepts, and probes the health routes it serves', () => {
    const { resources } = render();
    const container = deployment(resources, 'api').spec.template!.spec.containers[0]!;
    const config = loadApiConfig(envOf(container, SECRETS));
    expect(container.ports.find((p) => p.name === 'http')?.containerPort).toBe(config.port);
    const routes = readFileSync(join(root, 'api/routes/health.ts'), 'utf8');
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe.httpGet?.port).toBe('http');
      expect(routes).toContain(`'${probe.httpGet?.path}'`);
    }
    expect(container.readinessProbe.httpGet?.path).toBe('/readyz');
  });

  it('runs both as non-root on read-only root filesystems, with secrets only from Secrets', () => {
    const { resources } = render(EVERYTHING.concat('temporal.apiKey.existingSecret=temporal-api-key'));
    for (const component of ['worker', 'api'] as const) {
      const spec = deployment(resources, component).spec.template!.spec;
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      const container = spec.containers[0]!;
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      const secretLike = container.env.filter((e) => /(SECRET|TOKENS|_KEYS|API_KEY|ACCESS_KEY_ID)$/.test(e.name));
      expect(secretLike.length).toBeGreaterThan(0);
      for (const e of secretLike) expect(e.valueFrom?.secretKeyRef, e.name).toBeDefined();
    }
    const pdbs = resources.filter((r) => r.kind === 'PodDisruptionBudget');
    expect(pdbs.map((p) => p.spec.maxUnavailable)).toEqual([1, 1]);
  });
});
