import type { Duration } from '@temporalio/common';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_557_600_000,
};
const UNIT_ALIASES: Record<string, string> = {
  milliseconds: 'ms',
  millisecond: 'ms',
  msecs: 'ms',
  msec: 'ms',
  ms: 'ms',
  seconds: 's',
  second: 's',
  secs: 's',
  sec: 's',
  s: 's',
  minutes: 'm',
  minute: 'm',
  mins: 'm',
  min: 'm',
  m: 'm',
  hours: 'h',
  hour: 'h',
  hrs: 'h',
  hr: 'h',
  h: 'h',
  days: 'd',
  day: 'd',
  d: 'd',
  weeks: 'w',
  week: 'w',
  w: 'w',
  years: 'y',
  year: 'y',
  yrs: 'y',
  yr: 'y',
  y: 'y',
};

/**
 * Milliseconds of a Temporal `Duration` (a number of ms, or a string such as '10s', '48h', '1.5 days'):
 * the same reading as the SDK's, without importing its private module.
 */
export function durationMs(value: Duration): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(-?\d*\.?\d+)\s*([a-z]*)\s*$/i.exec(value);
  const unit = UNIT_ALIASES[(match?.[2] || 'ms').toLowerCase()];
  if (!match || !unit) throw new TypeError(`Invalid duration: ${value}`);
  return Math.round(Number(match[1]) * UNIT_MS[unit]!);
}
