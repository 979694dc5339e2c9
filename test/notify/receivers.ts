// Local HTTP receivers on loopback standing in for a generic webhook, a DingTalk robot, a Feishu bot and a
// Slack incoming webhook. Each checks what its kind checks (signatures computed here, independently of
// activities/notify/formats.ts), records every delivery, and answers as the test tells it.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationKind } from '../../activities/notify/config';

export interface Delivery {
  at: number;
  /** The event id the delivery names (webhook header or body; chat tools: the setup's text carries none). */
  eventId?: string;
  event?: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json: Record<string, unknown>;
  /** The kind's own signature check passed. */
  signed: boolean;
  /** What the receiver answered. */
  answered: number;
}

/** ok: accept; refuse: the kind's refusal (4xx, or a chat tool's error code); fail: 503; hold: never answer. */
export type Mode = 'ok' | 'refuse' | 'fail' | 'hold';

export interface Receiver {
  kind: DestinationKind;
  url: string;
  secret: string;
  mode: Mode;
  deliveries: Delivery[];
  /** Deliveries of one event id that were answered 2xx. */
  accepted(): Delivery[];
  /** Requests held in mode `hold`, answered now with 200. */
  release(): void;
  /** Stops listening (connection refused) until up() listens again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const WEBHOOK_WINDOW_S = 300;

export async function startReceiver(kind: DestinationKind, secret: string, mode: Mode = 'ok'): Promise<Receiver> {
  const held: { res: ServerResponse; delivery: Delivery }[] = [];
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const receiver: Receiver = {
    kind,
    url: '',
    secret,
    mode,
    deliveries: [],
    accepted: () => receiver.deliveries.filter((d) => d.answered >= 200 && d.answered < 300),
    release() {
      for (const { res, delivery } of held.splice(0)) {
        if (res.destroyed) continue;
        delivery.answered = 200;
        answer(res, 200);
      }
    },
    async down() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    up: listen,
    async close() {
      for (const { res } of held.splice(0)) res.destroy();
      await receiver.down();
    },
  };

  function answer(res: ServerResponse, status: number): void {
    const body =
      kind === 'dingtalk'
        ? { errcode: status === 200 ? 0 : 310000, errmsg: status === 200 ? 'ok' : 'sign not match' }
        : kind === 'feishu'
          ? { code: status === 200 ? 0 : 19021, msg: status === 200 ? 'success' : 'sign match fail', data: {} }
          : undefined;
    // Chat tools refuse with HTTP 200 and an error code; the others with a 4xx.
    const httpStatus = body && status < 500 ? 200 : status;
    res.writeHead(httpStatus, { 'content-type': body ? 'application/json' : 'text/plain' });
    res.end(body ? JSON.stringify(body) : status === 200 ? 'ok' : 'no');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      // left empty: the test sees signed=false and no event
    }
    const signed = checkSignature(kind, secret, url.searchParams, req.headers, body, json);
    const status = !signed ? 401 : receiver.mode === 'refuse' ? 403 : receiver.mode === 'fail' ? 503 : 200;
    const delivery: Delivery = {
      at: Date.now(),
      ...eventOf(kind, req.headers, json),
      query: url.searchParams,
      headers: req.headers,
      body,
      json,
      signed,
      answered: receiver.mode === 'hold' ? 0 : status,
    };
    receiver.deliveries.push(delivery);
    if (receiver.mode === 'hold') {
      held.push({ res, delivery });
      return;
    }
    answer(res, status);
  }

  await listen();
  receiver.url =
    kind === 'dingtalk'
      ? `http://127.0.0.1:${port}/robot/send?access_token=tok-N0t1fy-${port}`
      : `http://127.0.0.1:${port}/hook/${kind}`;
  return receiver;
}

function eventOf(
  kind: DestinationKind,
  headers: IncomingMessage['headers'],
  json: Record<string, unknown>,
): { eventId?: string; event?: string } {
  if (kind === 'webhook')
    return { eventId: String(headers['x-redis-dts-sync-event-id'] ?? ''), event: json.event as string | undefined };
  // Chat messages are for people: the event shows in the title.
  const title =
    kind === 'dingtalk'
      ? (json.markdown as { title?: string } | undefined)?.title
      : kind === 'feishu'
        ? (json.card as { header?: { title?: { content?: string } } } | undefined)?.header?.title?.content
        : (json.text as string | undefined);
  return { event: title };
}

/** Each kind's documented check, written here from the documents, not shared with the sender. */
function checkSignature(
  kind: DestinationKind,
  secret: string,
  query: URLSearchParams,
  headers: IncomingMessage['headers'],
  body: string,
  json: Record<string, unknown>,
): boolean {
  const now = Date.now();
  switch (kind) {
    case 'webhook': {
      const ts = String(headers['x-redis-dts-sync-timestamp'] ?? '');
      const expected = `v1=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;
      return (
        headers['x-redis-dts-sync-signature'] === expected && Math.abs(now / 1000 - Number(ts)) <= WEBHOOK_WINDOW_S
      );
    }
    case 'dingtalk': {
      const ts = query.get('timestamp') ?? '';
      const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
      return query.get('sign') === expected && Math.abs(now - Number(ts)) <= 3_600_000;
    }
    case 'feishu': {
      const ts = typeof json.timestamp === 'string' ? json.timestamp : '';
      const expected = createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64');
      return json.sign === expected && Math.abs(now / 1000 - Number(ts)) <= 3_600;
    }
    case 'slack':
      // Unsigned: the URL is the secret. The body must be Slack's shape.
      return typeof json.text === 'string' && Array.isArray(json.blocks);
  }
}
