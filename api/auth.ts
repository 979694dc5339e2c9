import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpErrors } from '@fastify/sensible';

/** Bearer tokens; several at once so they can be rotated. Compared in constant time. */
export class TokenSet {
  private readonly digests: Buffer[];

  constructor(tokens: string[]) {
    this.digests = tokens.map(digest);
  }

  /** A short, non-secret name of the caller's token (for rate limits and logs), or undefined. */
  identify(request: FastifyRequest): string | undefined {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    if (!match?.[1]) return undefined;
    const candidate = digest(match[1]);
    let found = false;
    for (const known of this.digests) found = timingSafeEqual(known, candidate) || found;
    return found ? candidate.toString('hex').slice(0, 12) : undefined;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: string;
  }
}

/** Every route needs a token unless its config says `public: true`. */
export function requireBearerToken(
  app: FastifyInstance,
  tokens: TokenSet,
  isPublic: (request: FastifyRequest) => boolean,
): void {
  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request)) return;
    const caller = tokens.identify(request);
    if (!caller) {
      reply.header('www-authenticate', 'Bearer');
      throw httpErrors.unauthorized('a valid bearer token is required (Authorization: Bearer <token>)');
    }
    request.caller = caller;
  });
}
