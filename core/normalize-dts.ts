import type { Direction, DtsDirectionStatus } from './types';

const KNOWN: Record<string, DtsDirectionStatus> = {
  notconfigured: 'notconfigured',
  notstarted: 'notstarted',
  prechecking: 'prechecking',
  precheckfailed: 'precheckfailed',
  // DtsJob family: the precheck passed and the sync is about to start (docs/dts-api.md §13.3).
  precheckpass: 'prechecking',
  // DTS spells it both ways depending on the operation and the year of the doc.
  initializating: 'initializing',
  initializing: 'initializing',
  initializefailed: 'initializefailed',
  synchronizing: 'synchronizing',
  failed: 'failed',
  suspending: 'suspending',
  modifying: 'modifying',
  finished: 'finished',
};

/** DTS is inconsistent about case and spelling; compare only normalised values. */
export function normalizeDtsStatus(raw: string | undefined | null): DtsDirectionStatus {
  if (!raw) return 'unknown';
  return KNOWN[raw.replace(/[^a-z]/gi, '').toLowerCase()] ?? 'unknown';
}

export const FAILED_DTS_STATUSES: ReadonlySet<DtsDirectionStatus> = new Set(['failed', 'initializefailed']);

/** Direction names compared case-insensitively: `forward` and `Forward` are the same direction. */
export function normalizeDirection(raw: unknown): Direction | undefined {
  const name = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (name === 'forward') return 'Forward';
  if (name === 'reverse') return 'Reverse';
  return undefined;
}
