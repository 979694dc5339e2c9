// The pure part of `npm run dashboard:snapshot` (scripts/dashboard-render.ts): the dashboard's
// queries as Grafana would send them, and its gridPos as pixel boxes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allVariables,
  formatValue,
  gridBox,
  legendName,
  niceTicks,
  renderDashboard,
  shorten,
  stepFor,
  substitute,
  thresholdColor,
  timeTicks,
  type Dashboard,
} from '../../scripts/dashboard-render';

const dashboard = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'deploy/grafana/dashboards/redis-dts-sync.json'), 'utf8'),
) as Dashboard;
const window = { startS: 1_000_000, endS: 1_000_600, stepS: 5, scrapeIntervalS: 5 };

describe('dashboard queries', () => {
  it('selects All for the setup variable (its allValue regex)', () => {
    expect(allVariables(dashboard)).toEqual({ setup: '.*' });
  });

  it('substitutes variables and Grafana’s interval macros', () => {
    const vars = { setup: '.*' };
    expect(substitute('max by (setup) (dts_sync_max_delay_seconds{setup=~"$setup"})', vars, window)).toBe(
      'max by (setup) (dts_sync_max_delay_seconds{setup=~".*"})',
    );
    expect(substitute('x{a=~"${setup}"} and y{b=~"[[setup]]"}', vars, window)).toBe('x{a=~".*"} and y{b=~".*"}');
    // $__rate_interval: max(step + scrape interval, 4 × scrape interval).
    expect(substitute('rate(dts_calls[$__rate_interval])', vars, window)).toBe('rate(dts_calls[20s])');
    expect(substitute('rate(x[$__rate_interval])', vars, { ...window, stepS: 60 })).toBe('rate(x[65s])');
    expect(substitute('increase(x[$__range]) / $__interval', vars, window)).toBe('increase(x[600s]) / 5s');
    // Unknown names stay as they are (Grafana leaves them too); label templates are not variables.
    expect(substitute('$unknown', vars, window)).toBe('$unknown');
  });

  it('leaves no variable in any panel query of the dashboard', () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) expect(substitute(expr, allVariables(dashboard), window)).not.toMatch(/\$/);
  });

  it('picks a step of about 240 points, never below the scrape interval', () => {
    expect(stepFor(0, 600, 5)).toBe(5);
    expect(stepFor(0, 3600, 5)).toBe(15);
  });
});

describe('dashboard layout', () => {
  it('places gridPos on Grafana’s 24-column grid of 30 px rows and 8 px gaps', () => {
    const width = 24 * 50 + 23 * 8; // columns of 50 px
    expect(gridBox({ x: 0, y: 0, w: 24, h: 1 }, width)).toEqual({ left: 0, top: 0, width, height: 30 });
    expect(gridBox({ x: 4, y: 1, w: 4, h: 4 }, width)).toEqual({ left: 232, top: 38, width: 224, height: 144 });
    expect(gridBox({ x: 12, y: 5, w: 12, h: 8 }, width)).toEqual({ left: 696, top: 190, width: 688, height: 296 });
  });

  it('puts axis ticks on round values and clock times', () => {
    expect(niceTicks(3)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0.22)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(1.6)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(niceTicks(300)).toEqual([0, 100, 200, 300]);
    expect(niceTicks(0)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    // Seconds above a minute: whole minutes.
    expect(niceTicks(300, 4, 's')).toEqual([0, 120, 240, 360]);
    expect(niceTicks(98, 4, 's')).toEqual([0, 30, 60, 90, 120]);
    // 600 s: every 2 minutes, on the minute.
    expect(timeTicks(1_000_000, 1_000_600)).toEqual([1_000_080, 1_000_200, 1_000_320, 1_000_440, 1_000_560]);
  });

  it('lays the panels out without overlap', () => {
    const boxes = dashboard.panels.map((p) => gridBox(p.gridPos, 1568));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        const apart =
          a.left + a.width <= b.left ||
          b.left + b.width <= a.left ||
          a.top + a.height <= b.top ||
          b.top + b.height <= a.top;
        expect(apart, `${dashboard.panels[i]!.title} / ${dashboard.panels[j]!.title}`).toBe(true);
      }
  });
});

describe('dashboard drawing', () => {
  it('names series by legendFormat, or by their labels', () => {
    expect(legendName('{{setup}} {{direction}}', { setup: 's1', direction: 'Forward' })).toBe('s1 Forward');
    expect(legendName('', { __name__: 'up', job: 'api' })).toBe('up{job="api"}');
    expect(shorten('redis-sync.r-demo-source-0001.r-demo-target-0002 Forward', 30)).toBe(
      'redis-sync.r-de…t-0002 Forward',
    );
    expect(shorten('short', 30)).toBe('short');
  });

  it('formats values in the panel unit and colours stats by threshold', () => {
    expect(formatValue(95, 's')).toBe('1.58 min');
    expect(formatValue(12.5, 'ms')).toBe('12.5 ms');
    expect(formatValue(0.25, 'reqps')).toBe('0.25 req/s');
    expect(formatValue(undefined, 'none')).toBe('–');
    const steps = [
      { color: 'green', value: null },
      { color: 'orange', value: 60 },
      { color: 'red', value: 300 },
    ];
    expect([0, 60, 299, 300].map((v) => thresholdColor(steps, v))).toEqual([
      '#73bf69',
      '#ff9830',
      '#ff9830',
      '#f2495c',
    ]);
  });

  it('draws every panel: a value, lines with a legend, or No data', () => {
    const series = (metric: Record<string, string>, values: number[]) => ({
      metric,
      values: values.map((v, i): [number, string] => [window.startS + i * window.stepS, String(v)]),
    });
    const html = renderDashboard(
      dashboard,
      {
        2: { A: [series({}, [0, 1, 2])] },
        8: { A: [series({ phase: 'synchronizing' }, [1, 2]), series({ phase: 'prechecking' }, [1, 0])] },
      },
      { width: 1600, window, caption: ['test <caption>'] },
    );
    for (const panel of dashboard.panels) expect(html).toContain(panel.title);
    expect(html).toContain('test &lt;caption&gt;');
    expect(html).toMatch(/<div class="stat" style="background:#5794f2">2<\/div>/);
    expect(html).toContain('synchronizing</td>');
    expect(html.match(/<polyline/g)?.length).toBe(2);
    expect(html).toContain('No data');
  });
});
