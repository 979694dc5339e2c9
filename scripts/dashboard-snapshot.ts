import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { parse, stringify } from 'yaml';
import {
  allVariables,
  renderDashboard,
  stepFor,
  substitute,
  type Dashboard,
  type PanelData,
  type QueryWindow,
  type Series,
} from './dashboard-render';
import { freePort } from '../test/support/ports';
import { tairInstance } from '../test/support/requests';
import { DEMO_REQUEST } from './demo';

// `npm run dashboard:snapshot`: the closest this machine gets to a screenshot of the Grafana dashboard
// (no Grafana, no Docker here). It starts a fresh local stack (scripts/stack.ts on free ports, state in
// a temp dir), a real Prometheus (Debian's binary, .ci/install-promtool.sh) scraping its worker and API
// with the jobs and alerts of deploy/prometheus/, and drives a few setups for some minutes: the demo
// two-way sync, a one-way setup whose delay the emulator raises above its maxDelay, one that is torn
// down again, and a minute of throttled and failing DTS calls. Then every panel's queries of
// deploy/grafana/dashboards/redis-dts-sync.json run against Prometheus over that window;
// scripts/dashboard-render.ts draws them and Chromium screenshots the page, and Prometheus' /alerts.
const root = join(__dirname, '..');
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '9' },
    out: { type: 'string', default: 'docs' },
    'keep-data': { type: 'boolean', default: false },
  },
});
const MINUTES = Number(args.minutes);
const SCRAPE_INTERVAL_S = 5;
const promDir = process.env.PROMTOOL_DIR ?? join(homedir(), '.cache/redis-dts-sync/promtool');
const chromiumPath = [
  process.env.CHROMIUM_PATH,
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
]
  .filter((p): p is string => !!p)
  .find((p) => existsSync(p));

