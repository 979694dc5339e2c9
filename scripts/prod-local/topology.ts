import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectClient, loadTemporalConfig } from '../../common/temporal-config';
import { localEnv } from '../local-env';
import { registerSearchAttributes } from '../register-search-attributes';
import { ensureTemporalCli, temporalCliDir } from '../temporal-cli';
import { entrypointScript, imageTag, mountedFile, readCompose, serviceEnv, type ComposeFile } from './compose';
import { ensurePostgres, initDataDir, postgresCommand } from './postgres';
import { Service, sleep } from './processes';
import { ensureTlsFiles, type TlsFiles } from '../tls-certs';
import { ensureTemporalServer } from './temporal-server';

// docker-compose.yml's topology as plain processes on this machine (see docs/deployment.md):
// postgresql → temporal-schema → temporal → temporal-namespace → emulator → workers → APIs.

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

export interface TopologyPorts {
  postgres: number;
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  temporalWorker: number;
  temporalWorkerMembership: number;
  emulator: number;
  /** One API process per port. */
  apis: number[];
  /** One worker process per port (its Prometheus /metrics). */
  workerMetrics: number[];
}

/** The defaults of `npm start` and of the temporalio/server image; PostgreSQL on its usual port. */
export const DEFAULT_PORTS: TopologyPorts = {
  postgres: 5432,
  frontend: 7233,
  frontendHttp: 7243,
  frontendMembership: 6933,
  history: 7234,
  historyMembership: 6934,
  matching: 7235,
  matchingMembership: 6935,
  temporalWorker: 7239,
  temporalWorkerMembership: 6939,
  emulator: 8780,
  apis: [3000, 3001],
  workerMetrics: [9464, 9465],
};

export interface TopologyOptions {
  /** `.data` of the clone: the API token and payload key of `npm start`; everything else under prod-local/. */
  dataDir: string;
  ports: TopologyPorts;
  /** Values for docker-compose.yml's variables, over the process environment (like a .env file). */
  vars?: Record<string, string>;
  log?: (line: string) => void;
  /** Called when a part dies without being asked to (the CLI then stops everything). */
  onUnexpectedExit?: (name: string) => void;
  /** Aborting while starting stops what already runs (Ctrl-C during the start). */
  signal?: AbortSignal;
  /** mTLS on the Temporal frontend, with certificates made under the state directory (tls/). */
  tls?: boolean;
}

export interface Topology {
  stateDir: string;
  ports: TopologyPorts;
  temporalAddress: string;
  /** The TEMPORAL_* variables a client of this server needs (address, and the TLS files in TLS mode). */
  temporalClientEnv: Record<string, string>;
  temporalVersion: string;
  postgresVersion: string;
  namespace: string;
  taskQueue: string;
  emulatorUrl: string;
  apiUrls: string[];
  apiToken: string;
  workers: Service[];
  /**
   * Starts worker `index` again (after its old process stopped), from the checkout at `root`: a rolling
   * upgrade's new build. Resolves once it polls.
   */
  startWorker(index: number, root?: string): Promise<Service>;
  apis: Service[];
  services: Service[];
  /** What listens where, for people. */
  summary(): string;
  stop(): Promise<void>;
}

export async function startTopology(options: TopologyOptions): Promise<Topology> {
  const ctx = prepare(options);
  options.signal?.addEventListener('abort', () => void ctx.stop(), { once: true });
  try {
    // Builds first (cached after the first run), so the start time below is the topology's own.
    const cli = ensureTemporalCli(ctx.log);
    if (!cli) throw new Error('prod-local needs Go to build the pinned Temporal CLI (scripts/temporal-cli.ts)');
    const build = ensureTemporalServer(ctx.temporalVersion, ctx.log);
    const pg = ensurePostgres(ctx.log);
    const database = await startPostgres(ctx, pg);
    await startTemporal(ctx, build);
    await registerNamespace(ctx);
    await startEmulator(ctx);
    const apps = await startApps(ctx);
    return {
      stateDir: ctx.stateDir,
      ports: ctx.ports,
      temporalAddress: ctx.temporalAddress,
      temporalClientEnv: ctx.temporalClientEnv,
      temporalVersion: ctx.temporalVersion,
      postgresVersion: pg.version,
      namespace: apps.workerEnv.TEMPORAL_NAMESPACE!,
      taskQueue: apps.workerEnv.TEMPORAL_TASK_QUEUE!,
      emulatorUrl: ctx.emulatorUrl,
      apiUrls: apps.apiUrls,
      apiToken: apps.apiEnv.API_TOKENS!.split(',')[0]!,
      workers: apps.workers,
      startWorker: apps.startWorker,
      apis: apps.apis,
      services: ctx.services,
      summary: () => summary(ctx, database, apps),
      stop: ctx.stop,
    };
  } catch (err) {
    await ctx.stop();
    throw options.signal?.aborted ? new Error('stopped while starting') : err;
  }
}

