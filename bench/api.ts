// `npm run bench:api`: the API under load, with the real worker, dev server and emulator behind it.
// autocannon sends POST /v1/syncs, then GET /v1/syncs/:id, then GET /v1/syncs, each at a fixed rate, while
// the setups the POSTs started run. Writes bench/out/api-summary.json (p50/p95/p99 per route in apiMs, API RSS).
// `--api URL[,URL] --emulator URL --token-file FILE`: the same load against running APIs instead (npm run
// prod-local, its fleet behind them), spread over them; GET one asks for the setups already there too.
// `--fleet N [--fleet-rate R]` first grows that fleet to N synchronizing setups (POSTed, preflight and all), and
// the figures also go to bench/out/summary-<N>.json (apiMs); --fleet-only grows it and stops, --post-only measures
// the POSTs alone. `--get-rates 100,300` the GET rates (default R,3R).
import { fork } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { freePort } from '../test/support/ports';
import { startBenchEmulator } from './emulator-host';
import { createBody, fleetPairs, makePairs, registerPairs } from './fleet';
import { payloadKeysEnv } from './keys';
import { sleep } from './fleet-ops';
import { procRssBytes } from './stats';
import { pcts } from './summary';
import { startWorkerProcess } from './worker-process';

Runtime.install({ logger: new DefaultLogger('WARN') });
const TOKEN = 'bench-api-token-0123456789';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Per-response times of one route (autocannon's own histogram has no p95). */
const timesMs: Record<string, number[]> = {};

async function main(): Promise<void> {
  const target = option('--api');
  if (target) return againstRunning(target.split(','));
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
      record(
        title,
        autocannon(options, (err, result) =>
          err ? fail(err instanceof Error ? err : new Error(String(err))) : done(result),
        ),
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
    apiMs: apiMs(),
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

function record(route: string, instance: autocannon.Instance): void {
  const times = (timesMs[route] ??= []);
  instance.on('response', (_client, _status, _bytes, responseTimeMs) => times.push(responseTimeMs));
}

function apiMs() {
  return Object.fromEntries(Object.entries(timesMs).map(([route, times]) => [route, pcts(times)]));
}

/**
 * The load against APIs already running (npm run prod-local with a fleet): GET one over the setups there and
 * the ones the POSTs start, GET list (?phase=synchronizing), POST of new pairs (registered in --emulator first)
 * and an operator update (retry, which a synchronizing setup refuses with 409: the update path, no change).
 */
async function againstRunning(urls: string[]): Promise<void> {
  const getRate = flag('--rate', 100);
  const postRate = flag('--post-rate', 10);
  const seconds = flag('--seconds', 10);
  const emulatorUrl = option('--emulator');
  const tokenFile = option('--token-file');
  if (!emulatorUrl || !tokenFile) throw new Error('--api needs --emulator URL and --token-file FILE');
  const token = readFileSync(tokenFile, 'utf8').trim();
  const log = (line: string) => console.log(`[bench:api ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const loadBefore = loadavg().map((l) => l.toFixed(2));
  const fleet = flag('--fleet', 0);
  if (fleet > 0)
    await growFleet(urls, emulatorUrl, headers, fleet, flag('--fleet-rate', 8), flag('--fleet-timeout-min', 9), log);
  // Growing a large fleet and measuring may not fit one 10-minute run: --fleet-only stops here.
  if (process.argv.includes('--fleet-only')) return;
  const ids: string[] = [];
  for (let pageToken: string | undefined, pages = 0; pages < 100; pages++) {
    const query = `pageSize=100&phase=synchronizing${pageToken ? `&pageToken=${pageToken}` : ''}`;
    const res = await fetch(`${urls[0]}/v1/syncs?${query}`, { headers });
    if (!res.ok) throw new Error(`GET /v1/syncs: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as {
      items: { id: string }[];
      nextPageToken?: string;
    };
    ids.push(...page.items.map((i) => i.id));
    pageToken = page.nextPageToken;
    if (!pageToken) break;
  }
  const fleetAtStart = ids.length;
  log(`${ids.length} synchronizing setups behind ${urls.join(', ')}`);
  // New pairs, named apart from the fleet's and from earlier runs.
  const tag = Date.now().toString(36);
  const pairs = makePairs(postRate * seconds + postRate, 512, 3072).map((p) => ({
    ...p,
    name: `${p.name}-${tag}`,
    source: { ...p.source, instanceId: `${p.source.instanceId}-${tag}` },
    target: { ...p.target, instanceId: `${p.target.instanceId}-${tag}` },
  }));
  for (let i = 0; i < pairs.length; i += 250) {
    await fetch(`${emulatorUrl}/__emulator/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pairs.slice(i, i + 250).flatMap((p) => [p.source, p.target])),
    });
  }
  let next = 0;
  let turn = 0;
  /** One autocannon per API at its share of the rate, together. */
  const load = async (title: string, rate: number, request: autocannon.Request) => {
    log(`${title}: ${rate} req/s for ${seconds} s over ${urls.length} API(s)`);
    const share = Math.max(1, Math.round(rate / urls.length));
    const results = await Promise.all(
      urls.map(
        (url) =>
          new Promise<autocannon.Result>((done, fail) => {
            const options = { url, connections: share, overallRate: share, duration: seconds, requests: [request] };
            record(
              title,
              autocannon(options, (err, result) =>
                err ? fail(err instanceof Error ? err : new Error(String(err))) : done(result),
              ),
            );
          }),
      ),
    );
    return {
      requests: results.reduce((a, r) => a + r.requests.total, 0),
      perSecond: results.reduce((a, r) => a + r.requests.average, 0),
      non2xx: results.reduce((a, r) => a + r.non2xx, 0),
      errors: results.reduce((a, r) => a + r.errors, 0),
      timeouts: results.reduce((a, r) => a + r.timeouts, 0),
      ms: pcts(timesMs[title] ?? []),
    };
  };
  const getOne = (id: () => string) => ({
    method: 'GET' as const,
    headers,
    setupRequest: (req: autocannon.Request) => ({ ...req, path: `/v1/syncs/${encodeURIComponent(id())}` }),
  });
  const any = () => ids[turn++ % Math.max(1, ids.length)] ?? 'none';
  const figures: Record<string, unknown> = {};
  figures.post = await load(`POST /v1/syncs @${postRate}`, postRate, {
    method: 'POST',
    path: '/v1/syncs',
    headers,
    setupRequest: (req) => ({ ...req, body: JSON.stringify(createBody(pairs[next++ % pairs.length]!)) }),
    onResponse: (status, body) => {
      if (status < 300) ids.push((JSON.parse(body) as { id: string }).id);
    },
  });
  // --post-only: the POSTs alone (a short before/after of the preflight), no GET or update after them.
  const postOnly = process.argv.includes('--post-only');
  const getRates = postOnly ? [] : (option('--get-rates') ?? `${getRate},${3 * getRate}`).split(',').map(Number);
  for (const rate of getRates) {
    figures[`getOne@${rate}`] = await load(`GET /v1/syncs/:id @${rate}`, rate, getOne(any));
    figures[`getList@${rate}`] = await load(`GET /v1/syncs?phase= @${rate}`, rate, {
      method: 'GET',
      path: '/v1/syncs?phase=synchronizing',
      headers,
    });
  }
  if (!postOnly)
    figures.update = await load(`POST /v1/syncs/:id/retry @${postRate}`, postRate, {
      method: 'POST',
      headers,
      setupRequest: (req) => ({ ...req, path: `/v1/syncs/${encodeURIComponent(any())}/retry` }),
    });
  const loadAfter = loadavg().map((l) => l.toFixed(2));
  const summary = { apis: urls.length, fleet: ids.length, seconds, ...figures, apiMs: apiMs(), loadBefore, loadAfter };
  mkdirSync(resolve('bench/out'), { recursive: true });
  writeFileSync(resolve('bench/out/api-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  // Next to the fleet's other figures (npm run bench writes the same file for its N): apiMs and the run's figures.
  const fleetFile = resolve(`bench/out/summary-${fleetAtStart}.json`);
  const earlier = existsSync(fleetFile)
    ? (JSON.parse(readFileSync(fleetFile, 'utf8')) as object)
    : { setups: fleetAtStart };
  writeFileSync(fleetFile, `${JSON.stringify({ ...earlier, apiMs: summary.apiMs, api: summary }, null, 2)}\n`);
  log(`wrote bench/out/api-summary.json and ${fleetFile}: ${JSON.stringify(summary)}`);
}

/**
 * --fleet N: N two-way setups of pairs of its own, POSTed through the APIs at --fleet-rate (each runs its
 * preflight), then waited for until the list counts N synchronizing: the kept fleet the routes are measured with.
 * A POST of a pair already set up answers with that setup, so a second run with the same --fleet adds nothing.
 */
async function growFleet(
  urls: string[],
  emulatorUrl: string,
  headers: Record<string, string>,
  size: number,
  rate: number,
  timeoutMin: number,
  log: (line: string) => void,
): Promise<void> {
  const pairs = fleetPairs(0, size);
  await registerPairs(emulatorUrl, pairs);
  const deadline = Date.now() + timeoutMin * 60_000;
  const synchronizing = async () => {
    const res = await fetch(`${urls[0]}/v1/syncs?pageSize=1&phase=synchronizing&summary=true`, { headers });
    return res.ok ? ((await res.json()) as { summary: { total: number } }).summary.total : 0;
  };
  const failures: Record<string, number> = {};
  const post = async (pair: (typeof pairs)[number], n: number) => {
    for (let attempt = 0; attempt < 5 && Date.now() < deadline; attempt++) {
      const res = await fetch(`${urls[n % urls.length]}/v1/syncs`, {
        method: 'POST',
        headers,
        body: JSON.stringify(createBody(pair)),
      }).catch((err: Error) => ({ ok: false, status: err.name }) as const);
      if (res.ok) return;
      failures[res.status] = (failures[res.status] ?? 0) + 1;
      await sleep(2_000);
    }
  };
  const started = Date.now();
  log(`fleet: POSTing ${size} two-way setups at ${rate}/s`);
  const inFlight = new Set<Promise<void>>();
  for (const [n, pair] of pairs.entries()) {
    const due = started + (n * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    const p = post(pair, n).finally(() => inFlight.delete(p));
    inFlight.add(p);
    while (inFlight.size >= 4 * rate) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  log(`fleet: ${size} POSTs in ${Math.round((Date.now() - started) / 1000)} s, refusals ${JSON.stringify(failures)}`);
  for (;;) {
    const count = await synchronizing();
    log(`fleet: ${count} synchronizing after ${Math.round((Date.now() - started) / 1000)} s`);
    if (count >= size || Date.now() > deadline) break;
    await sleep(10_000);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
