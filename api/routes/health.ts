import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { TemporalDeps } from '../temporal';

const Health = Type.Object({ ok: Type.Boolean(), temporal: Type.Optional(Type.String()) });

export const healthRoutes: FastifyPluginAsyncTypebox<{ temporal: TemporalDeps }> = async (app, { temporal }) => {
  app.get(
    '/healthz',
    { config: { public: true }, schema: { summary: 'The process is up', response: { 200: Health } } },
    async () => ({ ok: true }),
  );

  app.get(
    '/readyz',
    { config: { public: true }, schema: { summary: 'Temporal is reachable', response: { 200: Health, 503: Health } } },
    async (_req, reply) => {
      try {
        await temporal.client.workflowService.getSystemInfo({});
        return { ok: true, temporal: 'reachable' };
      } catch {
        return reply.code(503).send({ ok: false, temporal: 'unreachable' });
      }
    },
  );
};
