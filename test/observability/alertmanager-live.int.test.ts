// An alert rule of deploy/prometheus/alerts.yml fired through the real chain: a setup parks in needs-attention,
// a real Prometheus scrapes the API and fires SyncSetupNeedsAttention, a real Alertmanager
// (deploy/alertmanager/alertmanager.yml) posts it to the API's relay, and the worker delivers it to local
// receivers, signed. Only what ties the files to compose changes: targets, token files, and shorter waits.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, buildTestApp } from '../support/api';
import { freePort } from '../support/ports';
import { eventually, startStack, TEST_TOKEN, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';
import { startReceiver, type Receiver } from '../notify/receivers';
import { findPromtool } from './promtool';
import { findAlertmanager } from './alertmanager';
import type { App } from '../../api/app';

const root = resolve(__dirname, '..', '..');
const prometheusBin = findPromtool('prometheus');
const alertmanagerBin = findAlertmanager('alertmanager');
const RELAY_TOKEN = 'alertmanager-token-0123456789abcdef';

let stack: Stack;
let app: App;
let webhook: Receiver;
let slack: Receiver;
let dir = '';
const children: ChildProcess[] = [];

function run(bin: string, args: string[]): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  Object.defineProperty(child, 'stderrText', { get: () => stderr });
  children.push(child);
  return child;
}

describe.skipIf((!prometheusBin || !alertmanagerBin) && !process.env.CI)(
  'Prometheus → Alertmanager → the API relay → the chat tools',
  () => {
    beforeAll(async () => {
      expect(prometheusBin, 'prometheus (run .ci/install-promtool.sh)').toBeDefined();
      expect(alertmanagerBin, 'alertmanager (run .ci/install-alertmanager.sh)').toBeDefined();
      webhook = await startReceiver('webhook', 'hook-secret-N0t1fy-alerts-01');
      slack = await startReceiver('slack', '');
      stack = await startStack({
        worker: {
          notify: {
            destinations: [
              { kind: 'webhook', url: webhook.url, secret: webhook.secret },
              { kind: 'slack', url: slack.url },
            ],
            links: {},
          },
        },
      });
      app = await buildTestApp(stack, { tokens: [TEST_TOKEN, `alertmanager:operator:${RELAY_TOKEN}`] });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      const apiPort = typeof address === 'object' && address ? address.port : 0;
      dir = mkdtempSync(join(tmpdir(), 'alertmanager-live-'));

      // Alertmanager: the shipped file, the relay at this API, quick grouping.
      const amConfig = parse(readFileSync(join(root, 'deploy/alertmanager/alertmanager.yml'), 'utf8')) as {
        route: Record<string, unknown>;
        receivers: { webhook_configs: { url: string; http_config: { authorization: Record<string, string> } }[] }[];
      };
      Object.assign(amConfig.route, { group_wait: '1s', group_interval: '1s' });
      const hook = amConfig.receivers[0]!.webhook_configs[0]!;
      hook.url = hook.url.replace('http://api:3000', `http://127.0.0.1:${apiPort}`);
      writeFileSync(join(dir, 'relay-token'), RELAY_TOKEN, { mode: 0o600 });
      hook.http_config.authorization.credentials_file = join(dir, 'relay-token');
      writeFileSync(join(dir, 'alertmanager.yml'), stringify(amConfig));
      const amPort = await freePort();
      const am = run(alertmanagerBin!, [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ]);
      await eventually(async () => ((await fetch(`http://127.0.0.1:${amPort}/-/ready`)).ok ? true : undefined), {
        what: `Alertmanager ready (${(am as unknown as { stderrText: string }).stderrText})`,
      });

      // Prometheus: the shipped rules with their `for` cut to nothing, the API scraped with its token.
      const rules = parse(readFileSync(join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
        groups: { rules: { for?: string }[] }[];
      };
      for (const rule of rules.groups.flatMap((g) => g.rules)) if (rule.for) rule.for = '0s';
      writeFileSync(join(dir, 'alerts.yml'), stringify(rules));
      writeFileSync(join(dir, 'api-token'), TEST_TOKEN, { mode: 0o600 });
      const promConfig = {
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(dir, 'alerts.yml')],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        scrape_configs: [
          {
            job_name: 'api',
            metrics_path: '/metrics',
            authorization: { type: 'Bearer', credentials_file: join(dir, 'api-token') },
            static_configs: [{ targets: [`127.0.0.1:${apiPort}`] }],
          },
        ],
      };
      writeFileSync(join(dir, 'prometheus.yml'), stringify(promConfig));
      const promPort = await freePort();
      const prom = run(prometheusBin!, [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'prom-data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ]);
      await eventually(async () => ((await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok ? true : undefined), {
        what: `Prometheus ready (${(prom as unknown as { stderrText: string }).stderrText})`,
      });
    }, 180_000);

    afterAll(async () => {
      for (const child of children) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await app?.close();
      await stack?.stop();
      await webhook?.close();
      await slack?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(
      'tells the chat tools that a setup needs attention, signed, once per notification',
      { timeout: 180_000 },
      async () => {
        const n = randomUUID().slice(0, 8);
        const source = { instanceId: `r-am-src-${n}`, region: 'cn-hangzhou', password: `src-${n}-Pa55` };
        const destination = { instanceId: `r-am-dst-${n}`, region: 'cn-hangzhou', password: `dst-${n}-Pa55` };
        await registerPair(stack, { source, destination });
        // A password the instance does not have: the precheck fails and the setup parks in needs-attention.
        const started = await app.inject({
          method: 'POST',
          url: '/v1/syncs',
          headers: AUTH,
          payload: {
            name: `am-${n}`,
            topology: 'oneway',
            region: 'cn-hangzhou',
            source: { ...source, password: `wrong-${n}-Pa55` },
            destination,
          },
        });
        expect(started.statusCode, started.body).toBe(202);

        const alertOf = (r: Receiver) =>
          r.deliveries.find((d) =>
            r.kind === 'webhook'
              ? d.json.event === 'alert' &&
                (d.json.alerts as { labels: { alertname: string } }[]).some(
                  (a) => a.labels.alertname === 'SyncSetupNeedsAttention',
                )
              : d.event === '[FIRING] SyncSetupNeedsAttention',
          );
        const hooked = await eventually(async () => alertOf(webhook), {
          timeoutMs: 120_000,
          what: 'the alert at the webhook',
        });
        expect(hooked.signed).toBe(true);
        expect(hooked.json).toMatchObject({ status: 'firing', title: '[FIRING] SyncSetupNeedsAttention' });
        expect(hooked.eventId).toMatch(/^alert\./);
        const chat = await eventually(async () => alertOf(slack), { what: 'the alert in Slack' });
        expect(chat.body).toContain('setup(s) in needs-attention');
        expect(chat.body).toContain('docs/observability.md#syncsetupneedsattention');
        // Each notification once per destination: ids are not repeated.
        const ids = webhook.deliveries.map((d) => d.eventId);
        expect(new Set(ids).size).toBe(ids.length);
      },
    );
  },
);
