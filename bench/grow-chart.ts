// An SVG picture of a growing fleet (bench:grow): fleet size, DTS calls per second against the budget, each
// worker's RSS and the CPU of each process, over time, in the style of bench/chart.ts.
import type { SeenCall } from './calls';

export interface GrowSample {
  atMs: number;
  running: number;
  synchronizing: number;
  rssMb: number[];
  /** % of one core since the previous sample. */
  cpuPercent: { workers: number[]; server: number; postgres: number };
}

interface Series {
  name: string;
  points: [number, number][];
  dashed?: boolean;
}

const W = 900;
const PANEL = 160;
const PAD = { left: 60, right: 160, top: 45, gap: 45 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function growChart(
  title: string,
  note: string,
  startMs: number,
  samples: GrowSample[],
  calls: SeenCall[],
  budget: number,
) {
  const endMs = Math.max(startMs + 1000, ...samples.map((s) => s.atMs), ...calls.map((c) => c.atMs));
  const seconds = Math.ceil((endMs - startMs) / 1000);
  const perSecond = new Array<number>(seconds + 1).fill(0);
  for (const c of calls) if (c.atMs >= startMs) perSecond[Math.floor((c.atMs - startMs) / 1000)]! += 1;
  const t = (atMs: number) => (atMs - startMs) / 1000;
  const workers = Math.max(0, ...samples.map((s) => s.rssMb.length));
  const each = (f: (s: GrowSample) => number): [number, number][] => samples.map((s) => [t(s.atMs), f(s)]);
  const panels: { label: string; series: Series[] }[] = [
    {
      label: 'setups (visibility)',
      series: [
        { name: 'running', points: each((s) => s.running) },
        { name: 'synchronizing', points: each((s) => s.synchronizing) },
      ],
    },
    {
      label: 'DTS calls per second, both workers (emulator log)',
      series: [
        { name: 'calls', points: perSecond.map((v, s) => [s, v]) },
        {
          name: `budget ${budget}/s`,
          points: [
            [0, budget],
            [seconds, budget],
          ],
          dashed: true,
        },
      ],
    },
    {
      label: 'worker RSS, MB',
      series: Array.from({ length: workers }, (_, i) => ({
        name: `worker-${i + 1}`,
        points: each((s) => s.rssMb[i] ?? 0),
      })),
    },
    {
      label: 'CPU, % of one core',
      series: [
        ...Array.from({ length: workers }, (_, i) => ({
          name: `worker-${i + 1}`,
          points: each((s) => s.cpuPercent.workers[i] ?? 0),
        })),
        { name: 'Temporal server', points: each((s) => s.cpuPercent.server) },
        { name: 'PostgreSQL', points: each((s) => s.cpuPercent.postgres) },
      ],
    },
  ];
  const plotW = W - PAD.left - PAD.right;
  const x = (s: number) => PAD.left + (plotW * s) / Math.max(1, seconds);
  const height = PAD.top + panels.length * (PANEL + PAD.gap) + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PAD.left}" y="16" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<text x="${PAD.left}" y="32" font-size="12">${escape(note)}</text>`,
  ];
  panels.forEach((panel, p) => {
    const top = PAD.top + p * (PANEL + PAD.gap) + 10;
    const max = Math.max(1, ...panel.series.flatMap((s) => s.points.map(([, v]) => v))) * 1.1;
    const y = (v: number) => top + PANEL - (PANEL * v) / max;
    parts.push(
      `<rect x="${PAD.left}" y="${top}" width="${plotW}" height="${PANEL}" fill="none" stroke="#999"/>`,
      `<text x="${PAD.left}" y="${top - 6}" font-size="13">${escape(panel.label)}</text>`,
      `<text x="${PAD.left - 6}" y="${top + 10}" font-size="11" text-anchor="end">${Math.round(max)}</text>`,
      `<text x="${PAD.left - 6}" y="${top + PANEL}" font-size="11" text-anchor="end">0</text>`,
    );
    panel.series.forEach((series, i) => {
      const color = series.dashed ? '#d62728' : COLORS[i % COLORS.length]!;
      const points = series.points.map(([s, v]) => `${x(s).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      parts.push(
        `<polyline fill="none" stroke="${color}" stroke-width="1.5"${series.dashed ? ' stroke-dasharray="6 4"' : ''} points="${points}"/>`,
        `<text x="${W - PAD.right + 8}" y="${top + 14 + 15 * i}" font-size="11" fill="${color}">${escape(series.name)}</text>`,
      );
    });
  });
  parts.push(
    `<text x="${PAD.left + plotW / 2}" y="${height - 6}" font-size="11" text-anchor="middle">seconds since the first start (${seconds} s)</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
