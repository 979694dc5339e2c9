// Draws the Grafana dashboard (deploy/grafana/dashboards/redis-dts-sync.json) as one HTML page from
// Prometheus range-query answers: the panels at their gridPos, stat panels as a value on its threshold
// colour, time series as SVG lines with a legend table. Pure (no I/O): scripts/dashboard-snapshot.ts
// runs the queries and screenshots the page. It draws only what this dashboard uses.

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface Threshold {
  color: string;
  value: number | null;
}
export interface Panel {
  type: string;
  id: number;
  title: string;
  description?: string;
  gridPos: GridPos;
  targets?: { refId: string; expr: string; legendFormat?: string }[];
  fieldConfig?: {
    defaults?: {
      unit?: string;
      min?: number;
      thresholds?: { steps: Threshold[] };
      custom?: {
        fillOpacity?: number;
        stacking?: { mode?: string };
        thresholdsStyle?: { mode?: string };
      };
    };
  };
}
export interface Dashboard {
  title: string;
  panels: Panel[];
  templating?: { list: { name: string; allValue?: string; current?: { value?: string | string[] } }[] };
}

/** One series of a range query: its labels and [unix seconds, value] samples. */
export interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}
/** Per panel id, per target refId: what Prometheus answered. */
export type PanelData = Record<number, Record<string, Series[]>>;

export interface QueryWindow {
  startS: number;
  endS: number;
  stepS: number;
  scrapeIntervalS: number;
}

/**
 * The values Grafana gives the dashboard's variables when "All" is selected: the variable's
 * allValue (a regex for `=~`), else `.*`.
 */
export function allVariables(dashboard: Dashboard): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const v of dashboard.templating?.list ?? []) vars[v.name] = v.allValue ?? '.*';
  return vars;
}

/**
 * A panel's PromQL as Grafana sends it: dashboard variables, `$__interval` (the step),
 * `$__rate_interval` (max(step + scrape interval, 4 × scrape interval), Grafana's rule) and `$__range`.
 */
export function substitute(expr: string, vars: Record<string, string>, window: QueryWindow): string {
  const builtins: Record<string, string> = {
    __rate_interval: `${Math.max(window.stepS + window.scrapeIntervalS, 4 * window.scrapeIntervalS)}s`,
    __interval: `${window.stepS}s`,
    __range: `${Math.max(1, Math.round(window.endS - window.startS))}s`,
  };
  const all = { ...vars, ...builtins };
  return expr.replace(/\$\{(\w+)\}|\[\[(\w+)\]\]|\$(\w+)/g, (match, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c) as string;
    return all[name] ?? match;
  });
}

/** A step that gives about `points` samples over the window, never finer than the scrape interval. */
export function stepFor(startS: number, endS: number, scrapeIntervalS: number, points = 240): number {
  return Math.max(scrapeIntervalS, Math.ceil((endS - startS) / points));
}

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Pixel box of a gridPos, as Grafana lays out its 24-column grid: rows of 30 px with 8 px margins,
 * columns sharing `width` (the dashboard's inner width) with the same margins.
 */
export function gridBox(pos: GridPos, width: number, cellHeight = 30, margin = 8): Box {
  const column = (width - margin * 23) / 24;
  return {
    left: Math.round(pos.x * (column + margin)),
    top: pos.y * (cellHeight + margin),
    width: Math.round(pos.w * column + (pos.w - 1) * margin),
    height: pos.h * cellHeight + (pos.h - 1) * margin,
  };
}

/** Legend text: `{{label}}` replaced by the series' labels; no format shows the label set. */
export function legendName(format: string | undefined, metric: Record<string, string>): string {
  if (format) return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => metric[name] ?? '');
  const labels = Object.entries(metric).filter(([k]) => k !== '__name__');
  const inner = labels.map(([k, v]) => `${k}="${v}"`).join(', ');
  return metric.__name__ ? `${metric.__name__}{${inner}}` : `{${inner}}`;
}