const children: ChildProcess[] = [];
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (!Number.isFinite(MINUTES) || MINUTES < 2) throw new Error('--minutes must be at least 2');
  if (!existsSync(join(promDir, 'prometheus')) || !existsSync(join(promDir, 'web', 'templates')))
    throw new Error(`no Prometheus with its web UI in ${promDir}: run bash .ci/install-promtool.sh`);
  if (!chromiumPath) throw new Error('Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)');

  const dataDir = mkdtempSync(join(tmpdir(), 'dashboard-snapshot-'));
  const ports = {
    temporal: await freePort(),
    ui: await freePort(),
    api: await freePort(),
    emulator: await freePort(),
    worker: await freePort(),
    prometheus: await freePort(),
  };
  try {
    const stack = startStack(dataDir, ports);
    const api = `http://127.0.0.1:${ports.api}`;
    const emulator = `http://127.0.0.1:${ports.emulator}/__emulator`;
    await waitFor(`${api}/readyz`, 180_000, stack);
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    log(`stack up: API ${api}, emulator ${emulator}, worker metrics :${ports.worker} (state in ${dataDir})`);

    const prom = `http://127.0.0.1:${ports.prometheus}`;
    startPrometheus(dataDir, ports, token);
    await waitFor(`${prom}/-/ready`, 60_000);
    await eventually(async () => (await instant(prom, 'up == 1')).length >= 2, 'both scrape targets up');
    log(`Prometheus up at ${prom}; collecting for ${MINUTES} min`);

    const startS = Math.floor(Date.now() / 1000);
    await drive(api, emulator, token, startS + MINUTES * 60);

    const endS = Math.floor(Date.now() / 1000);
    const window: QueryWindow = {
      startS,
      endS,
      stepS: stepFor(startS, endS, SCRAPE_INTERVAL_S),
      scrapeIntervalS: SCRAPE_INTERVAL_S,
    };
    const dashboard = JSON.parse(
      readFileSync(join(root, 'deploy/grafana/dashboards/redis-dts-sync.json'), 'utf8'),
    ) as Dashboard;
    const data = await queryPanels(prom, dashboard, window);
    const html = renderDashboard(dashboard, data, {
      width: 1600,
      window,
      caption: [
        'Drawn by scripts/dashboard-snapshot.ts, not by Grafana: the panels and queries of deploy/grafana/dashboards/redis-dts-sync.json, ' +
          `answered by a real Prometheus that scraped a local stack (emulated DTS) every ${SCRAPE_INTERVAL_S} s.`,
        'Workload: the demo two-way sync; "orders" (one-way, maxDelay 30s, delayGrace 1m) whose delay the emulator raised to 95 s; ' +
          '"sessions" (two-way), torn down after it synchronized; a minute of injected DTS faults (20% throttled, 10% unavailable).',
      ],
    });
    mkdirSync(resolve(root, args.out), { recursive: true });
    writeFileSync(join(dataDir, 'dashboard.html'), html);
    writeFileSync(join(dataDir, 'dashboard-data.json'), JSON.stringify({ window, data }));
    await screenshots(html, `${prom}/classic/alerts`, resolve(root, args.out));
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    if (args['keep-data']) log(`kept ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

type Ports = Record<'temporal' | 'ui' | 'api' | 'emulator' | 'worker' | 'prometheus', number>;

/** scripts/stack.ts without its demo, on free ports, its state in `dataDir`. */
function startStack(dataDir: string, ports: Ports): ChildProcess {
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const stack = spawn(process.execPath, [tsx, join(root, 'scripts/stack.ts'), '--no-demo'], {
    env: {
      ...process.env,
      LOCAL_DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
      TEMPORAL_UI_PORT: String(ports.ui),
      API_PORT: String(ports.api),
      EMULATOR_PORT: String(ports.emulator),
      WORKER_METRICS_PORT: String(ports.worker),
      WORKER_METRICS_HOST: '127.0.0.1',
      CODEC_ENDPOINT: `http://127.0.0.1:${ports.api}/codec`,
      CODEC_CORS_ORIGINS: `http://127.0.0.1:${ports.ui}`,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(stack);
  return stack;
}

/** Prometheus with deploy/prometheus/prometheus.yml's jobs and alerts, its targets this stack's. */
function startPrometheus(dataDir: string, ports: Ports, token: string): void {
  const config = parse(readFileSync(join(root, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: ({ job_name: string } & Record<string, unknown>)[];
  };
  const tokenFile = join(dataDir, 'api-metrics-token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  const targets: Record<string, string> = {
    worker: `127.0.0.1:${ports.worker}`,
    api: `127.0.0.1:${ports.api}`,
    prometheus: `127.0.0.1:${ports.prometheus}`,
  };
  config.global = { scrape_interval: `${SCRAPE_INTERVAL_S}s`, evaluation_interval: `${SCRAPE_INTERVAL_S}s` };
  // Prometheus runs in dataDir with a copy of the rules at their repository path, which its /alerts page shows.
  mkdirSync(join(dataDir, 'deploy/prometheus'), { recursive: true });
  config.rule_files = config.rule_files.map((file) => {
    copyFileSync(join(root, 'deploy/prometheus', file), join(dataDir, 'deploy/prometheus', file));
    return `deploy/prometheus/${file}`;
  });
  config.scrape_configs = config.scrape_configs.map((job) => {
    // Compose finds the workers through Docker's DNS; here there is one, at a known port.
    const { dns_sd_configs: _dns, static_configs: _static, ...rest } = job;
    const auth = job.authorization as Record<string, string> | undefined;
    return {
      ...rest,
      ...(auth ? { authorization: { ...auth, credentials_file: tokenFile } } : {}),
      static_configs: [{ targets: [targets[job.job_name] ?? ''] }],
    };
  });
  writeFileSync(join(dataDir, 'prometheus.yml'), stringify(config));
  const prometheus = spawn(
    join(promDir, 'prometheus'),
    [
      '--config.file=prometheus.yml',
      '--storage.tsdb.path=prometheus',
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      `--web.local-assets=${join(promDir, 'web')}`,
      '--log.level=warn',
    ],
    { cwd: dataDir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(prometheus);
}

interface Setup {
  id: string;
  phase: string;
  dtsJobId?: string;
}

/** A JSON call with the token; any answer but 2xx fails the run. */
function caller(token: string) {
  return async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const headers = {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
}

const pair = (name: string) => ({
  source: { instanceId: `r-${name}-src-0001`, region: 'cn-hangzhou', password: `${name}-src-Pa55` },
  destination: { instanceId: `r-${name}-dst-0002`, region: 'cn-hangzhou', password: `${name}-dst-Pa55` },
});

/** The setups whose metrics the dashboard shows, until `untilS`. */
async function drive(api: string, emulator: string, token: string, untilS: number): Promise<void> {
  const call = caller(token);
  const orders = pair('orders');
  const sessions = pair('sessions');
  await call(
    'POST',
    `${emulator}/instances`,
    [orders, sessions].flatMap((p) => [
      tairInstance(p.source.instanceId, p.source.password),
      tairInstance(p.destination.instanceId, p.destination.password),
    ]),
  );
  const start = async (body: unknown) => (await call<Setup>('POST', `${api}/v1/syncs`, body)).id;
  const status = (id: string) => call<Setup>('GET', `${api}/v1/syncs/${encodeURIComponent(id)}`);
  const startedS = Date.now() / 1000;
  const demo = await start(DEMO_REQUEST);
  log(`started the demo sync ${demo}`);
  const plan: Scenario = { demo, delays: new Set<string>(), faults: 'none', released: false };
  const world = { api, emulator, call, start, status, at: (s: number) => Date.now() / 1000 >= startedS + s };
  while (Date.now() / 1000 < untilS) {
    await scenarioStep(world, plan, orders, sessions);
    await sleep(2000);
  }
  for (const id of [demo, plan.orders, plan.sessions]) if (id) log(`${id}: ${(await status(id)).phase}`);
}

/** Where the scripted scenario stands. */
interface Scenario {
  demo: string;
  orders?: string;
  sessions?: string;
  delays: Set<string>;
  faults: 'none' | 'on' | 'off';
  released: boolean;
}

interface World {
  api: string;
  emulator: string;
  call: ReturnType<typeof caller>;
  start: (body: unknown) => Promise<string>;
  status: (id: string) => Promise<Setup>;
  /** `s` seconds have passed since the scenario began. */
  at: (s: number) => boolean;
}

/** What is due now: start the two other setups, raise delays, turn DTS faults on and off, tear one down. */
async function scenarioStep(
  { api, emulator, call, start, status, at }: World,
  plan: Scenario,
  orders: ReturnType<typeof pair>,
  sessions: ReturnType<typeof pair>,
): Promise<void> {
  if (!plan.orders && at(20)) {
    // A tight limit: the raised delay below crosses it, and after delayGrace the setup needs attention.
    plan.orders = await start({
      name: 'orders',
      topology: 'oneway',
      region: 'cn-hangzhou',
      ...orders,
      maxDelay: '30s',
      delayGrace: '1m',
    });
    log(`started orders ${plan.orders} (maxDelay 30s, delayGrace 1m)`);
  }
  if (!plan.sessions && at(40)) {
    plan.sessions = await start({ name: 'sessions', topology: 'bidirectional', region: 'cn-hangzhou', ...sessions });
    log(`started sessions ${plan.sessions}`);
  }
  // Replication falls behind once a setup synchronizes: the orders job above its limit, the demo's reverse below.
  for (const [id, direction, seconds] of [
    [plan.orders, 'Forward', 95],
    [plan.demo, 'Reverse', 40],
  ] as const) {
    if (!id || plan.delays.has(id)) continue;
    const s = await status(id);
    if (s.phase !== 'synchronizing' || !s.dtsJobId) continue;
    await call('POST', `${emulator}/jobs/${encodeURIComponent(s.dtsJobId)}/delay`, { direction, seconds });
    plan.delays.add(id);
    log(`${id}: ${direction} delay raised to ${seconds}s`);
  }
  if (plan.faults === 'none' && at(150)) {
    // A minute of a DTS that throttles and sometimes fails; the worker retries through it.
    await call('POST', `${emulator}/faults`, { kind: 'throttling', probability: 0.2 });
    await call('POST', `${emulator}/faults`, { kind: 'unavailable', probability: 0.1 });
    plan.faults = 'on';
    log('DTS faults on: 20% throttled, 10% unavailable');
  }
  if (plan.faults === 'on' && at(210)) {
    await call('DELETE', `${emulator}/faults`);
    plan.faults = 'off';
    log('DTS faults off');
  }
  if (plan.sessions && !plan.released && at(270) && (await status(plan.sessions)).phase === 'synchronizing') {
    await call('DELETE', `${api}/v1/syncs/${encodeURIComponent(plan.sessions)}`);
    plan.released = true;
    log(`sessions ${plan.sessions}: torn down`);
  }
}

async function instant(prom: string, expr: string): Promise<unknown[]> {
  const body = (await (await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as {
    data?: { result: unknown[] };
  };
  return body.data?.result ?? [];
}

/** Every panel's targets as Grafana would send them, over the window. A query Prometheus refuses fails the run. */
async function queryPanels(prom: string, dashboard: Dashboard, window: QueryWindow): Promise<PanelData> {
  const vars = allVariables(dashboard);
  const data: PanelData = {};
  for (const panel of dashboard.panels) {
    for (const target of panel.targets ?? []) {
      const query = substitute(target.expr, vars, window);
      const params = new URLSearchParams({
        query,
        start: String(window.startS),
        end: String(window.endS),
        step: String(window.stepS),
      });
      const res = await fetch(`${prom}/api/v1/query_range?${params.toString()}`);
      const body = (await res.json()) as { status: string; error?: string; data: { result: Series[] } };
      if (body.status !== 'success') throw new Error(`panel "${panel.title}" ${target.refId}: ${query}: ${body.error}`);
      (data[panel.id] ??= {})[target.refId] = body.data.result;
      log(`${panel.title} ${target.refId}: ${body.data.result.length} series`);
    }
  }
  return data;
}

async function screenshots(html: string, alertsUrl: string, outDir: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.setContent(html, { waitUntil: 'load' });
    const dashboardPng = join(outDir, 'dashboard-local-stack.png');
    await page.screenshot({ path: dashboardPng, fullPage: true });

    const alerts = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await alerts.goto(alertsUrl, { waitUntil: 'networkidle' });
    // The navigation bar is fixed to the viewport: in a full-page picture it would cover the middle.
    await alerts.addStyleTag({ content: 'nav.navbar{position:absolute!important}' });
    // Open the pending and firing rules, as an operator would.
    for (const header of await alerts.locator('tr.alert_header.alert-warning, tr.alert_header.alert-danger').all())
      await header.click();
    const alertsPng = join(outDir, 'prometheus-alerts-local-stack.png');
    await alerts.screenshot({ path: alertsPng, fullPage: true });
    for (const file of [dashboardPng, alertsPng]) log(`wrote ${file} (${Math.round(statSync(file).size / 1024)} KB)`);
  } finally {
    await browser.close();
  }
}

async function waitFor(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`the stack exited (${child.exitCode})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(500);
  }
  throw new Error(`${url} not ready within ${timeoutMs / 1000}s`);
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(1000);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(30_000)]);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
