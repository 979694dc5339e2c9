import Fastify, { type FastifyError, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { healthRoutes } from './routes/health';
import { syncRoutes } from './routes/syncs';
import type { TemporalDeps } from './temporal';

export interface AppOptions {
  temporal: TemporalDeps;
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
    return reply.code(statusCode).send({ statusCode, error: statusCode === 500 ? 'Internal Server Error' : err.name, message: statusCode === 500 ? 'internal error' : err.message });
  });

  await app.register(healthRoutes, { temporal: options.temporal });
  await app.register(syncRoutes, { temporal: options.temporal });
  return app;
}