/** A value in the panel's unit, short like Grafana's. */
export function formatValue(value: number | undefined, unit: string | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  const round = (v: number) => {
    const abs = Math.abs(v);
    if (abs === 0) return '0';
    if (abs >= 100) return v.toFixed(0);
    if (abs >= 10) return v.toFixed(1).replace(/\.0$/, '');
    if (abs >= 1) return v.toFixed(2).replace(/\.?0+$/, '');
    return v.toPrecision(2);
  };
  switch (unit) {
    case 's':
      if (Math.abs(value) >= 3600) return `${round(value / 3600)} h`;
      if (Math.abs(value) >= 60) return `${round(value / 60)} min`;
      if (Math.abs(value) < 1 && value !== 0) return `${round(value * 1000)} ms`;
      return `${round(value)} s`;
    case 'ms':
      return Math.abs(value) >= 1000 ? `${round(value / 1000)} s` : `${round(value)} ms`;
    case 'reqps':
      return `${round(value)} req/s`;
    default:
      return round(value);
  }
}

// Grafana's dark theme and its classic palette.
const THEME = {
  page: '#111217',
  panel: '#181b1f',
  border: '#2c3235',
  text: '#ccccdc',
  weak: '#8e8e9e',
  grid: '#2a2d33',
};
const PALETTE = [
  '#73bf69',
  '#f2cc0c',
  '#8ab8ff',
  '#ff780a',
  '#f2495c',
  '#5794f2',
  '#b877d9',
  '#705da0',
  '#37872d',
  '#fade2a',
];
const NAMED: Record<string, string> = {
  green: '#73bf69',
  red: '#f2495c',
  orange: '#ff9830',
  yellow: '#fade2a',
  blue: '#5794f2',
  purple: '#b877d9',
};
const color = (name: string) => NAMED[name] ?? name;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const num = (v: string) => (v === 'NaN' || v === '+Inf' || v === '-Inf' ? undefined : Number(v));

