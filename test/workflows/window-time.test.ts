import { describe, expect, it } from 'vitest';
import { isTimeZone, minutesOfDay, nextOpeningMs, windowOpen } from '../../core/window';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const shanghai = { start: '01:00', end: '05:00', timeZone: 'Asia/Shanghai' }; // UTC+8, no DST

describe('initialization window time math', () => {
  it('reads HH:MM and IANA zones', () => {
    expect(minutesOfDay('01:30')).toBe(90);
    expect(minutesOfDay('23:59')).toBe(1439);
    for (const bad of ['24:00', '1:00', '01:60', '0100', ' 01:00']) expect(minutesOfDay(bad)).toBeUndefined();
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it('finds the next opening in the window zone, today or tomorrow', () => {
    // 10:00 in Shanghai (02:00 UTC): the next 01:00 Shanghai is 17:00 UTC the same UTC day.
    expect(iso(nextOpeningMs(shanghai, at('2026-03-10T02:00:00Z')))).toBe('2026-03-10T17:00:00.000Z');
    // 00:30 in Shanghai (16:30 UTC the day before): 01:00 the same local day.
    expect(iso(nextOpeningMs(shanghai, at('2026-03-09T16:30:00Z')))).toBe('2026-03-09T17:00:00.000Z');
  });

  it('starts at once inside the window, also one that crosses midnight', () => {
    const now = at('2026-03-09T18:00:00Z'); // 02:00 Shanghai
    expect(windowOpen(shanghai, now)).toBe(true);
    expect(nextOpeningMs(shanghai, now)).toBe(now);
    const night = { start: '22:00', end: '04:00', timeZone: 'Asia/Shanghai' };
    expect(nextOpeningMs(night, at('2026-03-09T19:00:00Z'))).toBe(at('2026-03-09T19:00:00Z')); // 03:00 local
    expect(nextOpeningMs(night, at('2026-03-09T15:00:00Z'))).toBe(at('2026-03-09T15:00:00Z')); // 23:00 local
    expect(iso(nextOpeningMs(night, at('2026-03-09T21:00:00Z')))).toBe('2026-03-10T14:00:00.000Z'); // 05:00 local
  });

  it('follows daylight saving time and odd offsets', () => {
    const berlin = { start: '02:30', end: '05:00', timeZone: 'Europe/Berlin' };
    // Winter: UTC+1.
    expect(iso(nextOpeningMs(berlin, at('2026-01-15T12:00:00Z')))).toBe('2026-01-16T01:30:00.000Z');
    // Summer: UTC+2.
    expect(iso(nextOpeningMs(berlin, at('2026-07-15T12:00:00Z')))).toBe('2026-07-16T00:30:00.000Z');
    // 2026-03-29 02:30 does not exist in Berlin (clocks jump 02:00 → 03:00): an instant in that hour, never earlier.
    const gap = nextOpeningMs(berlin, at('2026-03-28T12:00:00Z'));
    expect(gap).toBeGreaterThanOrEqual(at('2026-03-29T00:30:00Z'));
    expect(gap).toBeLessThanOrEqual(at('2026-03-29T01:30:00Z'));
    const kathmandu = { start: '01:00', end: '02:00', timeZone: 'Asia/Kathmandu' }; // UTC+5:45
    expect(iso(nextOpeningMs(kathmandu, at('2026-03-10T12:00:00Z')))).toBe('2026-03-10T19:15:00.000Z');
  });
});
