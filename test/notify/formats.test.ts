// What each destination kind receives, checked against its documented format and signature, and which events a
// setup's phase changes make. No network: the requests are built and read here.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader } from '../../common/env';
import {
  differingVerification,
  noticeEventFor,
  noticeId,
  noticeOf,
  type Notice,
  type NoticeLog,
} from '../../core/notify';
import type { SetupStatus, SetupPhase } from '../../core/types';
import { readNotifyConfig, type NotifyDestination } from '../../activities/notify/config';
import { judge } from '../../activities/notify/deliver';
import { alertOutgoing } from '../../activities/notify/alert-message';
import {
  EVENT_ID_HEADER,
  noticeOutgoing,
  outgoingRequest as send,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhook,
} from '../../activities/notify/formats';

const NOW = Date.parse('2026-12-06T09:00:00Z');
const LINKS = { apiUrl: 'https://dts-sync.example.test', uiUrl: 'https://temporal.example.test', namespace: 'prod' };

function status(phase: SetupPhase, extra: Partial<SetupStatus> = {}): SetupStatus {
  return {
    id: 'redis-sync.r-a.r-b',
    name: 'orders-cache',
    topology: 'bidirectional',
    phase,
    payType: 'PostPaid',
    dtsJobId: 'dtsjob123',
    source: { kind: 'enterprise', region: 'cn-hangzhou', instanceId: 'r-a' },
    destination: { kind: 'enterprise', region: 'cn-shanghai', instanceId: 'r-b' },
    forward: { configured: true, restarts: 0 },
    createdAt: '2026-12-06T08:00:00Z',
    updatedAt: '2026-12-06T08:59:59Z',
    ...extra,
  };
}

const attention: SetupStatus['attention'] = {
  direction: 'Forward',
  kind: 'precheck-failed',
  reason: 'DTS precheck failed',
  failures: [],
  since: '2026-12-06T08:59:00Z',
  dtsStatus: 'DTS reports PrecheckFailed',
};
const notice: Notice = noticeOf(
  noticeId('redis-sync.r-a.r-b', 1, 'needs-attention'),
  'needs-attention',
  status('needs-attention', { attention }),
  'cn-hangzhou',
);

const outgoingRequest = (d: NotifyDestination, n: Notice, links: typeof LINKS, now: number) =>
  send(d, noticeOutgoing(n, links), now);

const destination = (kind: NotifyDestination['kind'], secret?: string): NotifyDestination => ({
  kind,
  url:
    kind === 'dingtalk'
      ? 'https://oapi.dingtalk.com/robot/send?access_token=abc'
      : `https://hooks.example.test/${kind}/T000/B000/XXXX`,
  ...(secret ? { secret } : {}),
});

describe('generic webhook', () => {
  const secret = 'webhook-secret-0123456789';
  const req = outgoingRequest(destination('webhook', secret), notice, LINKS, NOW);

  it('carries the event id, event, setup id, phase and time, and the readable text', () => {
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      id: 'redis-sync.r-a.r-b.notice-1-needs-attention',
      event: 'needs-attention',
      setupId: 'redis-sync.r-a.r-b',
      phase: 'needs-attention',
      at: '2026-12-06T08:59:59Z',
      title: 'Redis sync orders-cache needs attention',
      links: { 'Temporal UI': 'https://temporal.example.test/namespaces/prod/workflows/redis-sync.r-a.r-b' },
    });
    expect(req.headers[EVENT_ID_HEADER]).toBe(body.id);
  });

  it('is signed: HMAC-SHA256 of "<timestamp>.<body>", the timestamp in seconds', () => {
    const ts = req.headers[TIMESTAMP_HEADER]!;
    expect(ts).toBe(String(NOW / 1000));
    const expected = createHmac('sha256', secret).update(`${ts}.${req.body}`).digest('hex');
    expect(req.headers[SIGNATURE_HEADER]).toBe(`v1=${expected}`);
    expect(verifyWebhook(secret, req.headers, req.body, NOW + 1000)).toBe('ok');
  });

  it('lets a receiver detect an altered body, another secret, and a replay outside the window', () => {
    expect(verifyWebhook(secret, req.headers, req.body.replace('needs-attention', 'released'), NOW)).toBe(
      'bad-signature',
    );
    expect(verifyWebhook('another-secret-0123456789', req.headers, req.body, NOW)).toBe('bad-signature');
    expect(verifyWebhook(secret, req.headers, req.body, NOW + 301_000)).toBe('stale');
    const moved = { ...req.headers, [TIMESTAMP_HEADER]: String(NOW / 1000 + 600) };
    expect(verifyWebhook(secret, moved, req.body, NOW + 600_000)).toBe('bad-signature');
  });
});

