// deploy/alertmanager/: `amtool check-config` accepts it, every alert of deploy/prometheus/alerts.yml is routed
// to the API's relay, and compose, Prometheus and the API agree on where Alertmanager and the relay are.
// amtool: .ci/install-alertmanager.sh (Debian's prometheus-alertmanager, binaries only).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findAlertmanager } from './alertmanager';

const root = resolve(__dirname, '..', '..');
const configPath = join(root, 'deploy/alertmanager/alertmanager.yml');
const config = parse(readFileSync(configPath, 'utf8')) as {
  route: { receiver: string };
  receivers: {
    name: string;
    webhook_configs?: {
      url: string;
      send_resolved?: boolean;
      http_config?: { authorization?: { type: string; credentials_file: string } };
    }[];
  }[];
};
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { entrypoint?: string[]; command?: string[]; volumes?: string[]; ports?: string[] }>;
};
const prometheus = parse(readFileSync(join(root, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
};
const alertNames = (
  parse(readFileSync(join(root, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
    groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[];
  }
).groups.flatMap((g) => g.rules.filter((r) => r.alert));

const amtool = findAlertmanager('amtool');
// CI installs amtool first (.ci/run): there a missing binary is a failure, not a skip.
const needAmtool = !!process.env.CI;
const run = (args: string[]) => execFileSync(amtool!, args, { encoding: 'utf8', timeout: 30_000 });

describe('deploy/alertmanager/alertmanager.yml', () => {
  it.skipIf(!amtool && !needAmtool)('passes amtool check-config', () => {
    expect(amtool, 'amtool (run .ci/install-alertmanager.sh)').toBeDefined();
    expect(run(['check-config', configPath])).toContain('SUCCESS');
  });

  it.skipIf(!amtool && !needAmtool)('routes every alert of the rules, at its severity, to the relay', () => {
    for (const rule of alertNames) {
      const labels = [`alertname=${rule.alert!}`, ...Object.entries(rule.labels ?? {}).map(([k, v]) => `${k}=${v}`)];
      const receiver = run(['config', 'routes', 'test', `--config.file=${configPath}`, ...labels]).trim();
      expect(receiver, rule.alert).toBe('redis-dts-sync');
    }
  });

  it("sends to the API's POST /v1/alerts with a bearer token from the file compose writes, resolved ones too", () => {
    const receiver = config.receivers.find((r) => r.name === config.route.receiver)!;
    const hook = receiver.webhook_configs![0]!;
    expect(new URL(hook.url)).toMatchObject({ host: 'api:3000', pathname: '/v1/alerts' });
    expect(hook.send_resolved).toBe(true);
    expect(hook.http_config?.authorization?.type).toBe('Bearer');
    const entrypoint = compose.services.alertmanager!.entrypoint!.join(' ');
    expect(entrypoint).toContain(`> ${hook.http_config!.authorization!.credentials_file}`);
  });

  it('is the Alertmanager Prometheus sends to, and compose mounts this directory', () => {
    expect(prometheus.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093']);
    const service = compose.services.alertmanager!;
    expect(service.volumes).toContain('./deploy/alertmanager:/etc/alertmanager:ro');
    expect(service.command).toContain('--config.file=/etc/alertmanager/alertmanager.yml');
  });
});
