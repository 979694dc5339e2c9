import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AlertNotice, Notice } from '../../core/notify';
import { alertOutgoing } from './alert-message';
import type { DestinationKind, NotifyConfig } from './config';
import { noticeOutgoing, outgoingRequest, type Outgoing } from './formats';

/** Failure types of a delivery: a refusal is final (sending the same again changes nothing); the rest is retried. */
export const NotifyFailure = {
  Refused: 'NotifyRefused',
  Unreachable: 'NotifyUnreachable',
  NotConfigured: 'NotifyDestinationNotConfigured',
} as const;

export interface DeliverInput {
  notice: Notice;
  destination: DestinationKind;
}

export interface DeliverAlertInput {
  alert: AlertNotice;
  destination: DestinationKind;
}

const TIMEOUT_MS = 10_000;
// DingTalk 130101 and Feishu 11232: sent too often; the same message later is accepted.
const RATE_LIMITED_CODES = new Set([130101, 11232]);

/** The worker's notification activities, on the workflows' task queue (never the DTS budget's). */
export function createNotifyActivities(config: NotifyConfig | undefined, namespace: string) {
  const destinations = config?.destinations ?? [];
  return {
    /** The kinds configured now: a notice goes to each of them. */
    async notifyDestinations(): Promise<DestinationKind[]> {
      return destinations.map((d) => d.kind);
    },
    /** One POST of one notice to one destination; throws to be retried, or a final refusal. */
    async deliverNotice({ notice, destination }: DeliverInput): Promise<{ status: number }> {
      return send(destination, noticeOutgoing(notice, { ...config?.links, namespace }));
    },
    /** The same for a group of Prometheus alerts relayed from Alertmanager (api/routes/alerts.ts). */
    async deliverAlert({ alert, destination }: DeliverAlertInput): Promise<{ status: number }> {
      return send(destination, alertOutgoing(alert));
    },
  };

  async function send(destination: DestinationKind, out: Outgoing): Promise<{ status: number }> {
    const target = destinations.find((d) => d.kind === destination);
    if (!target)
      throw ApplicationFailure.nonRetryable(`no ${destination} destination is configured`, NotifyFailure.NotConfigured);
    const context = Context.current();
    const request = outgoingRequest(target, out, Date.now());
    const count = (outcome: string) =>
      context.metricMeter
        .createCounter('notify_deliveries', '1', 'Notification delivery attempts by destination kind and outcome')
        .add(1, { destination, outcome });
    let res: Response;
    let text: string;
    try {
      res = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        // Never follow a redirect: the configured URL is the only place a notice goes.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), context.cancellationSignal]),
      });
      text = await res.text();
    } catch (err) {
      count('unreachable');
      // The message names the kind, never the URL (it may carry a token).
      const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw ApplicationFailure.retryable(`${destination}: no answer (${reason})`, NotifyFailure.Unreachable);
    }
    const verdict = judge(destination, res.status, text);
    count(verdict);
    if (verdict === 'delivered') return { status: res.status };
    const detail = `${destination}: HTTP ${res.status} ${text.slice(0, 200)}`;
    if (verdict === 'retry') throw ApplicationFailure.retryable(detail, NotifyFailure.Unreachable);
    throw ApplicationFailure.nonRetryable(detail, NotifyFailure.Refused);
  }
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;

/**
 * What an answer means. Busy or broken (408, 429, 5xx, a chat tool's rate limit) is tried again; a refusal
 * (another 4xx, a redirect, a chat tool's error code: bad signature, keyword, IP list) is final.
 */
export function judge(kind: DestinationKind, status: number, body: string): 'delivered' | 'retry' | 'refused' {
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  if (status < 200 || status >= 300) return 'refused';
  if (kind === 'dingtalk' || kind === 'feishu') {
    const code = chatToolCode(body);
    if (code === 0) return 'delivered';
    return code !== undefined && RATE_LIMITED_CODES.has(code) ? 'retry' : 'refused';
  }
  return 'delivered';
}

/** DingTalk answers `errcode`, Feishu `code` (older bots `StatusCode`); 0 is success. */
function chatToolCode(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as { errcode?: unknown; code?: unknown; StatusCode?: unknown };
    const code = parsed.errcode ?? parsed.code ?? parsed.StatusCode;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}
