// `npm run bench:api`: the API under load, with the real worker, dev server and emulator behind it.
// autocannon sends POST /v1/syncs, then GET /v1/syncs/:id, then GET /v1/syncs, each at a fixed rate, while
// the setups the POSTs started run. Writes bench/out/api-summary.json (p50/p99 per route, API RSS).
import { fork } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { freePort } from '../test/support/ports';
import { startBenchEmulator } from './emulator-host';
import { createBody, makePairs } from './fleet';
import { payloadKeysEnv } from './keys';
import { sleep } from './fleet-ops';
import { procRssBytes } from './stats';
import { startWorkerProcess } from './worker-process';

Runtime.install({ logger: new DefaultLogger('WARN') });
const TOKEN = 'bench-api-token-0123456789';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const rate = flag('--rate', 100);
  const seconds = flag('--seconds', 10);
  const outDir = resolve('bench/out');
  mkdirSync(outDir, { recursive: true });
  const log = (line: string) => console.log(`[bench:api ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const posts = rate * seconds;
  const cli = ensureTemporalCli(log);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      searchAttributes: SEARCH_ATTRIBUTES,
    },
  });
  const emulator = await startBenchEmulator('child', 1);
  const pairs = makePairs(posts + rate, 512, 3072);
  for (let i = 0; i < pairs.length; i += 250) {
    const batch = pairs.slice(i, i + 250).flatMap((p) => [p.source, p.target]);
    await fetch(`${emulator.url}/__emulator/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
  }
  const taskQueue = `bench-api-${Date.now()}`;
  const worker = await startWorkerProcess({
    temporalAddress: env.address,
    taskQueue,
    dtsEndpoint: emulator.url,
    dtsMaxCallsPerSecond: 20,
    logFile: join(outDir, 'worker-api.log'),
  });
  const port = await freePort();
  const apiLog = createWriteStream(join(outDir, 'api.log'));
  const api = fork(join(__dirname, '../api/main.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      PAYLOAD_KEYS: payloadKeysEnv(),
      API_TOKENS: TOKEN,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      // The bench measures latency, not the per-client limit.
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
    },
  });
  api.stdout?.pipe(apiLog);
  api.stderr?.pipe(apiLog);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 120) throw new Error('API did not start; see bench/out/api.log');
    await sleep(500);
  }
  let apiRssPeak = 0;
  const sampler = setInterval(() => (apiRssPeak = Math.max(apiRssPeak, procRssBytes(api.pid!) ?? 0)), 500);
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const ids: string[] = [];
  let next = 0;
  const load = (title: string, request: autocannon.Request) =>
    new Promise<autocannon.Result>((done, fail) => {
      log(`${title}: ${rate} req/s for ${seconds} s`);
      // One connection per request a second: slow answers must not lower the rate offered.
      const options = { url, connections: rate, overallRate: rate, duration: seconds, requests: [request] };
      autocannon(options, (err, result) =>
        err ? fail(err instanceof Error ? err : new Error(String(err))) : done(result),
      );
    });
  const post = await load('POST /v1/syncs', {
    method: 'POST',
    path: '/v1/syncs',
    headers,
    setupRequest: (req) => ({ ...req, body: JSON.stringify(createBody(pairs[next++ % pairs.length]!)) }),
    onResponse: (status, body) => {
      if (status < 300) ids.push((JSON.parse(body) as { id: string }).id);
    },
  });
  let turn = 0;
  const getOne = await load('GET /v1/syncs/:id', {
    method: 'GET',
    headers,
    setupRequest: (req) => ({
      ...req,
      path: `/v1/syncs/${encodeURIComponent(ids[turn++ % Math.max(1, ids.length)] ?? 'none')}`,
    }),
  });
  const getList = await load('GET /v1/syncs', { method: 'GET', path: '/v1/syncs', headers });
  clearInterval(sampler);
  const figures = (r: autocannon.Result) => ({
    requests: r.requests.total,
    perSecond: r.requests.average,
    non2xx: r.non2xx,
    errors: r.errors,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
  });
  const summary = {
    rate,
    seconds,
    setupsStarted: ids.length,
    post: figures(post),
    getOne: figures(getOne),
    getList: figures(getList),
    apiRssPeakMb: Math.round(apiRssPeak / 1048576),
    workerRssPeakMb: Math.round(Math.max(0, ...worker.samples.map((s) => s.rss)) / 1048576),
  };
  writeFileSync(join(outDir, 'api-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(JSON.stringify(summary));
  api.kill('SIGTERM');
  await worker.stop();
  await emulator.close();
  await env.teardown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
