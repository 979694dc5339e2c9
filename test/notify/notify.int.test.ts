// Notifications end to end: the real dev server, emulator and worker, and local receivers on loopback for each
// destination kind. Each event reaches each destination once, signed as its kind documents; a receiver that is
// down gets it afterwards, a worker stopped mid-send sends it again under the same id, and a destination that
// refuses or keeps failing never holds a setup up.
import { randomUUID } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseUpdate, retryUpdate } from '../../core/messages';
import type { SetupRequest } from '../../core/types';
import { redisSync } from '../../workflows/redis-sync';
import type { NoticeDelivery } from '../../workflows/notify';
import type { NotifyConfig } from '../../activities/notify/config';
import { FAST, syncRequest } from '../support/requests';
import { findSecrets } from '../support/secret-scan';
import { eventually, startStack, type Stack } from '../support/stack';
import { untilPhase } from '../support/setup-status';
import { registerPair } from '../support/instances';
import { startReceiver, type Receiver } from './receivers';

let stack: Stack;
const receivers: Receiver[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
  for (const r of receivers) await r.close();
});

/** Receivers for the given kinds, and a worker that notifies exactly them. */
async function notifyTo(...specs: Parameters<typeof startReceiver>[]): Promise<Receiver[]> {
  const started = await Promise.all(specs.map((spec) => startReceiver(...spec)));
  receivers.push(...started);
  const notify: NotifyConfig = {
    destinations: started.map((r) => ({ kind: r.kind, url: r.url, secret: r.secret })),
    links: { apiUrl: 'https://dts-sync.example.test', uiUrl: 'http://127.0.0.1:8233' },
  };
  await stack.stopWorker();
  stack.workerConfig.notify = notify;
  await stack.startWorker();
  return started;
}

function freshRequest(topology: SetupRequest['topology']): SetupRequest {
  const base = syncRequest();
  const n = randomUUID().slice(0, 8);
  return {
    ...base,
    name: `notify-${n}`,
    topology,
    source: { ...base.source, instanceId: `r-nt-src-${n}` },
    destination: { ...base.destination, instanceId: `r-nt-dst-${n}` },
  };
}

async function start(request: SetupRequest, tuning: Record<string, unknown> = {}) {
  await registerPair(stack, request);
  return stack.client.workflow.start(redisSync, {
    workflowId: `notify-test-${randomUUID()}`,
    taskQueue: stack.taskQueue,
    args: [{ request, tuning: { ...FAST, ...tuning } }],
  });
}

type Handle = Awaited<ReturnType<typeof start>>;

/** The setup's notifying workflows, in the order it started them (its history names each child). */
async function noticeIds(handle: Handle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const id = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    return id ? [id] : [];
  });
}

/** Every payload of a workflow's history, decrypted as the Temporal UI would show it. */
async function clearHistory(workflowId: string): Promise<string> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const payloads: Payload[] = [];
  const walk = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    const v = value as Record<string, unknown>;
    if (v.metadata && 'data' in v) payloads.push(v);
    else Object.values(v).forEach(walk);
  };
  walk(history);
  const decoded = await stack.codec.decode(payloads);
  return decoded.map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n');
}

const TITLES = ['is synchronizing', 'needs attention', 'is synchronizing again', 'was released'];

