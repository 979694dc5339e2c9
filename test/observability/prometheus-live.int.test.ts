// A real Prometheus (Debian's binary, .ci/install-promtool.sh) scrapes a real worker and the API
// while a setup runs, loads deploy/prometheus/alerts.yml and answers every dashboard query.
// This is as close to the compose topology as this machine gets (no Docker daemon, no Grafana):
// the scrape jobs are those of deploy/prometheus/prometheus.yml with the targets pointed at this
// process, and the API is scraped with a bearer token from a file, as in compose.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, buildTestApp } from '../support/api';
import { freePort } from '../support/ports';
import { eventually, startStack, TEST_TOKEN, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';
import { findPromtool } from './promtool';
import type { App } from '../../api/app';

const root = resolve(__dirname, '..', '..');
const prometheusBin = findPromtool('prometheus');

interface Target {
  expr: string;
  refId: string;
}
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/dashboards/redis-dts-sync.json'), 'utf8')) as {
  panels: { type: string; title: string; targets?: Target[] }[];
};

let stack: Stack;
let app: App;
let prometheus: ChildProcess | undefined;
let promUrl = '';
let dir = '';

async function query<T = { metric: Record<string, string>; value: [number, string] }[]>(expr: string): Promise<T> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: T } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}

describe.skipIf(!prometheusBin && !process.env.CI)('Prometheus against a running worker and API', () => {
  beforeAll(async () => {
    expect(prometheusBin, 'prometheus (run .ci/install-promtool.sh)').toBeDefined();
    stack = await startStack();
    app = await buildTestApp(stack);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const apiPort = typeof address === 'object' && address ? address.port : 0;

    // One setup to synchronizing, so every metric the code emits today has samples.
    const id = randomUUID().slice(0, 8);
    const source = { instanceId: `r-prom-src-${id}`, region: 'cn-hangzhou', password: `src-${id}-Pa55` };
    const destination = { instanceId: `r-prom-dst-${id}`, region: 'cn-hangzhou', password: `dst-${id}-Pa55` };
    await registerPair(stack, { source, destination });
    const body = { name: `prom-${id}`, topology: 'bidirectional', region: 'cn-hangzhou', source, destination };
    const started = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: body });
    expect(started.statusCode, started.body).toBe(202);
    const setupId = started.json().id as string;
    await eventually(
      async () => {
        const res = await app.inject({ method: 'GET', url: `/v1/syncs/${setupId}`, headers: AUTH });
        return res.json().phase === 'synchronizing' ? true : undefined;
      },
      { what: 'setup synchronizing' },
    );

    // deploy/prometheus/prometheus.yml, with this process's targets instead of compose's DNS names.
    dir = mkdtempSync(join(tmpdir(), 'prometheus-live-'));
    const config = parse(readFileSync(join(root, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      global: Record<string, string>;
      rule_files: string[];
      scrape_configs: Record<string, unknown>[];
    };
    const workerTarget = new URL(stack.workerMetricsUrl).host;
    config.global = { scrape_interval: '1s', evaluation_interval: '1s' };
    config.rule_files = config.rule_files.map((file) => join(root, 'deploy/prometheus', file));
    config.scrape_configs = config.scrape_configs
      .filter((job) => job.job_name !== 'prometheus')
      .map((job) => {
        if (job.job_name === 'worker') return { job_name: 'worker', static_configs: [{ targets: [workerTarget] }] };
        const tokenFile = join(dir, 'api-metrics-token');
        writeFileSync(tokenFile, TEST_TOKEN, { mode: 0o600 });
        const auth = job.authorization as Record<string, string>;
        return {
          ...job,
          authorization: { ...auth, credentials_file: tokenFile },
          static_configs: [{ targets: [`127.0.0.1:${apiPort}`] }],
        };
      });
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      prometheusBin!,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    prometheus.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await eventually(async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), {
      what: `Prometheus ready (${stderr})`,
    });
    // Both jobs scraped at least twice, so rate() has two samples.
    await eventually(
      async () => {
        const up = await query('count_over_time(up[1m]) >= 3 and up == 1');
        return up.length === 2 ? true : undefined;
      },
      { what: 'both targets up' },
    );
  }, 180_000);

  afterAll(async () => {
    if (prometheus?.pid && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await app?.close();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the worker and the API (with its bearer token) under the job names the alerts use', async () => {
    const up = await query('up');
    expect(up.map((s) => [s.metric.job, s.value[1]]).sort()).toEqual([
      ['api', '1'],
      ['worker', '1'],
    ]);
  });

  it('sees the metric names the alerts and the dashboard use, as the SDK exports them', async () => {
    expect(await query('sync_setups{phase="synchronizing"} >= 1')).toHaveLength(1);
    // The SDK's exporter keeps the counter's name as created: dts_calls, no _total.
    const calls = await query('sum by (action) (dts_calls{outcome="ok"})');
    expect(calls.map((s) => s.metric.action)).toEqual(expect.arrayContaining(['CreateSynchronizationJob']));
    expect(await query('dts_calls_total')).toEqual([]);
    expect(await query('sync_time_to_synchronizing_count')).not.toEqual([]);
    expect(await query('dts_call_latency_bucket')).not.toEqual([]);
  });

  it('loads every alerting rule and evaluates it without error', async () => {
    const res = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string; state: string }[] }[] };
    };
    const rules = res.data.groups.flatMap((g) => g.rules);
    const file = parse(readFileSync(join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
      groups: { rules: ({ alert: string } | { record: string })[] }[];
    };
    // Recording rules (e.g. the days left before an instance expires) load beside the alerts.
    const loaded = file.groups.flatMap((g) => g.rules.map((r) => ('alert' in r ? r.alert : r.record)));
    expect(rules.map((r) => r.name).sort()).toEqual(loaded.sort());
    await eventually(async () => (rules.length > 0 && (await evaluated()) ? true : undefined), {
      what: 'rules evaluated',
    });
    async function evaluated(): Promise<boolean> {
      const now = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as typeof res;
      const all = now.data.groups.flatMap((g) => g.rules);
      for (const rule of all) expect(rule.health, `${rule.name}: ${rule.lastError ?? ''}`).not.toBe('err');
      return all.every((r) => r.health === 'ok');
    }
    // A healthy stack: nothing fires that is about the processes or the DTS calls.
    const firing = await query<{ metric: Record<string, string> }[]>('ALERTS');
    const names = firing.map((a) => a.metric.alertname);
    for (const quiet of [
      'WorkerDown',
      'NoWorkerUp',
      'ApiDown',
      'DtsCallsFailing',
      'DtsCallsThrottled',
      'SyncSetupNeedsAttention',
    ]) {
      expect(names).not.toContain(quiet);
    }
  });

  it('answers every dashboard query, with data for the metrics emitted today', async () => {
    const empty: string[] = [];
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      for (const target of panel.targets ?? []) {
        const expr = target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$setup', '.*');
        const result = await query(expr); // throws on a query Prometheus rejects
        if (result.length === 0) empty.push(`${panel.title} ${target.refId}`);
      }
    }
    // Empty today: metrics of the contract not emitted yet, and counts with no setup in that phase.
    for (const title of [
      'Setups by phase A',
      'DTS calls by action A',
      'DTS call latency p95 by action A',
      'Workers up A',
    ]) {
      expect(empty).not.toContain(title);
    }
  });
});
