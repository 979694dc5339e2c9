import Fastify, { type FastifyError, type FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PayloadCodec } from '@temporalio/common';
import { requireBearerToken, TokenSet } from './auth';
import { registerMetrics } from './metrics';
import { codecRoutes } from './routes/codec';
import { healthRoutes } from './routes/health';
import { syncRoutes } from './routes/syncs';
import type { TemporalDeps } from './temporal';

export interface AppOptions {
  temporal: TemporalDeps;
  /** Bearer tokens accepted on every route but the health checks. */
  tokens: string[];
  /** Serves /codec/* for the Temporal UI when given. */
  codec?: PayloadCodec;
  codecCorsOrigins?: string[];
  /** The dev UI has no login; the local stack relaxes this on loopback only. */
  codecRequiresToken?: boolean;
  rateLimitPerMinute?: number;
  logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a bearer token (health checks). */
    public?: boolean;
  }
}

/** The HTTP API as a Fastify instance; main.ts listens, tests inject. */
export async function buildApp(options: AppOptions) {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 64 * 1024,
    // Refuse unknown fields instead of silently dropping them; report every bad field.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: false, useDefaults: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      const fields = err.validation.map((v) => {
        const missing = (v.params as { missingProperty?: string }).missingProperty;
        const extra = (v.params as { additionalProperty?: string }).additionalProperty;
        const base = `${err.validationContext === 'body' ? '' : `/${err.validationContext}`}${v.instancePath}`;
        const field = missing ? `${base}/${missing}` : extra ? `${base}/${extra}` : base || '/';
        return { field, rule: v.keyword, message: extra ? `unknown field ${extra}` : (v.message ?? 'invalid') };
      });
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields });
    }
    const statusCode = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (statusCode === 500) req.log.error({ err: { type: err.name, message: err.message } }, 'request failed');
    // 5xx details stay in the log: they may name internals.
    return reply.code(statusCode).send({ statusCode, error: statusCode === 500 ? 'Internal Server Error' : (err.name ?? 'Error'), message: statusCode === 500 ? 'internal error' : err.message });
  });

  await app.register(helmet, { contentSecurityPolicy: false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'redis-dts-sync API', version: '1.0.0', description: 'Start, follow and tear down DTS sync setups for Redis' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: false }, staticCSP: false });

  const tokens = new TokenSet(options.tokens);
  const codecIsPublic = options.codecRequiresToken === false;
  requireBearerToken(app, tokens, (req) => {
    if (req.method === 'OPTIONS') return true; // CORS preflight carries no credentials
    if (req.routeOptions.config?.public) return true;
    const url = req.routeOptions.url ?? '';
    return url.startsWith('/docs') || (codecIsPublic && url.startsWith('/codec'));
  });
  await app.register(rateLimit, {
    max: options.rateLimitPerMinute ?? 600,
    timeWindow: '1 minute',
    keyGenerator: (req) => req.caller ?? req.ip,
  });

  registerMetrics(app, options.temporal);
  await app.register((await import('./routes/instances')).instanceRoutes, { temporal: options.temporal });
  await app.register(healthRoutes, { temporal: options.temporal });
  await app.register(syncRoutes, { temporal: options.temporal });
  if (options.codec) {
    const codec = options.codec;
    await app.register(async (scope) => {
      await scope.register(cors, {
        origin: options.codecCorsOrigins ?? [],
        methods: ['POST', 'OPTIONS'],
        allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
        credentials: true,
      });
      await scope.register(codecRoutes, { codec });
    });
  }
  return app;
}