describe('notifications', () => {
  it(
    'tells each event once to every destination, signed, and to a receiver down for a minute once it is back',
    { timeout: 300_000 },
    async () => {
      const [webhook, dingtalk, feishu, slack] = await notifyTo(
        ['webhook', 'hook-secret-N0t1fy-0123456789'],
        ['dingtalk', 'SECding-N0t1fy-0123456789'],
        ['feishu', 'feishu-N0t1fy-0123456789'],
        ['slack', ''],
      );
      await webhook!.down();
      const downAt = Date.now();
      const request = freshRequest('bidirectional');
      // No automatic restart: a failure waits for an operator (needs-attention).
      const handle = await start(request, { maxAutoRestarts: 0 });
      await untilPhase(handle, 'synchronizing', 60_000);
      await stack.admin('faults', {
        action: '*',
        instanceId: request.source.instanceId,
        direction: 'Forward',
        kind: 'fail-later',
        afterMs: 200,
        count: 1,
      });
      const parked = await untilPhase(handle, 'needs-attention', 60_000);
      expect(parked.attention?.kind).toBe('restarts-exhausted');
      await handle.executeUpdate(retryUpdate);
      await untilPhase(handle, 'synchronizing', 60_000);

      for (const chat of [dingtalk!, feishu!, slack!])
        await eventually(async () => (chat.accepted().length >= 3 ? true : undefined), {
          what: `3 ${chat.kind} messages`,
        });
      // The webhook stays down a whole minute while the other destinations already heard.
      expect(webhook!.deliveries).toEqual([]);
      await new Promise((r) => setTimeout(r, Math.max(0, downAt + 60_000 - Date.now())));
      await webhook!.up();
      await eventually(async () => (webhook!.accepted().length >= 3 ? true : undefined), {
        timeoutMs: 150_000,
        what: 'the webhook to catch up',
      });

      await handle.executeUpdate(releaseUpdate);
      expect((await handle.result()).phase).toBe('released');
      // Every notifier done: nothing more can be sent, so the counts below are final.
      const ids = await noticeIds(handle);
      expect(ids.map((id) => id.replace(/^.*\.notice-/, ''))).toEqual([
        '0-synchronizing',
        '1-needs-attention',
        '2-recovered',
        '3-released',
      ]);
      for (const id of ids) {
        const results = (await stack.client.workflow.getHandle(id).result()) as NoticeDelivery[];
        expect(results.map((r) => `${r.destination}:${r.outcome}`).sort()).toEqual(
          ['dingtalk', 'feishu', 'slack', 'webhook'].map((d) => `${d}:delivered`),
        );
      }

      // The webhook: each event id exactly once, signed, with the documented fields.
      expect(webhook!.deliveries.every((d) => d.signed)).toBe(true);
      expect(webhook!.deliveries.map((d) => d.eventId).sort()).toEqual([...ids].sort());
      expect(webhook!.deliveries.map((d) => d.event).sort()).toEqual(
        ['needs-attention', 'recovered', 'released', 'synchronizing'].sort(),
      );
      for (const d of webhook!.deliveries) {
        expect(d.json).toMatchObject({ id: d.eventId, setupId: handle.workflowId, name: request.name });
        expect(typeof d.json.phase).toBe('string');
        expect(Number.isNaN(Date.parse(String(d.json.at)))).toBe(false);
      }
      // Each chat tool: the four messages once each, in order, signed its way, readable as they are.
      for (const chat of [dingtalk!, feishu!, slack!]) {
        expect(chat.deliveries.every((d) => d.signed && d.answered === 200)).toBe(true);
        expect(chat.deliveries.map((d) => d.event).sort()).toEqual(
          TITLES.map((t) => `Redis sync ${request.name} ${t}`).sort(),
        );
        const attention = chat.deliveries.find((d) => d.event?.endsWith('needs attention'))!;
        expect(attention.body).toContain('restarts-exhausted');
        expect(attention.body).toContain(`redis-dts-sync retry ${handle.workflowId}`);
      }

      // No destination secret or URL token in any history (decrypted) or payload sent.
      const secrets = [webhook!, dingtalk!, feishu!].map((r) => ({ label: `${r.kind}-secret`, value: r.secret }));
      secrets.push({ label: 'dingtalk-access-token', value: 'tok-N0t1fy' });
      for (const id of [handle.workflowId, ...ids]) expect(findSecrets(await clearHistory(id), secrets)).toEqual([]);
      for (const r of [webhook!, dingtalk!, feishu!, slack!])
        for (const d of r.deliveries) expect(findSecrets(d.body, secrets)).toEqual([]);
    },
  );

  it(
    'sends again under the same id when the worker stops mid-send; an acknowledged event is never sent again',
    {
      timeout: 180_000,
    },
    async () => {
      const [webhook] = await notifyTo(['webhook', 'hook-secret-N0t1fy-restart-01']);
      webhook!.mode = 'hold';
      const handle = await start(freshRequest('oneway'));
      const first = await eventually(async () => webhook!.deliveries[0], { what: 'the first delivery to arrive' });
      // The worker goes away while the receiver has not answered.
      await stack.stopWorker();
      webhook!.mode = 'ok';
      await stack.startWorker();
      await eventually(async () => (webhook!.accepted().length === 1 ? true : undefined), {
        what: 'the delivery sent again',
      });
      await untilPhase(handle, 'synchronizing', 60_000);
      await handle.executeUpdate(releaseUpdate);
      await handle.result();
      const ids = await noticeIds(handle);
      for (const id of ids) await stack.client.workflow.getHandle(id).result();

      const again = webhook!.deliveries.filter((d) => d.eventId === first.eventId);
      expect(again.length).toBeGreaterThanOrEqual(2);
      expect(again.every((d) => d.signed)).toBe(true);
      expect(first.answered).toBe(0); // never acknowledged: that is why it was sent again
      // A receiver deduplicating by id sees each event once; acknowledged ones were never resent.
      for (const id of ids) expect(webhook!.accepted().filter((d) => d.eventId === id)).toHaveLength(1);
      expect(new Set(webhook!.deliveries.map((d) => d.eventId))).toEqual(new Set(ids));
    },
  );

  it(
    'goes on while destinations refuse or keep failing: a refusal is final, a failure is retried',
    {
      timeout: 120_000,
    },
    async () => {
      const [webhook, dingtalk, slack] = await notifyTo(
        ['webhook', 'hook-secret-N0t1fy-refuse-01', 'refuse'],
        ['dingtalk', 'SECding-N0t1fy-refuse', 'refuse'],
        ['slack', '', 'fail'],
      );
      const handle = await start(freshRequest('oneway'));
      await untilPhase(handle, 'synchronizing', 60_000);
      await handle.executeUpdate(releaseUpdate);
      expect((await handle.result()).phase).toBe('released');
      const ids = await noticeIds(handle);
      expect(ids).toHaveLength(2);
      // Slack keeps answering 503: each event is tried again and again, the setup long done.
      const tries = (title: string) => slack!.deliveries.filter((d) => d.event?.endsWith(title)).length;
      await eventually(async () => (tries('is synchronizing') >= 2 && tries('was released') >= 2 ? true : undefined), {
        what: 'slack tried again',
      });
      for (const id of ids) {
        const child = await stack.client.workflow.getHandle(id).describe();
        expect(child.status.name).toBe('RUNNING');
      }
      // The refusals were final: one attempt per event each.
      for (const r of [webhook!, dingtalk!]) expect(r.deliveries).toHaveLength(2);
      for (const id of ids) await stack.client.workflow.getHandle(id).terminate('test over');
    },
  );
});
