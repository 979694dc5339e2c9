import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS, startTopology, type Topology, type TopologyPorts } from './prod-local/topology';

// `npm run prod-local`: docker-compose.yml's production topology without Docker, on this machine:
// PostgreSQL (Debian's package), a Temporal server built from source on it, the DTS emulator,
// two worker processes sharing the DTS budget and two API processes. Ctrl-C stops it; data stays in .data/.
//   npm run prod-local -- --frontend-port 17233 --api-ports 13000,13001   (see --help)

const HELP = `Usage: npm run prod-local -- [options]
  --data-dir DIR          the .data directory (default: .data of the clone; state in DIR/prod-local)
  --postgres-port N       PostgreSQL (default ${DEFAULT_PORTS.postgres})
  --frontend-port N       Temporal frontend gRPC (default ${DEFAULT_PORTS.frontend}); the server's other ports
                          follow it at the temporalio/server offsets (HTTP +10, history +1, matching +2, ...)
  --emulator-port N       DTS emulator (default ${DEFAULT_PORTS.emulator})
  --api-ports A,B         one API process per port (default ${DEFAULT_PORTS.apis.join(',')})
  --metrics-ports A,B     one worker process per port, its /metrics (default ${DEFAULT_PORTS.workerMetrics.join(',')})
  --tls                   mTLS on the Temporal frontend: a CA, server and client certificates made in
                          DIR/prod-local/tls; workers and APIs connect with TEMPORAL_TLS_* (docs/deployment.md)
docker-compose.yml's variables (POSTGRES_USER, TEMPORAL_NAMESPACE, DTS_MAX_CALLS_PER_SECOND, API_TOKENS, ...)
are read from the environment as compose reads them from .env.`;

/** The temporalio/server defaults keep their distance from the frontend port (7233 → 7243, 6933, ...). */
export function portsFrom(frontend: number, overrides: Partial<TopologyPorts> = {}): TopologyPorts {
  const shift = frontend - DEFAULT_PORTS.frontend;
  const at = (port: number) => port + shift;
  return {
    ...DEFAULT_PORTS,
    frontend,
    frontendHttp: at(DEFAULT_PORTS.frontendHttp),
    frontendMembership: at(DEFAULT_PORTS.frontendMembership),
    history: at(DEFAULT_PORTS.history),
    historyMembership: at(DEFAULT_PORTS.historyMembership),
    matching: at(DEFAULT_PORTS.matching),
    matchingMembership: at(DEFAULT_PORTS.matchingMembership),
    temporalWorker: at(DEFAULT_PORTS.temporalWorker),
    temporalWorkerMembership: at(DEFAULT_PORTS.temporalWorkerMembership),
    ...overrides,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'postgres-port': { type: 'string' },
      'frontend-port': { type: 'string' },
      'emulator-port': { type: 'string' },
      'api-ports': { type: 'string' },
      'metrics-ports': { type: 'string' },
      tls: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
  const list = (value: string | undefined, fallback: number[]) =>
    value === undefined ? fallback : value.split(',').map(Number);
  const ports = portsFrom(port(values['frontend-port'], DEFAULT_PORTS.frontend), {
    postgres: port(values['postgres-port'], DEFAULT_PORTS.postgres),
    emulator: port(values['emulator-port'], DEFAULT_PORTS.emulator),
    apis: list(values['api-ports'], DEFAULT_PORTS.apis),
    workerMetrics: list(values['metrics-ports'], DEFAULT_PORTS.workerMetrics),
  });
  const bad = Object.entries(ports).filter(([, v]) =>
    [v].flat().some((p: number) => !Number.isInteger(p) || p < 1 || p > 65535),
  );
  if (bad.length > 0) throw new Error(`not a port: ${bad.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
  const dataDir = resolve(values['data-dir'] ?? join(__dirname, '..', '.data'));
  mkdirSync(dataDir, { recursive: true });

  // stop() reads it before startTopology resolves (a signal during start-up), so it cannot be a const.
  // eslint-disable-next-line prefer-const
  let topology: Topology | undefined;
  let stopping = false;
  const starting = new AbortController();
  const stop = async (code: number) => {
    if (stopping) return console.log('prod-local: still stopping, in order (the data is safe)');
    stopping = true;
    console.log(`prod-local: stopping (data stays in ${join(dataDir, 'prod-local')})`);
    if (topology) await topology.stop();
    else starting.abort(); // startTopology stops what it started, then fails
    if (topology) process.exit(code);
  };
  // The parts run in their own process groups (so Ctrl-C reaches only this script, which stops them in
  // order): every signal that ends this script must stop them too, or they outlive it. A closed terminal
  // sends SIGHUP; `npm run` passes SIGTERM on to this script (the npm script `exec`s it). A signal often
  // comes twice (Ctrl-C reaches npm and tsx, and npm passes it on too), and a second Ctrl-C must not kill
  // this script halfway through the stop either: `on`, not `once`.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));

  const started = Date.now();
  topology = await startTopology({
    dataDir,
    ports,
    tls: values.tls,
    signal: starting.signal,
    onUnexpectedExit: (name) => {
      console.error(`prod-local: ${name} died; stopping the topology`);
      void stop(1);
    },
  });
  console.log(`
The production topology is up (started in ${((Date.now() - started) / 1000).toFixed(1)} s):
${topology.summary()}

Try it:
  curl -sS ${topology.apiUrls[0]}/v1/syncs -H "authorization: Bearer $(cat ${join(dataDir, 'api-token')})"
  TEMPORAL_ADDRESS=${topology.temporalAddress} npm run temporal -- workflow list
Ctrl-C stops everything; the data stays in ${topology.stateDir}.`);
}

main().catch((err) => {
  console.error(`prod-local: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