describe('DingTalk custom robot', () => {
  const secret = 'SEC0123456789abcdef';
  const req = outgoingRequest(destination('dingtalk', secret), notice, LINKS, NOW);
  const url = new URL(req.url);

  it('signs in the query: timestamp in ms, sign = Base64(HMAC-SHA256(secret, "<ts>\\n<secret>")), token kept', () => {
    expect(url.searchParams.get('access_token')).toBe('abc');
    expect(url.searchParams.get('timestamp')).toBe(String(NOW));
    const sign = createHmac('sha256', secret).update(`${NOW}\n${secret}`).digest('base64');
    expect(url.searchParams.get('sign')).toBe(sign);
    // URL-encoded on the wire (Base64 has + / =).
    expect(req.url).toContain(`sign=${encodeURIComponent(sign)}`);
  });

  it('sends a markdown message with a title and readable text', () => {
    const body = JSON.parse(req.body);
    expect(Object.keys(body).sort()).toEqual(['markdown', 'msgtype']);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('Redis sync orders-cache needs attention');
    expect(body.markdown.text).toContain('DTS precheck failed (precheck-failed, Forward)');
    expect(body.markdown.text).toContain('redis-dts-sync retry redis-sync.r-a.r-b');
    expect(body.markdown.text).toContain('[API](https://dts-sync.example.test/v1/syncs/redis-sync.r-a.r-b)');
  });

  it('is sent unsigned when no secret is set', () => {
    const plain = new URL(outgoingRequest(destination('dingtalk'), notice, LINKS, NOW).url);
    expect(plain.searchParams.has('sign')).toBe(false);
  });
});

describe('Feishu/Lark custom bot', () => {
  const secret = 'feishu-secret-0123';
  const req = outgoingRequest(destination('feishu', secret), notice, LINKS, NOW);
  const body = JSON.parse(req.body);

  it('signs in the body: timestamp in s, sign = Base64(HMAC-SHA256 keyed by "<ts>\\n<secret>" of nothing)', () => {
    expect(body.timestamp).toBe(String(NOW / 1000));
    expect(body.sign).toBe(
      createHmac('sha256', `${NOW / 1000}\n${secret}`)
        .update('')
        .digest('base64'),
    );
  });

  it('sends an interactive card: a red header for trouble, lark_md text, link buttons', () => {
    expect(body.msg_type).toBe('interactive');
    expect(body.card.header).toEqual({
      title: { tag: 'plain_text', content: 'Redis sync orders-cache needs attention' },
      template: 'red',
    });
    expect(body.card.elements[0].text.tag).toBe('lark_md');
    expect(body.card.elements[0].text.content).toContain('**Next**');
    expect(body.card.elements[1].actions.map((a: { url: string }) => a.url)).toContain(
      'https://dts-sync.example.test/v1/syncs/redis-sync.r-a.r-b/events',
    );
  });
});

describe('Slack incoming webhook', () => {
  const body = JSON.parse(outgoingRequest(destination('slack'), notice, LINKS, NOW).body);

  it('sends text (the notification and fallback) and Block Kit blocks in mrkdwn', () => {
    expect(body.text).toBe('Redis sync orders-cache needs attention');
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Redis sync orders-cache needs attention' },
    });
    expect(body.blocks[1].type).toBe('section');
    expect(body.blocks[1].text.type).toBe('mrkdwn');
    expect(body.blocks[1].text.text).toContain('*Why*: DTS precheck failed');
    expect(body.blocks[2].elements[0].text).toContain(
      '<https://dts-sync.example.test/v1/syncs/redis-sync.r-a.r-b|API>',
    );
  });
});

