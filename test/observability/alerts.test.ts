// deploy/prometheus/: the alerting rules pass `promtool check rules` and their unit tests
// (`promtool test rules`), every alert has a case that fires it and one that does not, and each
// names a runbook section of docs/observability.md. promtool: .ci/install-promtool.sh.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findPromtool, promtool } from './promtool';

const root = resolve(__dirname, '..', '..');
const dir = join(root, 'deploy/prometheus');
const bin = findPromtool();
// CI installs promtool first (.ci/run): there a missing binary is a failure, not a skip.
const needPromtool = !!process.env.CI;

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertCase {
  alertname: string;
  exp_alerts?: unknown[];
}
const rules = (parse(readFileSync(join(dir, 'alerts.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);
const alerts = rules.filter((r): r is Rule & { alert: string } => !!r.alert);
const tests = (
  parse(readFileSync(join(dir, 'alerts.test.yml'), 'utf8')) as { tests: { alert_rule_test?: AlertCase[] }[] }
).tests;
const cases = tests.flatMap((t) => t.alert_rule_test ?? []);

describe('alerting rules', () => {
  it('cover what an operator must hear about', () => {
    const exprs = alerts.map((a) => a.expr).join('\n');
    for (const metric of [
      'sync_setups',
      'dts_sync_delay_seconds',
      'dts_sync_max_delay_seconds',
      'dts_unclaimed_instances',
      'dts_status_watcher_last_round_timestamp_seconds',
      'dts_calls',
      'up{job="worker"}',
    ]) {
      expect(exprs, metric).toContain(metric);
    }
    expect(exprs).toContain('phase="needs-attention"');
    expect(exprs).toContain('phase="release-failed"');
    expect(exprs).toContain('outcome="DtsThrottled"');
  });

  it.each(alerts.map((a) => [a.alert, a] as const))(
    '%s has a severity, a runbook section, and a firing and a quiet unit test',
    (name, alert) => {
      expect(['warning', 'critical']).toContain(alert.labels?.severity);
      const anchor = alert.annotations?.runbook?.split('#')[1];
      expect(anchor).toBe(name.toLowerCase());
      expect(readFileSync(join(root, 'docs/observability.md'), 'utf8')).toMatch(new RegExp(`^### ${name}$`, 'm'));
      const own = cases.filter((c) => c.alertname === name);
      expect(
        own.some((c) => (c.exp_alerts ?? []).length > 0),
        `a case that fires ${name}`,
      ).toBe(true);
      expect(
        own.some((c) => (c.exp_alerts ?? []).length === 0),
        `a case where ${name} stays quiet`,
      ).toBe(true);
    },
  );

  it.skipIf(!bin && !needPromtool)('pass promtool check rules, test rules and check config', () => {
    expect(bin, 'promtool (run .ci/install-promtool.sh)').toBeDefined();
    expect(promtool(bin!, ['check', 'rules', 'alerts.yml'], dir)).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(promtool(bin!, ['test', 'rules', 'alerts.test.yml'], dir)).toContain('SUCCESS');
    // --syntax-only: the API token file the config names exists only inside the container.
    expect(promtool(bin!, ['check', 'config', '--syntax-only', 'prometheus.yml'], dir)).toContain('SUCCESS');
  });

  it.skipIf(!bin && !needPromtool)('fail the unit tests when a rule stops firing (the tests are not vacuous)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'alerts-'));
    try {
      const broken = readFileSync(join(dir, 'alerts.yml'), 'utf8').replace(
        'expr: up{job="worker"} == 0',
        'expr: up{job="worker"} == 2',
      );
      writeFileSync(join(tmp, 'alerts.yml'), broken);
      copyFileSync(join(dir, 'alerts.test.yml'), join(tmp, 'alerts.test.yml'));
      expect(() => promtool(bin!, ['test', 'rules', 'alerts.test.yml'], tmp)).toThrow(/alertname: WorkerDown/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
