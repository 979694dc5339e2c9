// An SVG picture of one run: DTS calls per second (top) and setups by phase (bottom) over time.
import type { SeenCall } from './calls';

export interface PhaseSample {
  atMs: number;
  counts: Record<string, number>;
}

const W = 900;
const PANEL = 220;
const PAD = { left: 50, right: 150, top: 30, gap: 50 };
const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export function runChart(
  title: string,
  startMs: number,
  calls: SeenCall[],
  phases: PhaseSample[],
  budget: number,
): string {
  const endMs = Math.max(startMs + 1000, ...calls.map((c) => c.atMs), ...phases.map((p) => p.atMs));
  const seconds = Math.ceil((endMs - startMs) / 1000);
  const perSecond = new Array<number>(seconds + 1).fill(0);
  for (const c of calls) if (c.atMs >= startMs) perSecond[Math.floor((c.atMs - startMs) / 1000)]! += 1;
  const plotW = W - PAD.left - PAD.right;
  const x = (s: number) => PAD.left + (plotW * s) / Math.max(1, seconds);
  const top1 = PAD.top;
  const top2 = PAD.top + PANEL + PAD.gap;
  const maxCalls = Math.max(budget * 1.5, ...perSecond);
  const y1 = (v: number) => top1 + PANEL - (PANEL * v) / maxCalls;
  const names = [...new Set(phases.flatMap((p) => Object.keys(p.counts)))];
  const maxSetups = Math.max(1, ...phases.flatMap((p) => Object.values(p.counts)));
  const y2 = (v: number) => top2 + PANEL - (PANEL * v) / maxSetups;
  const line = (points: [number, number][], color: string, extra = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="1.5" ${extra} points="${points.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`;
  const axis = (top: number, label: string, max: number) =>
    `<rect x="${PAD.left}" y="${top}" width="${plotW}" height="${PANEL}" fill="none" stroke="#999"/>` +
    `<text x="${PAD.left}" y="${top - 8}" font-size="13">${label}</text>` +
    `<text x="${PAD.left - 6}" y="${top + 10}" font-size="11" text-anchor="end">${Math.round(max)}</text>` +
    `<text x="${PAD.left - 6}" y="${top + PANEL}" font-size="11" text-anchor="end">0</text>`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${top2 + PANEL + 40}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PAD.left}" y="16" font-size="14" font-weight="bold">${escape(title)}</text>`,
    axis(top1, 'DTS calls per second (emulator log)', maxCalls),
    line(
      perSecond.map((v, s) => [x(s), y1(v)]),
      COLORS[0]!,
    ),
    line(
      [
        [x(0), y1(budget)],
        [x(seconds), y1(budget)],
      ],
      '#d62728',
      'stroke-dasharray="6 4"',
    ),
    `<text x="${x(seconds) + 6}" y="${y1(budget) + 4}" font-size="11" fill="#d62728">budget ${budget}/s</text>`,
    axis(top2, 'setups by phase (visibility)', maxSetups),
    ...names.map((name, i) =>
      line(
        phases.map((p) => [x((p.atMs - startMs) / 1000), y2(p.counts[name] ?? 0)]),
        COLORS[i % COLORS.length]!,
      ),
    ),
    ...names.map(
      (name, i) =>
        `<text x="${W - PAD.right + 8}" y="${top2 + 14 + 16 * i}" font-size="11" fill="${COLORS[i % COLORS.length]}">${escape(name)}</text>`,
    ),
    `<text x="${PAD.left + plotW / 2}" y="${top2 + PANEL + 30}" font-size="11" text-anchor="middle">seconds since the first start (${seconds} s)</text>`,
    '</svg>',
  ];
  return parts.join('\n');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