function lastNotNull(series: Series): number | undefined {
  for (let i = series.values.length - 1; i >= 0; i--) {
    const v = num(series.values[i]![1]);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The threshold step a value falls in (the last whose value it reaches). */
export function thresholdColor(steps: Threshold[] | undefined, value: number | undefined): string {
  if (!steps?.length) return NAMED.green!;
  let chosen = steps[0]!.color;
  if (value !== undefined)
    for (const step of steps) if (step.value === null || value >= step.value) chosen = step.color;
  return color(chosen);
}

function statPanel(panel: Panel, data: Record<string, Series[]>): string {
  const series = Object.values(data).flat();
  const value = series.length ? lastNotNull(series[0]!) : undefined;
  const defaults = panel.fieldConfig?.defaults;
  if (value === undefined) return `<div class="stat nodata">No data</div>`;
  const background = thresholdColor(defaults?.thresholds?.steps, value);
  return `<div class="stat" style="background:${background}">${escapeHtml(formatValue(value, defaults?.unit))}</div>`;
}

interface Line {
  name: string;
  color: string;
  points: (number | undefined)[];
  last?: number;
  max?: number;
}

/**
 * Axis ticks: a round step (1, 2, 2.5 or 5 × 10^k; whole minutes or hours for seconds above a
 * minute) giving at most `count` intervals up to `max`.
 */
export function niceTicks(max: number, count = 4, unit?: string): number[] {
  const top = max > 0 ? max : 1;
  const rough = top / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const clockStep = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200].find((s) => s >= rough);
  const step =
    unit === 's' && top >= 60 && clockStep
      ? clockStep
      : ([1, 2, 2.5, 5, 10].find((f) => f * magnitude >= rough) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < top + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < top - step * 1e-9) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

/** Time ticks at round clock times (30 s … 1 h apart), at most `count` of them. */
export function timeTicks(startS: number, endS: number, count = 8): number[] {
  const span = endS - startS;
  const step = [30, 60, 120, 300, 600, 900, 1800, 3600].find((s) => span / s <= count) ?? 3600;
  const ticks: number[] = [];
  for (let t = Math.ceil(startS / step) * step; t <= endS; t += step) ticks.push(t);
  return ticks;
}

/** A legend name that fits `chars` characters: the middle gives way (setup ids share long prefixes). */
export function shorten(name: string, chars: number): string {
  if (name.length <= chars) return name;
  const keep = chars - 1;
  const head = Math.ceil(keep / 2);
  return `${name.slice(0, head)}…${name.slice(name.length - (keep - head))}`;
}

function clock(unixS: number, seconds = false): string {
  return new Date(unixS * 1000).toISOString().slice(11, seconds ? 19 : 16);
}

function timeseriesPanel(panel: Panel, data: Record<string, Series[]>, box: Box, window: QueryWindow): string {
  const defaults = panel.fieldConfig?.defaults;
  const unit = defaults?.unit;
  const stacked = defaults?.custom?.stacking?.mode === 'normal';
  const times: number[] = [];
  for (let t = window.startS; t <= window.endS; t += window.stepS) times.push(t);
  const lines = panelLines(panel, data, times);
  if (!lines.length) return `<div class="nodata">No data</div>`;

  // Stacked panels draw each series on top of the ones before it.
  const drawn = lines.map((line) => line.points.slice());
  if (stacked)
    for (let i = 1; i < drawn.length; i++)
      drawn[i] = drawn[i]!.map((v, t) => (v === undefined ? undefined : v + (drawn[i - 1]![t] ?? 0)));
  const top = Math.max(0, ...drawn.flat().filter((v): v is number => v !== undefined));
  const yTicks = niceTicks(top, 5, unit);

  // Grafana keeps the table legend on the right; in a narrow panel it goes below the lines here.
  const below = box.width < 700;
  const legendWidth = below ? box.width - 16 : Math.min(420, Math.max(240, Math.round(box.width * 0.35)));
  const legendHeight = below ? Math.min(20 + 18 * lines.length, Math.round((box.height - 40) * 0.5)) : 0;
  const chartW = below ? box.width - 16 : box.width - legendWidth - 24;
  const chartH = box.height - 40 - legendHeight;
  const plot = plotArea(chartW, chartH, times, window, yTicks[yTicks.length - 1]!);
  const parts = [
    ...axes(plot, yTicks, window, unit, chartW),
    ...seriesShapes(plot, drawn, lines, stacked, (defaults?.custom?.fillOpacity ?? 0) / 100),
  ];
  if (defaults?.custom?.thresholdsStyle?.mode === 'line')
    for (const step of defaults.thresholds?.steps ?? [])
      if (step.value !== null && step.value <= plot.yMax)
        parts.push(
          `<line x1="${plot.axisW}" x2="${plot.axisW + plot.plotW}" y1="${plot.y(step.value)}" y2="${plot.y(step.value)}" stroke="${color(step.color)}" stroke-dasharray="6 4"/>`,
        );
  return (
    `<div class="ts${below ? ' below' : ''}"><svg width="${chartW}" height="${chartH}">${parts.join('')}</svg>` +
    `<div class="legend" style="width:${legendWidth}px${below ? `;height:${legendHeight}px` : ''}"><table><tr><th>Name</th><th>Last *</th><th>Max</th></tr>${legendRows(lines, legendWidth, unit)}</table></div></div>`
  );
}

/** Each series of the panel's queries sampled at `times`, sorted by name and coloured in that order. */
function panelLines(panel: Panel, data: Record<string, Series[]>, times: number[]): Line[] {
  const lines: Line[] = [];
  for (const target of panel.targets ?? []) {
    for (const series of data[target.refId] ?? []) {
      const byTime = new Map(series.values.map(([t, v]) => [Math.round(t), num(v)]));
      const points = times.map((t) => byTime.get(Math.round(t)));
      const defined = points.filter((v): v is number => v !== undefined);
      lines.push({
        name: legendName(target.legendFormat, series.metric),
        color: PALETTE[lines.length % PALETTE.length]!,
        points,
        last: lastNotNull(series),
        max: defined.length ? Math.max(...defined) : undefined,
      });
    }
  }
  lines.sort((a, b) => a.name.localeCompare(b.name));
  lines.forEach((line, i) => (line.color = PALETTE[i % PALETTE.length]!));
  return lines;
}

interface Plot {
  axisW: number;
  plotW: number;
  plotH: number;
  yMax: number;
  times: number[];
  /** Pixel position of the i-th sample, of a time, of a value. */
  x: (i: number) => number;
  xt: (t: number) => number;
  y: (v: number) => number;
}

function plotArea(chartW: number, chartH: number, times: number[], window: QueryWindow, yMax: number): Plot {
  const axisW = 62;
  const plotW = chartW - axisW - 12;
  const plotH = chartH - 22;
  return {
    axisW,
    plotW,
    plotH,
    yMax,
    times,
    x: (i) => axisW + (plotW * i) / Math.max(1, times.length - 1),
    xt: (t) => axisW + (plotW * (t - window.startS)) / Math.max(1, window.endS - window.startS),
    y: (v) => 6 + plotH - (plotH * v) / yMax,
  };
}

/** Grid lines with the value scale, and the time scale under the plot. */
function axes(plot: Plot, yTicks: number[], window: QueryWindow, unit: string | undefined, chartW: number): string[] {
  const { axisW, plotW, plotH, y, xt } = plot;
  const parts: string[] = [];
  for (const v of yTicks) {
    parts.push(`<line x1="${axisW}" x2="${axisW + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="${THEME.grid}"/>`);
    parts.push(`<text x="${axisW - 6}" y="${y(v) + 4}" text-anchor="end">${escapeHtml(formatValue(v, unit))}</text>`);
  }
  const tTicks = timeTicks(window.startS, window.endS);
  const withSeconds = tTicks.some((t) => t % 60 !== 0);
  for (const t of tTicks.filter((t) => xt(t) + 28 <= chartW))
    parts.push(`<text x="${xt(t)}" y="${plotH + 22}" text-anchor="middle">${clock(t, withSeconds)}</text>`);
  return parts;
}

/** Each series as lines over its defined runs (a dot for a lone sample), filled down to the one below when asked. */
function seriesShapes(
  plot: Plot,
  drawn: (number | undefined)[][],
  lines: Line[],
  stacked: boolean,
  fill: number,
): string[] {
  const { axisW, plotW, times, x, y } = plot;
  const parts: string[] = [];
  const segments = (values: (number | undefined)[]) => {
    const runs: [number, number][][] = [];
    let run: [number, number][] = [];
    values.forEach((v, i) => {
      if (v === undefined) {
        if (run.length) runs.push(run);
        run = [];
      } else run.push([x(i), y(v)]);
    });
    if (run.length) runs.push(run);
    return runs;
  };
  const path = (run: [number, number][]) => run.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ');
  drawn.forEach((values, i) => {
    const c = lines[i]!.color;
    if (fill > 0) {
      const below = stacked && i > 0 ? drawn[i - 1]! : undefined;
      for (const run of segments(values)) {
        const base = run
          .slice()
          .reverse()
          .map(([px]): [number, number] => {
            const idx = Math.round(((px - axisW) / plotW) * Math.max(1, times.length - 1));
            return [px, y(below?.[idx] ?? 0)];
          });
        parts.push(`<polygon fill="${c}" fill-opacity="${fill}" stroke="none" points="${path([...run, ...base])}"/>`);
      }
    }
    for (const run of segments(values))
      parts.push(
        run.length === 1
          ? `<circle cx="${run[0]![0]}" cy="${run[0]![1]}" r="1.5" fill="${c}"/>`
          : `<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${path(run)}"/>`,
      );
  });
  return parts;
}

/** The legend table: each series' name (shortened to fit), last and largest value. */
function legendRows(lines: Line[], legendWidth: number, unit: string | undefined): string {
  const nameChars = Math.max(12, Math.floor((legendWidth - 130) / 6.2));
  return lines
    .map(
      (line) =>
        `<tr><td><span class="swatch" style="background:${line.color}"></span>${escapeHtml(shorten(line.name, nameChars))}</td>` +
        `<td>${escapeHtml(formatValue(line.last, unit))}</td><td>${escapeHtml(formatValue(line.max, unit))}</td></tr>`,
    )
    .join('');
}

export interface RenderOptions {
  width: number;
  window: QueryWindow;
  /** Lines shown under the title: where the picture comes from. */
  caption: string[];
}

/** The whole dashboard as an HTML page `options.width` pixels wide. */
export function renderDashboard(dashboard: Dashboard, data: PanelData, options: RenderOptions): string {
  const pad = 16;
  const inner = options.width - 2 * pad;
  const header = 62 + 16 * options.caption.length;
  const vars = (dashboard.templating?.list ?? []).map((v) => `${v.name}: All`).join(' · ');
  const range = `${new Date(options.window.startS * 1000).toISOString().slice(0, 16).replace('T', ' ')} – ${clock(options.window.endS)} UTC`;
  let bottom = 0;
  const panels = dashboard.panels.map((panel) => {
    const box = gridBox(panel.gridPos, inner);
    bottom = Math.max(bottom, box.top + box.height);
    const style = `left:${box.left}px;top:${box.top}px;width:${box.width}px;height:${box.height}px`;
    if (panel.type === 'row') return `<div class="row" style="${style}">⌄ ${escapeHtml(panel.title)}</div>`;
    const body =
      panel.type === 'stat'
        ? statPanel(panel, data[panel.id] ?? {})
        : timeseriesPanel(panel, data[panel.id] ?? {}, box, options.window);
    return `<div class="panel" style="${style}"><div class="title">${escapeHtml(panel.title)}</div>${body}</div>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:${THEME.page};color:${THEME.text};font:12px Inter,"Helvetica Neue",Arial,sans-serif}
.head{padding:${pad}px ${pad}px 0;height:${header - pad}px}
.head h1{margin:0;font-size:18px;font-weight:500}
.head .meta{color:${THEME.weak};margin-top:4px}
.head .caption{color:${THEME.weak};margin-top:2px;font-style:italic}
.grid{position:relative;margin:0 ${pad}px;height:${bottom + pad}px}
.panel{position:absolute;box-sizing:border-box;background:${THEME.panel};border:1px solid ${THEME.border};border-radius:2px;overflow:hidden}
.title{font-size:13px;font-weight:500;padding:6px 8px;height:20px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.row{position:absolute;font-size:14px;font-weight:500;line-height:30px}
.stat{position:absolute;left:8px;right:8px;top:34px;bottom:8px;display:flex;align-items:center;justify-content:center;font-size:30px;font-weight:500;color:#fff;border-radius:2px}
.stat.nodata,.nodata{color:${THEME.weak};font-size:14px;background:none;display:flex;align-items:center;justify-content:center;height:calc(100% - 40px)}
.ts{display:flex;gap:8px;padding:0 8px}
.ts.below{flex-direction:column;gap:0}
svg text{fill:${THEME.weak};font-size:10px}
.legend{overflow:hidden;font-size:11px}
.legend table{border-collapse:collapse;width:100%}
.legend th{color:#6e9fff;font-weight:500;text-align:right;padding:2px 4px;white-space:nowrap}
.legend th:first-child{text-align:left}
.legend td{padding:2px 4px;text-align:right;white-space:nowrap;border-top:1px solid ${THEME.grid}}
.legend td:first-child{text-align:left;width:100%}
.swatch{display:inline-block;width:12px;height:3px;margin-right:6px;vertical-align:middle}
</style></head><body>
<div class="head"><h1>${escapeHtml(dashboard.title)}</h1>
<div class="meta">${escapeHtml(range)} · step ${options.window.stepS}s · ${escapeHtml(vars)}</div>
${options.caption.map((line) => `<div class="caption">${escapeHtml(line)}</div>`).join('')}</div>
<div class="grid">${panels.join('\n')}</div>
</body></html>`;
}