describe('an answer', () => {
  it.each([
    ['webhook', 200, '', 'delivered'],
    ['webhook', 503, '', 'retry'],
    ['webhook', 429, '', 'retry'],
    ['webhook', 408, '', 'retry'],
    ['webhook', 403, '', 'refused'],
    ['webhook', 302, '', 'refused'],
    ['slack', 200, 'ok', 'delivered'],
    ['slack', 404, 'no_service', 'refused'],
    ['dingtalk', 200, '{"errcode":0,"errmsg":"ok"}', 'delivered'],
    ['dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}', 'refused'],
    ['dingtalk', 200, '{"errcode":130101,"errmsg":"send too fast"}', 'retry'],
    ['feishu', 200, '{"code":0,"msg":"success"}', 'delivered'],
    ['feishu', 200, '{"StatusCode":0,"StatusMessage":"success"}', 'delivered'],
    ['feishu', 200, '{"code":19021,"msg":"sign match fail"}', 'refused'],
    ['feishu', 200, '{"code":11232,"msg":"frequency limited"}', 'retry'],
  ] as const)('%s %i %s is %s', (kind, code, body, verdict) => {
    expect(judge(kind, code, body)).toBe(verdict);
  });
});

describe('events of a setup', () => {
  /** Phases in turn, with the events they announce. */
  function events(phases: [SetupPhase, Partial<SetupStatus>?][]): string[] {
    let log: NoticeLog = { count: 0 };
    const out: string[] = [];
    for (const [phase, extra] of phases) {
      const event = noticeEventFor(status(phase, extra), log);
      if (!event) continue;
      out.push(event);
      log = { count: log.count + 1, last: event, synchronized: log.synchronized || event === 'synchronizing' };
    }
    return out;
  }

  it('announces the first synchronizing, trouble, the return, and the end; automatic restarts are no news', () => {
    expect(
      events([
        ['purchasing'],
        ['waiting-forward'],
        ['needs-attention', { attention }],
        ['waiting-forward'],
        ['synchronizing'],
        ['waiting-forward'],
        ['synchronizing'],
        ['needs-attention', { attention: { ...attention, kind: 'delay' } }],
        ['synchronizing'],
        ['releasing'],
        ['release-failed'],
        ['releasing'],
        ['release-failed'],
        ['releasing'],
        ['released'],
      ]),
    ).toEqual(['needs-attention', 'synchronizing', 'delay-over-limit', 'recovered', 'release-failed', 'released']);
  });

  it('announces a verification that found differences once, by its id', () => {
    const verification = {
      id: 'v1',
      state: 'done' as const,
      depth: 'value' as const,
      directions: 'forward' as const,
      trigger: 'request' as const,
      by: 'ops-alice',
      startedAt: '2026-12-06T08:50:00Z',
      finishedAt: '2026-12-06T08:55:00Z',
      outcome: 'inconsistent' as const,
      keysCompared: 1000,
      keysDiffering: 2,
      examples: [{ key: 'orders:1', reason: 'value differs' }],
    };
    const done = status('synchronizing', { verification });
    expect(differingVerification(done, { count: 3 })).toBe('v1');
    expect(differingVerification(done, { count: 4, verification: 'v1' })).toBeUndefined();
    expect(
      differingVerification(status('synchronizing', { verification: { ...verification, outcome: 'consistent' } }), {
        count: 3,
      }),
    ).toBeUndefined();
    const notice = noticeOf('n', 'verification-differs', done, 'cn-hangzhou');
    const text = JSON.parse(outgoingRequest(destination('dingtalk'), notice, LINKS, NOW).body).markdown.text as string;
    expect(text).toContain('1000 keys, 2 differing (asked by ops-alice)');
    expect(text).toContain('orders:1 (value differs)');
    expect(text).toContain('redis-dts-sync verify redis-sync.r-a.r-b');
  });

  it('ids are the setup, the sequence and the event', () => {
    expect(noticeId('redis-sync.a.b', 3, 'released')).toBe('redis-sync.a.b.notice-3-released');
  });
});

