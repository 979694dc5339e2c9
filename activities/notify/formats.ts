import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Notice } from '../../core/notify';
import type { NotifyDestination } from './config';
import { markdownLines, noticeMessage, type NoticeLinks, type NoticeMessage } from './message';

/** One HTTP POST to a destination, ready to send. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

// The generic webhook's headers (docs/notifications.md has a receiver's check).
export const EVENT_ID_HEADER = 'x-redis-dts-sync-event-id';
export const TIMESTAMP_HEADER = 'x-redis-dts-sync-timestamp';
export const SIGNATURE_HEADER = 'x-redis-dts-sync-signature';
/** A receiver refuses a timestamp further than this from its clock; within it, it refuses an event id seen before. */
export const WEBHOOK_REPLAY_WINDOW_S = 300;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/**
 * What goes out, whatever the destination: the event's id, the message for people, and the facts for machines
 * (the generic webhook's JSON).
 */
export interface Outgoing {
  id: string;
  message: NoticeMessage;
  facts: Record<string, unknown>;
}

/** A setup event, ready to go out. */
export function noticeOutgoing(notice: Notice, links: NoticeLinks): Outgoing {
  return { id: notice.id, message: noticeMessage(notice, links), facts: { ...notice } };
}

export function outgoingRequest(destination: NotifyDestination, out: Outgoing, nowMs: number): OutgoingRequest {
  switch (destination.kind) {
    case 'webhook':
      return webhookRequest(destination, out, nowMs);
    case 'dingtalk':
      return dingtalkRequest(destination, out.message, nowMs);
    case 'feishu':
      return feishuRequest(destination, out.message, nowMs);
    case 'slack':
      return slackRequest(destination, out.message);
  }
}

/** `v1=` hex HMAC-SHA256, keyed by the secret, of `<timestamp>.<raw body>`. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * A receiver's check of a generic webhook delivery: the signature over the raw body, and a timestamp within
 * the replay window. (Refusing an event id seen within the window is the receiver's part: it holds the ids.)
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowMs: number,
): 'ok' | 'bad-signature' | 'stale' {
  const timestamp = String(headers[TIMESTAMP_HEADER] ?? '');
  const given = Buffer.from(String(headers[SIGNATURE_HEADER] ?? ''));
  const wanted = Buffer.from(webhookSignature(secret, timestamp, body));
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return 'bad-signature';
  const ageS = Math.abs(nowMs / 1000 - Number(timestamp));
  return Number.isFinite(ageS) && ageS <= WEBHOOK_REPLAY_WINDOW_S ? 'ok' : 'stale';
}

/** JSON of the facts plus the readable message, signed; the event id also in a header for deduplication. */
function webhookRequest(
  destination: NotifyDestination,
  { id, message, facts }: Outgoing,
  nowMs: number,
): OutgoingRequest {
  const body = JSON.stringify({
    ...facts,
    title: message.title,
    next: message.next,
    links: Object.fromEntries(message.links),
  });
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    url: destination.url,
    headers: {
      ...JSON_HEADERS,
      [EVENT_ID_HEADER]: id,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: webhookSignature(destination.secret ?? '', timestamp, body),
    },
    body,
  };
}

/**
 * DingTalk custom robot, Markdown message. Signed mode: `timestamp` (ms) and `sign` = Base64 HMAC-SHA256,
 * keyed by the secret, of `<timestamp>\n<secret>`, added to the URL's query.
 */
function dingtalkRequest(destination: NotifyDestination, message: NoticeMessage, nowMs: number): OutgoingRequest {
  const url = new URL(destination.url);
  if (destination.secret) {
    const timestamp = String(nowMs);
    const sign = createHmac('sha256', destination.secret)
      .update(`${timestamp}\n${destination.secret}`)
      .digest('base64');
    url.searchParams.set('timestamp', timestamp);
    url.searchParams.set('sign', sign);
  }
  const text = [
    `### ${message.title}`,
    '',
    ...markdownLines(message),
    ...(message.links.length ? ['', message.links.map(([label, href]) => `[${label}](${href})`).join(' · ')] : []),
  ].join('\n');
  return {
    url: url.toString(),
    headers: JSON_HEADERS,
    body: JSON.stringify({ msgtype: 'markdown', markdown: { title: message.title, text } }),
  };
}

const FEISHU_TEMPLATE = { good: 'green', bad: 'red', neutral: 'grey' } as const;

/**
 * Feishu/Lark custom bot, an interactive card. Signed mode: `timestamp` (s) and `sign` = Base64 HMAC-SHA256
 * keyed by `<timestamp>\n<secret>` of an empty message, in the body.
 */
function feishuRequest(destination: NotifyDestination, message: NoticeMessage, nowMs: number): OutgoingRequest {
  const timestamp = String(Math.floor(nowMs / 1000));
  const signed = destination.secret
    ? { timestamp, sign: createHmac('sha256', `${timestamp}\n${destination.secret}`).update('').digest('base64') }
    : {};
  const elements: unknown[] = [{ tag: 'div', text: { tag: 'lark_md', content: markdownLines(message).join('\n') } }];
  if (message.links.length)
    elements.push({
      tag: 'action',
      actions: message.links.map(([label, href]) => ({
        tag: 'button',
        text: { tag: 'plain_text', content: label },
        url: href,
        type: 'default',
      })),
    });
  return {
    url: destination.url,
    headers: JSON_HEADERS,
    body: JSON.stringify({
      ...signed,
      msg_type: 'interactive',
      card: {
        config: { wide_screen_mode: true },
        header: { title: { tag: 'plain_text', content: message.title }, template: FEISHU_TEMPLATE[message.severity] },
        elements,
      },
    }),
  };
}

/** Slack incoming webhook: `text` (notifications and fallback) and Block Kit blocks. The URL is the secret. */
function slackRequest(destination: NotifyDestination, message: NoticeMessage): OutgoingRequest {
  const mrkdwn = markdownLines(message, (s) => `*${s}*`).join('\n');
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: message.title.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: mrkdwn.slice(0, 3000) } },
  ];
  if (message.links.length)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: message.links.map(([label, href]) => `<${href}|${label}>`).join(' · ') }],
    });
  return { url: destination.url, headers: JSON_HEADERS, body: JSON.stringify({ text: message.title, blocks }) };
}
