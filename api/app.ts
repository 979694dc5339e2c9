import Fastify, { type FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import sensible from '@fastify/sensible';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PayloadCodec } from '@temporalio/common';
import { documentRoles, requireBearerToken, TokenSet, type TokenEntry } from './auth';
import { JwtVerifier, type JwtConfig } from './jwt';
import { registerMetrics } from './metrics';
import { alertRoutes } from './routes/alerts';
import { codecRoutes } from './routes/codec';
import { healthRoutes } from './routes/health';
import { instanceRoutes } from './routes/instances';
import { preflightRoutes } from './routes/preflight';
import { changeRoutes } from './routes/changes';
import { setupRoutes } from './routes/setups';
import type { DtsJobLookup } from './dts-jobs';
import { replyWithError } from './errors';
import type { TemporalDeps } from './temporal';

export interface AppOptions {
  temporal: TemporalDeps;
  /** Read access to DTS, to see whether a kept job of an earlier setup was released since. */
  dtsJobs?: DtsJobLookup;
  /** Bearer tokens accepted on every route but the health checks: entries, or `name:role:token` / bare (admin). */
  tokens: (string | TokenEntry)[];
  /** Single sign-on: JWTs of the organisation's identity provider accepted as bearer tokens too. */
  jwt?: JwtConfig;
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

  app.setErrorHandler(replyWithError);
  await app.register(sensible);

  await app.register(helmet, { contentSecurityPolicy: false });
  // Before swagger: its document is built from the routes as this hook leaves them.
  documentRoles(app);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'redis-dts-sync API',
        version: '1.0.0',
        description: 'Start, follow and tear down DTS sync setups for Redis',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A static token (API_TOKENS) or, with single sign-on, a JWT of the identity provider. Each operation names the role it needs (x-required-role): viewer < operator < admin.',
          },
        },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: false }, staticCSP: false });

  const tokens = new TokenSet(options.tokens);
  const codecIsPublic = options.codecRequiresToken === false;
  const jwt = options.jwt ? new JwtVerifier(options.jwt) : undefined;
  requireBearerToken(
    app,
    tokens,
    (req) => {
      if (req.method === 'OPTIONS') return true; // CORS preflight carries no credentials
      if (req.routeOptions.config?.public) return true;
      const url = req.routeOptions.url ?? '';
      return url.startsWith('/docs') || (codecIsPublic && url.startsWith('/codec'));
    },
    jwt,
  );
  await app.register(rateLimit, {
    max: options.rateLimitPerMinute ?? 600,
    timeWindow: '1 minute',
    keyGenerator: (req) => req.caller?.name ?? req.ip,
  });

  registerMetrics(app, options.temporal);
  await app.register(instanceRoutes, { temporal: options.temporal });
  await app.register(healthRoutes, { temporal: options.temporal });
  await app.register(setupRoutes, { temporal: options.temporal, dtsJobs: options.dtsJobs });
  await app.register(changeRoutes, { temporal: options.temporal });
  await app.register(preflightRoutes, { temporal: options.temporal });
  await app.register(alertRoutes, { temporal: options.temporal });
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

/** The app as built, with its type provider and decorators: what tests and scripts hold. */
export type App = Awaited<ReturnType<typeof buildApp>>;
