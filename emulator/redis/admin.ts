// Admin routes for the real servers: list them, and stop or start one (its port closes, like an instance
// the network cannot reach; it comes back on the same port with its data).
import type { EmulatorState } from '../state';
import type { AdminReply } from '../admin';

const SERVER_ROUTE = /^POST redis\/([^/]+)\/(stop|start)$/;

/** The reply for a redis route, or undefined when the route is not one. */
export async function handleRedisAdmin(state: EmulatorState, route: string): Promise<AdminReply | undefined> {
  if (route === 'GET redis') return { status: 200, body: { servers: state.redis?.list() ?? [] } };
  const match = SERVER_ROUTE.exec(route);
  if (!match) return undefined;
  if (!state.redis) return { status: 409, body: { error: 'the emulator runs without redis-server' } };
  const instanceId = decodeURIComponent(match[1] as string);
  const done = match[2] === 'stop' ? await state.redis.stop(instanceId) : await state.redis.start(instanceId);
  if (!done) return { status: 404, body: { error: `no redis-server for instance ${instanceId}` } };
  return { status: 200, body: { servers: state.redis.list().filter((s) => s.instanceId === instanceId) } };
}
