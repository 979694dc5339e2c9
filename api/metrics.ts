import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { SetupPhase } from '../core/types';
import { ENDED_PHASES, SETUP_PHASES } from '../core/vocabulary';
import type { TemporalDeps } from './temporal';
import { SyncPhaseKey } from '../core/search-attributes';
import { setupsQuery } from '../core/visibility';

/**
 * The phases of a running setup that the gauge labels; ended setups are not counted. A setup in
 * `release-failed` still runs (it waits for a retry) and alert SyncReleaseFailed reads its count.
 */
const UNLABELLED: readonly SetupPhase[] = ENDED_PHASES;
const PHASES = SETUP_PHASES.filter((phase) => !UNLABELLED.includes(phase));

/** Prometheus /metrics of the API: HTTP traffic and live setups by phase (from Temporal visibility). */
export function registerMetrics(app: FastifyInstance, temporal: TemporalDeps): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'api_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'api_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'],
    registers: [registry],
  });
  new Gauge({
    name: 'sync_setups',
    help: 'Running setups by phase',
    labelNames: ['phase'],
    registers: [registry],
    async collect() {
      await Promise.all(
        PHASES.map(async (phase) => {
          const { count } = await temporal.client.workflow.count(
            `${setupsQuery(temporal.taskQueue)} AND ExecutionStatus = 'Running' AND ${SyncPhaseKey.name} = '${phase}'`,
          );
          this.set({ phase }, count);
        }),
      );
    },
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', hide: true } }, async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