describe('NOTIFY_* configuration', () => {
  const read = (env: Record<string, string>) => {
    const reader = new EnvReader(env);
    const config = readNotifyConfig(reader);
    reader.done();
    return config;
  };

  it('reads one destination per kind and the links', () => {
    const config = read({
      NOTIFY_WEBHOOK_URL: 'https://hooks.example.test/in',
      NOTIFY_WEBHOOK_SECRET: 'webhook-secret-0123456789',
      NOTIFY_DINGTALK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=abc',
      NOTIFY_DINGTALK_SECRET: 'SECabc',
      NOTIFY_SLACK_URL: 'https://hooks.slack.com/services/T/B/X',
      NOTIFY_API_URL: 'https://dts-sync.example.test/',
    });
    expect(config.destinations.map((d) => d.kind)).toEqual(['webhook', 'dingtalk', 'slack']);
    expect(config.links).toEqual({ apiUrl: 'https://dts-sync.example.test' });
  });

  it('refuses plain http off loopback and an unsigned webhook, naming the variable and never the URL', () => {
    let error: unknown;
    try {
      read({
        NOTIFY_WEBHOOK_URL: 'https://hooks.example.test/in',
        NOTIFY_DINGTALK_URL: 'http://oapi.dingtalk.com/robot/send?access_token=leaky',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('NOTIFY_WEBHOOK_SECRET is required');
    expect(message).toContain('NOTIFY_DINGTALK_URL must be an https URL');
    expect(message).not.toContain('leaky');
  });

  it('accepts plain http on loopback (local receivers)', () => {
    expect(read({ NOTIFY_SLACK_URL: 'http://127.0.0.1:9000/hook' }).destinations).toHaveLength(1);
  });
});

describe('a relayed Prometheus alert', () => {
  const alert = {
    id: 'alert.0123',
    status: 'firing' as const,
    groupLabels: { alertname: 'SyncDelayAboveLimit', setup: 'redis-sync.r-a.r-b' },
    alerts: [
      {
        status: 'firing',
        labels: {
          alertname: 'SyncDelayAboveLimit',
          severity: 'warning',
          setup: 'redis-sync.r-a.r-b',
          direction: 'Forward',
        },
        annotations: {
          summary: 'Setup redis-sync.r-a.r-b (Forward) is 12m behind',
          runbook: 'docs/observability.md#syncdelayabovelimit',
        },
        startsAt: '2026-12-06T08:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
      },
    ],
  };

  it('reads as the alert, where it is, and its runbook, in each chat format', () => {
    const out = alertOutgoing(alert);
    const dingtalk = JSON.parse(send(destination('dingtalk', 'SEC0'), out, NOW).body);
    expect(dingtalk.markdown.title).toBe('[FIRING] SyncDelayAboveLimit');
    expect(dingtalk.markdown.text).toContain(
      'Setup redis-sync.r-a.r-b (Forward) is 12m behind — setup=redis-sync.r-a.r-b direction=Forward',
    );
    expect(dingtalk.markdown.text).toContain('docs/observability.md#syncdelayabovelimit');
    expect(dingtalk.markdown.text).toContain('[Prometheus](http://prometheus:9090/graph?g0.expr=x)');
    const webhook = send(destination('webhook', 'webhook-secret-0123456789'), out, NOW);
    expect(JSON.parse(webhook.body)).toMatchObject({ id: 'alert.0123', event: 'alert', status: 'firing' });
    expect(verifyWebhook('webhook-secret-0123456789', webhook.headers, webhook.body, NOW)).toBe('ok');
    const resolved = alertOutgoing({
      ...alert,
      status: 'resolved',
      alerts: [{ ...alert.alerts[0]!, status: 'resolved' }],
    });
    expect(resolved.message.title).toBe('[RESOLVED] SyncDelayAboveLimit');
    expect(resolved.message.severity).toBe('good');
  });
});
