import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { statusWatcherId, unclaimedInstancesQuery } from '../../core/watcher';
import type { TemporalDeps } from '../temporal';
import { ErrorReply } from '../schemas';

const Instance = Type.Object({
  dtsJobId: Type.String(),
  regionId: Type.String(),
  name: Type.String(),
  jobClass: Type.String(),
  payType: Type.String(),
  createdAt: Type.String(),
  taggedSetup: Type.Optional(
    Type.String({ description: 'the setup its owner tag (redis-dts-sync:setup) names, which no longer runs' }),
  ),
});
const Unclaimed = Type.Object({ instances: Type.Array(Instance), checkedAt: Type.Optional(Type.String()) });

/**
 * DTS instances of the account that no setup owns, as the status watcher last found them. The API never calls
 * DTS itself: it asks the watcher workflow (workflows/status-watcher.ts) by query.
 */
export const instanceRoutes: FastifyPluginAsyncTypebox<{ temporal: TemporalDeps }> = async (app, { temporal }) => {
  app.get(
    '/v1/instances/unclaimed',
    {
      schema: {
        summary: 'DTS instances no setup owns (reported, never released automatically)',
        response: { 200: Unclaimed, 401: ErrorReply, 403: ErrorReply, 503: ErrorReply },
      },
    },
    async () => {
      const watcher = temporal.client.workflow.getHandle(statusWatcherId(temporal.taskQueue));
      return watcher.query(unclaimedInstancesQuery);
    },
  );
};