/** What every step of the start shares: where things go, compose and its variables, the processes so far. */
interface StartContext {
  options: TopologyOptions;
  log: (line: string) => void;
  ports: TopologyPorts;
  stateDir: string;
  logDir: string;
  compose: ComposeFile;
  vars: Record<string, string | undefined>;
  certs?: TlsFiles;
  clientTls: Record<string, string>;
  temporalAddress: string;
  temporalClientEnv: Record<string, string>;
  temporalVersion: string;
  emulatorUrl: string;
  services: Service[];
  service: (name: string, command: string, args: string[], env: Record<string, string>) => Service;
  stop: () => Promise<void>;
}

function prepare(options: TopologyOptions): StartContext {
  const log = options.log ?? console.log;
  const { ports } = options;
  const stateDir = join(options.dataDir, 'prod-local');
  const logDir = join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  // Temporal's SQL schema keeps membership ports in a smallint (cluster_membership.rpc_port).
  const membership = [
    ports.frontendMembership,
    ports.historyMembership,
    ports.matchingMembership,
    ports.temporalWorkerMembership,
  ];
  if (membership.some((port) => port > 32_767))
    throw new Error(`Temporal membership ports must be ≤ 32767 on SQL stores (got ${membership.join(', ')})`);
  const compose = readCompose();
  const temporalAddress = `127.0.0.1:${ports.frontend}`;
  const emulatorUrl = `http://127.0.0.1:${ports.emulator}`;
  const certs = options.tls ? ensureTlsFiles(join(stateDir, 'tls')) : undefined;
  // The clients' side, through the same variables an operator sets (common/temporal-config.ts).
  const clientTls: Record<string, string> = certs
    ? {
        TEMPORAL_TLS: 'true',
        TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
        TEMPORAL_TLS_SERVER_NAME: 'localhost',
      }
    : {};
  // What a .env would hold: npm start's local values, the user's environment over them, then what this
  // machine's layout forces (addresses of our own processes, one budget share per worker process).
  const vars: Record<string, string | undefined> = {
    ...localEnv(options.dataDir),
    POSTGRES_PASSWORD: secretFile(join(options.dataDir, 'postgres-password'), () =>
      randomBytes(18).toString('base64url'),
    ),
    ...process.env,
    ...options.vars,
    ...clientTls,
    TEMPORAL_ADDRESS: temporalAddress,
    DTS_ENDPOINT: emulatorUrl,
    DTS_WORKERS: String(ports.workerMetrics.length),
  };
  const services: Service[] = [];
  let stopping = false;
  const unexpected = (name: string, code: number | null, signal: string | null) => {
    log(`${name} exited unexpectedly (${signal ?? code})`);
    if (!stopping) options.onUnexpectedExit?.(name);
  };
  return {
    options,
    log,
    ports,
    stateDir,
    logDir,
    compose,
    vars,
    ...(certs ? { certs } : {}),
    clientTls,
    temporalAddress,
    temporalClientEnv: { TEMPORAL_ADDRESS: temporalAddress, ...clientTls },
    temporalVersion: imageTag(compose, 'temporal', vars),
    emulatorUrl,
    services,
    service: (name, command, args, env) => {
      if (stopping) throw new Error(`stopped while starting (before ${name})`);
      const s = new Service(name, command, args, { ...baseEnv(), ...env }, join(logDir, `${name}.log`), unexpected);
      services.push(s);
      return s;
    },
    stop: async () => {
      stopping = true;
      // Reverse start order: clients first, the database last.
      for (const s of [...services].reverse()) await s.stop(s.name === 'postgresql' ? 'SIGINT' : 'SIGTERM');
    },
  };
}

