// The subscription of a PrePaid DTS instance: when it ends, when operators hear of it, how a renewal is asked.

/** Operators hear (notice `expiring`, alert DtsInstanceExpiringSoon) this many days before a PrePaid instance ends. */
export const EXPIRY_WARNING_DAYS = 7;
const DAY_MS = 86_400_000;

/** Whole and partial days left until `expiresAt` (negative once past). */
export function daysLeft(expiresAt: string, nowMs: number): number {
  return (Date.parse(expiresAt) - nowMs) / DAY_MS;
}

/** RenewInstance's Period and BuyCount: Year 1–5, Month 1–60 (its reference page). */
export const RENEW_PERIODS = ['Month', 'Year'] as const;
export type RenewPeriod = (typeof RENEW_PERIODS)[number];
export const RENEW_MAX: Record<RenewPeriod, number> = { Month: 60, Year: 5 };

/** How long a renewal adds, as RenewInstance takes it. */
export interface RenewTerm {
  period: RenewPeriod;
  usedTime: number;
}

/** Why this term cannot be sent to RenewInstance, naming the field; undefined when it can. */
export function renewTermProblem(term: Partial<RenewTerm>): { field: string; message: string } | undefined {
  if (!term.period || !(RENEW_PERIODS as readonly string[]).includes(term.period))
    return { field: '/period', message: `must be one of ${RENEW_PERIODS.join(', ')}` };
  const max = RENEW_MAX[term.period];
  if (!Number.isInteger(term.usedTime) || term.usedTime! < 1 || term.usedTime! > max)
    return { field: '/usedTime', message: `must be a whole number from 1 to ${max} for a ${term.period} renewal` };
  return undefined;
}

/**
 * Where a renewal shows: the new ExpireTime is at least the old one plus the term, less a day of slack (DTS
 * counts from the end of the day). Read after a lost answer: a renewal that shows is never ordered again.
 */
export function renewalShows(before: string | undefined, now: string | undefined, term: RenewTerm): boolean {
  if (!now) return false;
  if (!before) return true;
  const from = new Date(Date.parse(before));
  if (term.period === 'Year') from.setUTCFullYear(from.getUTCFullYear() + term.usedTime);
  else from.setUTCMonth(from.getUTCMonth() + term.usedTime);
  return Date.parse(now) >= from.getTime() - DAY_MS;
}

/** A setup that asked to renew by itself does so this many days before its end, unless it names another. */
export const AUTO_RENEW_DAYS_BEFORE = 7;
/** At most this many days before the end: RenewInstance adds to the current end, so earlier gains nothing. */
export const AUTO_RENEW_MAX_DAYS_BEFORE = 30;

/** The tag key that names the owning setup on each DTS instance a setup bought (`<key>=<workflow id>`). */
export const OWNER_TAG_KEY = 'redis-dts-sync:setup';
