import type { InitializationWindow } from './types';

// Time-zone math for the initialization window, shared by the API (validation) and the workflow
// (the next opening). Plain JavaScript and Intl only: Intl.DateTimeFormat with a timeZone works in
// the workflow sandbox, and Date.now() there is the workflow's deterministic clock.

const HH_MM = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

/** Minutes after midnight of an "HH:MM" text, or undefined when it is not one. */
export function minutesOfDay(text: string): number | undefined {
  const m = HH_MM.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** True when Intl knows the IANA zone (e.g. Asia/Shanghai). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  minutes: number;
}

/** What a clock in `zone` shows at `atMs` (seconds dropped). */
function wallClock(atMs: number, zone: string): WallClock {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(new Date(atMs));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day'), minutes: part('hour') * 60 + part('minute') };
}

/** The instant a clock in `zone` shows `minutes` on the given calendar day (month 1-based). */
function instantOf(year: number, month: number, day: number, minutes: number, zone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, 0, minutes);
  let guess = asUtc;
  // Two rounds settle the zone's offset, also across a DST change between the guesses.
  for (let round = 0; round < 2; round += 1) {
    const shown = wallClock(guess, zone);
    const shownAsUtc = Date.UTC(shown.year, shown.month - 1, shown.day, 0, shown.minutes);
    guess = asUtc - (shownAsUtc - Math.floor(guess / 60_000) * 60_000);
  }
  return guess;
}

/** True when the window is open at `nowMs` (a window may cross midnight: 22:00-04:00). */
export function windowOpen(window: InitializationWindow, nowMs: number): boolean {
  const [start, end] = [minutesOfDay(window.start)!, minutesOfDay(window.end)!];
  const now = wallClock(nowMs, window.timeZone).minutes;
  return start < end ? start <= now && now < end : now >= start || now < end;
}

/** When the full initialization may start: `nowMs` inside the window, else its next opening. */
export function nextOpeningMs(window: InitializationWindow, nowMs: number): number {
  if (windowOpen(window, nowMs)) return nowMs;
  const start = minutesOfDay(window.start)!;
  const today = wallClock(nowMs, window.timeZone);
  for (let days = 0; days < 3; days += 1) {
    // Calendar arithmetic in UTC (no DST there); the zone only maps that wall clock to an instant.
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + days));
    const at = instantOf(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), start, window.timeZone);
    if (at > nowMs) return at;
  }
  throw new Error(`no opening of the window ${window.start} in ${window.timeZone} within three days`);
}
