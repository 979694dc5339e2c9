import type { AttentionKind, Direction, ErrorSummary, SetupStatus, SetupPhase, Topology } from './types';

/** What operators hear about: a setup's turns that need a human or end a story. */
export const NOTICE_EVENTS = [
  'synchronizing',
  'needs-attention',
  'delay-over-limit',
  'recovered',
  'release-failed',
  'released',
  'cancelled',
  'failed',
  'verification-differs',
  'expiring',
] as const;
export type NoticeEvent = (typeof NOTICE_EVENTS)[number];

/**
 * One event of one setup, as every destination receives it: names and facts only, never a request,
 * password or destination. `id` is stable for the event (retries and worker restarts send the same id).
 */
export interface Notice {
  id: string;
  event: NoticeEvent;
  setupId: string;
  name: string;
  phase: SetupPhase;
  at: string;
  region: string;
  topology: Topology;
  source: string;
  destination: string;
  dtsJobId?: string;
  attention?: { kind?: AttentionKind; direction: Direction; reason: string; deadline?: string; dtsStatus?: string };
  error?: ErrorSummary;
  releaseError?: ErrorSummary;
  released?: SetupStatus['released'];
  /** `verification-differs`: what the comparison found (key names, never values). */
  verification?: { keysCompared?: number; keysDiffering?: number; examples?: string[]; by?: string };
  /** `expiring`: when the PrePaid instance ends. */
  expiresAt?: string;
}

/** What the workflow remembers of its notices (carried across continue-as-new). */
export interface NoticeLog {
  /** Events announced so far: the next event's sequence number. */
  count: number;
  last?: NoticeEvent;
  /** `synchronizing` was announced once: a later return is `recovered`. */
  synchronized?: boolean;
  /** The last verification announced (by id). */
  verification?: string;
}

const TROUBLE: ReadonlySet<NoticeEvent> = new Set(['needs-attention', 'delay-over-limit', 'release-failed']);

/**
 * The event a phase change is, if operators must hear of it. Automatic restarts (synchronizing →
 * waiting → synchronizing) are not news; a return after a needs-attention is.
 */
export function noticeEventFor(status: SetupStatus, log: NoticeLog): NoticeEvent | undefined {
  switch (status.phase) {
    case 'synchronizing':
      if (!log.synchronized) return 'synchronizing';
      return log.last && TROUBLE.has(log.last) ? 'recovered' : undefined;
    case 'needs-attention':
      return status.attention?.kind === 'delay' ? 'delay-over-limit' : 'needs-attention';
    case 'release-failed':
      // Each failed round passes through releasing again: one notice until it changes.
      return log.last === 'release-failed' ? undefined : 'release-failed';
    case 'released':
    case 'cancelled':
    case 'failed':
      return status.phase;
    default:
      return undefined;
  }
}

/**
 * The event's id and the notifying workflow's id: the setup's workflow id, the event's sequence number and
 * its name. Temporal refuses a second workflow of that id, so an event is announced once whatever replays.
 */
export function noticeId(setupWorkflowId: string, sequence: number, event: NoticeEvent): string {
  return `${setupWorkflowId}.notice-${sequence}-${event}`;
}

/** The facts a notice carries, from the setup's status. */
export function noticeOf(id: string, event: NoticeEvent, status: SetupStatus, region: string): Notice {
  const side = (e: SetupStatus['source']) => e.instanceId ?? `${e.ip ?? 'unknown'}:${e.port ?? ''}`;
  const attention = status.attention;
  return {
    id,
    event,
    setupId: status.id,
    name: status.name,
    phase: status.phase,
    at: status.updatedAt,
    region,
    topology: status.topology,
    source: side(status.source),
    destination: side(status.destination),
    ...(status.dtsJobId ? { dtsJobId: status.dtsJobId } : {}),
    ...(attention
      ? {
          attention: {
            direction: attention.direction,
            reason: attention.reason,
            ...(attention.kind ? { kind: attention.kind } : {}),
            ...(attention.deadline ? { deadline: attention.deadline } : {}),
            ...(attention.dtsStatus ? { dtsStatus: attention.dtsStatus } : {}),
          },
        }
      : {}),
    ...(status.error ? { error: status.error } : {}),
    ...(status.releaseError ? { releaseError: status.releaseError } : {}),
    ...(status.released ? { released: status.released } : {}),
    ...(event === 'verification-differs' && status.verification
      ? {
          verification: {
            keysCompared: status.verification.keysCompared,
            keysDiffering: status.verification.keysDiffering,
            examples: (status.verification.examples ?? []).slice(0, 5).map((e) => `${e.key} (${e.reason})`),
            ...(status.verification.by ? { by: status.verification.by } : {}),
          },
        }
      : {}),
    ...(event === 'expiring' && status.expiresAt ? { expiresAt: status.expiresAt } : {}),
  };
}

/** A finished verification that found differences and was not announced yet. */
export function differingVerification(status: SetupStatus, log: NoticeLog): string | undefined {
  const v = status.verification;
  return v?.state === 'done' && v.outcome === 'inconsistent' && log.verification !== v.id ? v.id : undefined;
}

/** A group of Prometheus alerts, as Alertmanager's webhook sends it, reduced to what a message shows. */
export interface AlertNotice {
  /** Stable for one notification of one group (api/routes/alerts.ts): the notifier's workflow id. */
  id: string;
  status: 'firing' | 'resolved';
  groupLabels: Record<string, string>;
  alerts: {
    status: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt?: string;
    generatorURL?: string;
  }[];
  externalURL?: string;
}