async function startPostgres(ctx: StartContext, pg: ReturnType<typeof ensurePostgres>) {
  const pgEnv = serviceEnv(ctx.compose, 'postgresql', ctx.vars);
  const pgData = join(ctx.stateDir, 'postgres');
  initDataDir(pg, pgData, pgEnv.POSTGRES_USER!, pgEnv.POSTGRES_PASSWORD!, ctx.log);
  const pgCommand = postgresCommand(pg, pgData, ctx.ports.postgres);
  await ctx.service('postgresql', pgCommand.command, pgCommand.args, {}).start({
    check: async () => (
      await run(join(pg.bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(ctx.ports.postgres), '-d', 'postgres']),
      true
    ),
    timeoutMs: 60_000,
  });
  return { pg, pgData, user: pgEnv.POSTGRES_USER };
}

/** temporal-schema (compose's one-shot), then the server itself. */
async function startTemporal(ctx: StartContext, build: ReturnType<typeof ensureTemporalServer>): Promise<void> {
  const { compose, vars, ports, certs } = ctx;
  // temporal-schema: the compose one-shot's own script, with temporal-sql-tool from our build.
  const schemaEnv = {
    ...serviceEnv(compose, 'temporal-schema', vars),
    SQL_HOST: '127.0.0.1',
    SQL_PORT: String(ports.postgres),
    TEMPORAL_SCHEMA_ROOT: build.schemaRoot,
  };
  await oneShot(
    'temporal-schema',
    entrypointScript(compose, 'temporal-schema'),
    { ...schemaEnv, PATH: `${build.binDir}:${process.env.PATH}` },
    ctx.logDir,
  );
  // temporal: the server renders deploy/temporal/prod-local.yaml from the compose service's environment.
  const temporalEnv = serviceEnv(compose, 'temporal', vars);
  const temporal = ctx.service(
    'temporal',
    build.server,
    ['--root', ROOT, '--config', 'deploy/temporal', '--env', 'prod-local', '--allow-no-auth', 'start'],
    {
      ...temporalEnv,
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(ports.postgres),
      BIND_ON_IP: '127.0.0.1',
      DYNAMIC_CONFIG_FILE_PATH: mountedFile(compose, 'temporal', temporalEnv.DYNAMIC_CONFIG_FILE_PATH!),
      FRONTEND_GRPC_PORT: String(ports.frontend),
      FRONTEND_HTTP_PORT: String(ports.frontendHttp),
      FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
      HISTORY_GRPC_PORT: String(ports.history),
      HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
      MATCHING_GRPC_PORT: String(ports.matching),
      MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
      WORKER_GRPC_PORT: String(ports.temporalWorker),
      WORKER_MEMBERSHIP_PORT: String(ports.temporalWorkerMembership),
      ...(certs
        ? { TLS_CA_FILE: certs.caCert, TLS_SERVER_CERT_FILE: certs.serverCert, TLS_SERVER_KEY_FILE: certs.serverKey }
        : {}),
    },
  );
  // The compose health check: the frontend's HTTP API answers once the frontend serves. With mTLS, a
  // gRPC call with the client certificate.
  await temporal.start({
    check: certs
      ? async () => {
          const connection = await connectClient(loadTemporalConfig(ctx.temporalClientEnv));
          await connection.close();
          return true;
        }
      : async () => (await fetch(`http://127.0.0.1:${ports.frontendHttp}/api/v1/system-info`)).ok,
    timeoutMs: 120_000,
  });
}

/**
 * temporal-namespace: the compose one-shot's script with the pinned CLI; then the project's registration script,
 * which finds the attributes the one-shot registered (or adds missing ones).
 */
async function registerNamespace(ctx: StartContext): Promise<void> {
  const nsEnv = serviceEnv(ctx.compose, 'temporal-namespace', ctx.vars);
  await oneShot(
    'temporal-namespace',
    entrypointScript(ctx.compose, 'temporal-namespace'),
    { ...nsEnv, ...ctx.clientTls, PATH: `${temporalCliDir()}:${process.env.PATH}` },
    ctx.logDir,
  );
  const connection = await connectClient(loadTemporalConfig(ctx.vars));
  try {
    const { added, present } = await registerSearchAttributes(connection, nsEnv.TEMPORAL_NAMESPACE!);
    ctx.log(`search attributes: added [${added.join(', ')}], already present [${present.join(', ')}]`);
  } finally {
    await connection.close();
  }
}

const tsx = (file: string) => ['--import', 'tsx', join(ROOT, file)];

