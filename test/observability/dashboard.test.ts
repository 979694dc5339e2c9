// deploy/grafana/: the dashboard is valid against Grafana's own dashboard schema (the types that
// @grafana/schema generates from it, checked by the TypeScript compiler, panel options included),
// every panel queries the provisioned Prometheus with PromQL that parses (promtool), and
// docker-compose.yml loads it. Grafana itself cannot run on this machine (no package).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findPromtool, promtool } from './promtool';

const root = resolve(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const DASHBOARD_FILE = 'deploy/grafana/dashboards/redis-dts-sync.json';

interface Target {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
}
interface PanelJson {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}
const dashboard = JSON.parse(read(DASHBOARD_FILE)) as {
  uid: string;
  panels: PanelJson[];
  templating: { list: { name: string }[] };
};
const panels = dashboard.panels.filter((p) => p.type !== 'row');

/** Where Grafana declares the options (and custom field config) of each panel plugin used. */
const PANEL_TYPES: Record<string, { module: string; fieldConfig: boolean }> = {
  timeseries: { module: 'timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen', fieldConfig: true },
  stat: { module: 'stat/panelcfg/x/StatPanelCfg_types.gen', fieldConfig: false },
};

/**
 * TypeScript errors of `source`, compiled as if it were a file of this repository (so
 * @grafana/schema resolves from node_modules), without writing it anywhere.
 */
function typeErrors(source: string): string[] {
  const file = join(root, 'test/observability/dashboard-schema-check.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const base = ts.createCompilerHost(options);
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language) : base.getSourceFile(name, language, ...rest);
  host.fileExists = (name) => name === file || base.fileExists(name);
  host.readFile = (name) => (name === file ? source : base.readFile(name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return `${where ? `line ${where.line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** A program that assigns the dashboard, and each panel, to Grafana's types. */
function schemaCheckSource(json: { panels: PanelJson[] }): string {
  const lines = [
    "import type { Dashboard, Panel } from '@grafana/schema';",
    ...Object.entries(PANEL_TYPES).map(
      ([type, { module }]) => `import type * as ${type} from '@grafana/schema/dist/esm/raw/composable/${module}';`,
    ),
    // JSON spells enum members as their values: compare with the values' literal types.
    'type Json<T> = T extends string ? `${T}` : T extends readonly (infer U)[] ? Json<U>[]',
    '  : T extends object ? { [K in keyof T]: Json<T[K]> } : T;',
    `export const dashboard: Json<Dashboard> = ${JSON.stringify(json)};`,
  ];
  json.panels.forEach((panel, i) => {
    const types = PANEL_TYPES[panel.type];
    if (!types) return;
    const custom = types.fieldConfig ? `, ${panel.type}.FieldConfig` : '';
    // Panel<TOptions> leaves `options` a record, so the plugin's Options type is put in by hand.
    const type = `Omit<Panel<Record<string, unknown>${custom}>, 'options'> & { options: ${panel.type}.Options }`;
    lines.push(`export const panel${i}: Json<${type}> = ${JSON.stringify(panel)};`);
  });
  return lines.join('\n');
}

/** Dashboard variables as a query would see them, so that every expression is plain PromQL. */
function toPromQL(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$setup', '.*');
}

describe('Grafana dashboard', () => {
  it('is valid against Grafana dashboard schema (@grafana/schema), panel options included', { timeout: 60_000 }, () => {
    for (const type of new Set(panels.map((p) => p.type)))
      expect(PANEL_TYPES, `option types for ${type} panels`).toHaveProperty(type);
    expect(typeErrors(schemaCheckSource(dashboard))).toEqual([]);
  });

  it('the schema check catches a broken dashboard', { timeout: 60_000 }, () => {
    const broken = structuredClone(dashboard) as unknown as { panels: Record<string, unknown>[]; refresh: unknown };
    broken.refresh = 30; // a number where Grafana wants a duration string
    const stat = broken.panels.find((p) => p.type === 'stat') as { options: Record<string, unknown> };
    stat.options.colorMode = 'purple'; // not a BigValueColorMode
    const series = broken.panels.filter((p) => p.type === 'timeseries').at(-1) as { gridPos: Record<string, unknown> };
    series.gridPos = { x: 0, y: 0, w: 4 }; // no height
    const errors = typeErrors(schemaCheckSource(broken as unknown as { panels: PanelJson[] })).join('\n');
    expect(errors).toMatch(/Type 'number' is not assignable to type 'string'/);
    expect(errors).toMatch(/"purple"/);
    expect(errors).toMatch(/Property 'h' is missing/);
  });

  it('has unique panel ids and a tidy 24-column grid without overlaps', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { title, gridPos: g } of dashboard.panels) {
      expect(g.x + g.w, title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('queries only the provisioned Prometheus, every panel with targets', () => {
    const provisioned = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    const ds = provisioned.datasources[0]!;
    expect(ds).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual({ type: ds.type, uid: ds.uid });
      expect(panel.targets?.length, `${panel.title} targets`).toBeGreaterThan(0);
      const refIds = panel.targets!.map((t) => t.refId);
      expect(new Set(refIds).size, `${panel.title} refIds`).toBe(refIds.length);
      for (const target of panel.targets!) {
        expect(target.datasource, `${panel.title} ${target.refId}`).toEqual({ type: ds.type, uid: ds.uid });
        expect(target.expr.trim(), `${panel.title} ${target.refId}`).not.toBe('');
      }
    }
  });

  it('shows what the issue asks for', () => {
    const exprs = panels.flatMap((p) => p.targets!.map((t) => t.expr)).join('\n');
    const wanted = [
      'sync_setups',
      'dts_sync_delay_seconds',
      'dts_calls',
      'outcome!="ok"',
      'sync_time_to_synchronizing_bucket',
      'dts_status_watcher_last_round_timestamp_seconds',
    ];
    for (const metric of wanted) expect(exprs).toContain(metric);
    // Every metric it reads is in the documented contract.
    const contract = read('docs/observability.md');
    const metrics = new Set(
      [...exprs.matchAll(/\b((?:sync|dts|api)_[a-z_]+?)(?:_bucket|_sum|_count)?\b/g)].map((m) => m[1]!),
    );
    for (const metric of metrics) expect(contract, metric).toContain(`\`${metric}\``);
  });

  const bin = findPromtool();
  it.skipIf(!bin && !process.env.CI)('has PromQL that parses: every expression checked by promtool', () => {
    expect(bin, 'promtool (run .ci/install-promtool.sh)').toBeDefined();
    const rules = panels.flatMap((panel) =>
      panel.targets!.map((t) => ({
        record: `dashboard:panel_${panel.id}_${t.refId.toLowerCase()}`,
        expr: toPromQL(t.expr),
      })),
    );
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-promql-'));
    try {
      writeFileSync(join(dir, 'dashboard.rules.yml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
      expect(promtool(bin!, ['check', 'rules', 'dashboard.rules.yml'], dir)).toContain(
        `SUCCESS: ${rules.length} rules found`,
      );
      // And a typo would not pass.
      writeFileSync(
        join(dir, 'broken.rules.yml'),
        stringify({ groups: [{ name: 'x', rules: [{ record: 'x:y', expr: 'sum by (action (dts_calls)' }] }] }),
      );
      expect(() => promtool(bin!, ['check', 'rules', 'broken.rules.yml'], dir)).toThrow(/FAILED/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('compose topology loads Prometheus and Grafana with these files', () => {
  type Service = { volumes?: string[]; image?: string; environment?: Record<string, string> };
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };

  it('mounts the Prometheus config and rules, and the rules the config names exist', () => {
    const volumes = compose.services.prometheus?.volumes ?? [];
    expect(volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
    const config = parse(read('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { job_name: string }[];
    };
    for (const file of config.rule_files) expect(() => read(join('deploy/prometheus', file))).not.toThrow();
    expect(config.scrape_configs.map((c) => c.job_name)).toEqual(expect.arrayContaining(['worker', 'api']));
  });

  it('provisions the data source and the dashboard folder Grafana reads', () => {
    const volumes = compose.services.grafana?.volumes ?? [];
    expect(volumes).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
    const provider = (
      parse(read('deploy/grafana/provisioning/dashboards/redis-dts-sync.yml')) as {
        providers: { options: { path: string } }[];
      }
    ).providers[0]!;
    expect(volumes).toContain(`./deploy/grafana/dashboards:${provider.options.path}:ro`);
    const home = compose.services.grafana?.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(home).toBe(`${provider.options.path}/redis-dts-sync.json`);
  });
});
