import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { AlertNotice } from '../../core/notify';
import { alertNotice } from '../../workflows/notify';
import type { TemporalDeps } from '../temporal';
import { errorReplies } from '../schemas';

const Labels = Type.Record(Type.String(), Type.String());
/** Alertmanager's webhook payload (version 4), the fields a message uses; others are accepted and ignored. */
const AlertmanagerBody = Type.Object({
  status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
  groupKey: Type.String({ maxLength: 2000 }),
  groupLabels: Type.Optional(Labels),
  externalURL: Type.Optional(Type.String({ maxLength: 2000 })),
  alerts: Type.Array(
    Type.Object({
      status: Type.String({ maxLength: 20 }),
      labels: Labels,
      annotations: Type.Optional(Labels),
      startsAt: Type.String({ maxLength: 40 }),
      endsAt: Type.Optional(Type.String({ maxLength: 40 })),
      generatorURL: Type.Optional(Type.String({ maxLength: 2000 })),
      fingerprint: Type.Optional(Type.String({ maxLength: 100 })),
    }),
    { maxItems: 1000 },
  ),
});
const RelayReply = Type.Object({ id: Type.String(), duplicate: Type.Boolean() });

/**
 * One notification's id: the group, its status and its alerts, and the 10-minute window it arrived in. A
 * second Alertmanager of an HA pair sends the same notification: it gets the same id, and is told once;
 * Alertmanager's own repeat (repeat_interval, hours) falls in a later window and is told again.
 */
function notificationId(body: Static<typeof AlertmanagerBody>, nowMs: number): string {
  const alerts = body.alerts
    .map((a) => `${a.fingerprint ?? JSON.stringify(a.labels)}@${a.startsAt}/${a.status}`)
    .sort();
  const window = Math.floor(nowMs / 600_000);
  const digest = createHash('sha256')
    .update(JSON.stringify([body.groupKey, body.status, alerts, window]))
    .digest('hex');
  return `alert.${digest.slice(0, 32)}`;
}

const RELAY_SCHEMA = {
  summary: "Alertmanager's webhook: relay a group of Prometheus alerts to the configured chat tools",
  body: AlertmanagerBody,
  response: { 202: RelayReply, ...errorReplies(400, 401, 403, 503) },
};

/**
 * Alertmanager's webhook receiver: the Prometheus alerts go to the same chat tools as the setups' events. The
 * API holds no destination: it starts a notifying workflow, whose activities on the worker deliver.
 */
export const alertRoutes: FastifyPluginAsyncTypebox<{ temporal: TemporalDeps }> = async (app, { temporal }) => {
  app.post('/v1/alerts', { config: { role: 'operator' }, schema: RELAY_SCHEMA }, async (req, reply) =>
    reply.code(202).send(await relay(temporal, req.body)),
  );
};

/** Starts the notifying workflow of one notification, once: a second delivery of it is a duplicate. */
async function relay(temporal: TemporalDeps, body: Static<typeof AlertmanagerBody>) {
  const id = notificationId(body, Date.now());
  try {
    await temporal.client.workflow.start(alertNotice, {
      workflowId: id,
      taskQueue: temporal.taskQueue,
      args: [noticeOf(id, body)],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `${body.status}: ${body.groupLabels?.alertname ?? 'alerts'}`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { id, duplicate: true };
    throw err;
  }
  return { id, duplicate: false };
}

function noticeOf(id: string, body: Static<typeof AlertmanagerBody>): AlertNotice {
  return {
    id,
    status: body.status,
    groupLabels: body.groupLabels ?? {},
    alerts: body.alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt,
      ...(a.endsAt ? { endsAt: a.endsAt } : {}),
      ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
    })),
    ...(body.externalURL ? { externalURL: body.externalURL } : {}),
  };
}