/** The emulator (compose's `emulator` profile). */
async function startEmulator(ctx: StartContext): Promise<void> {
  const emulator = ctx.service('emulator', process.execPath, tsx('emulator/main.ts'), {
    ...serviceEnv(ctx.compose, 'emulator', ctx.vars),
    EMULATOR_HOST: '127.0.0.1',
    EMULATOR_PORT: String(ctx.ports.emulator),
    EMULATOR_STATE_FILE: join(ctx.stateDir, 'emulator-state.json'),
  });
  await emulator.start({ check: async () => (await fetch(`${ctx.emulatorUrl}/__emulator/health`)).ok });
}

/** The workers and APIs, in parallel. */
async function startApps(ctx: StartContext) {
  const { compose, vars, ports, services } = ctx;
  const workerEnv = serviceEnv(compose, 'worker', vars);
  const worker = (i: number, root = ROOT, name = `worker-${i + 1}`) =>
    ctx.service(name, process.execPath, ['--import', 'tsx', join(root, 'worker/main.ts')], {
      ...workerEnv,
      WORKER_METRICS_PORT: String(ports.workerMetrics[i]),
      WORKER_METRICS_HOST: '127.0.0.1',
    });
  const workers = ports.workerMetrics.map((_, i) => worker(i));
  const startWorker = async (i: number, root = ROOT) => {
    if (workers[i]?.running) throw new Error(`${workers[i].name} still runs: stop it first`);
    const next = worker(i, root, `worker-${i + 1}-${services.length}`);
    workers[i] = next;
    await next.start({ line: /worker: polling/, timeoutMs: 180_000 });
    return next;
  };
  const apiEnv = serviceEnv(compose, 'api', vars);
  const apis = ports.apis.map((port, i) =>
    ctx.service(`api-${i + 1}`, process.execPath, tsx('api/main.ts'), {
      ...apiEnv,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
    }),
  );
  await Promise.all([
    // Bundling the workflows takes a while on a busy machine.
    ...workers.map((w) => w.start({ line: /worker: polling/, timeoutMs: 180_000 })),
    ...apis.map((a, i) =>
      a.start({
        check: async () => (await fetch(`http://127.0.0.1:${ports.apis[i]}/readyz`)).ok,
        timeoutMs: 120_000,
      }),
    ),
  ]);
  const apiUrls = ports.apis.map((port) => `http://127.0.0.1:${port}`);
  return { workerEnv, apiEnv, workers, startWorker, apis, apiUrls };
}

/** What listens where, for people. */
function summary(
  ctx: StartContext,
  database: Awaited<ReturnType<typeof startPostgres>>,
  { workerEnv, workers, apis, apiUrls }: Awaited<ReturnType<typeof startApps>>,
): string {
  const { ports, certs, temporalAddress, temporalVersion } = ctx;
  return [
    `PostgreSQL ${database.pg.version}  127.0.0.1:${ports.postgres}  (data ${database.pgData}, user ${database.user})`,
    `Temporal ${temporalVersion}     ${temporalAddress}  (${certs ? `mTLS, certificates in ${certs.dir}; ` : ''}HTTP ${ports.frontendHttp}; stores on PostgreSQL, ` +
      `namespace ${workerEnv.TEMPORAL_NAMESPACE})`,
    `DTS emulator        ${ctx.emulatorUrl}`,
    ...workers.map(
      (w, i) =>
        `${w.name} (pid ${w.pid})  metrics http://127.0.0.1:${ports.workerMetrics[i]}/metrics, ` +
        `DTS_WORKERS=${workers.length}`,
    ),
    ...apis.map(
      (a, i) =>
        `${a.name} (pid ${a.pid})     ${apiUrls[i]}  ` +
        `(token in ${join(ctx.options.dataDir, 'api-token')} or API_TOKENS)`,
    ),
    `logs                ${ctx.logDir}`,
  ].join('\n');
}

/** A container gets only its compose environment; so do our processes (plus what the OS needs). */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key]) env[key] = process.env[key]!;
  return env;
}

async function oneShot(name: string, script: string, env: Record<string, string>, logDir: string): Promise<void> {
  try {
    const { stdout, stderr } = await run('sh', [script], {
      env: { ...baseEnv(), ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    writeFileSync(join(logDir, `${name}.log`), stdout + stderr);
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    writeFileSync(join(logDir, `${name}.log`), stdout + stderr);
    throw new Error(
      `${name} failed (see ${join(logDir, `${name}.log`)}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
}

function secretFile(path: string, make: () => string): string {
  if (!existsSync(path)) writeFileSync(path, `${make()}\n`, { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}

export { sleep };
