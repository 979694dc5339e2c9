import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { httpErrors } from '@fastify/sensible';
import type { JwtVerifier } from './jwt';

/** What a caller may do; each role may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who called: a token's name or a JWT's subject (never the token itself), and what it may do. */
export interface Caller {
  name: string;
  /** Absent when a JWT carries no role this API knows: it may call nothing. */
  role?: Role;
  via: 'token' | 'jwt';
}

/** A static bearer token with its name and role. */
export interface TokenEntry {
  name: string;
  role: Role;
  token: string;
}

export const MIN_TOKEN_LENGTH = 16;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * `name:role:token`, or a bare token as before roles existed: role admin, named by its hash. Returns the entry or
 * what is wrong with it (never quoting the token).
 */
export function parseTokenEntry(text: string): TokenEntry | { problem: string } {
  const [name = '', role = '', ...rest] = text.split(':');
  if (rest.length > 0 && isRole(role)) {
    const token = rest.join(':');
    if (!NAME.test(name))
      return { problem: `token name "${name}" must be letters, digits, ".", "_", "@" or "-" (up to 64)` };
    if (token.length < MIN_TOKEN_LENGTH)
      return { problem: `the token of "${name}" must be at least ${MIN_TOKEN_LENGTH} characters` };
    return { name, role, token };
  }
  if (text.length < MIN_TOKEN_LENGTH) return { problem: `each token must be at least ${MIN_TOKEN_LENGTH} characters` };
  return { name: `token-${digest(text).toString('hex').slice(0, 12)}`, role: 'admin', token: text };
}

const isRole = (word: string): word is Role => (ROLES as readonly string[]).includes(word);

/** Entries of a tokens file: one a line, blank lines and `#` comments skipped. */
export function tokenFileLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** Bearer tokens; several at once so they can be rotated. Compared in constant time. */
export class TokenSet {
  private readonly known: { digest: Buffer; name: string; role: Role }[];

  constructor(entries: (string | TokenEntry)[]) {
    this.known = entries.map((entry) => {
      const parsed = typeof entry === 'string' ? parseTokenEntry(entry) : entry;
      if ('problem' in parsed) throw new Error(`API tokens: ${parsed.problem}`);
      return { digest: digest(parsed.token), name: parsed.name, role: parsed.role };
    });
    const names = this.known.map((k) => k.name);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice) throw new Error(`API tokens: the name "${twice}" is given to more than one token`);
  }

  /** The caller a token belongs to. Every known digest is compared, so timing tells nothing about which matched. */
  identify(token: string): Caller | undefined {
    const candidate = digest(token);
    let found: (typeof this.known)[number] | undefined;
    for (const known of this.known) if (timingSafeEqual(known.digest, candidate)) found = known;
    return found ? { name: found.name, role: found.role, via: 'token' } : undefined;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
  interface FastifyContextConfig {
    /** The least role that may call the route; by default `viewer` for GET, `admin` for anything else. */
    role?: Role;
  }
}

/** The role a route needs: its config's, else viewer for reads and admin for anything that changes something. */
export function requiredRole(method: string | string[], config: { role?: Role } | undefined): Role {
  if (config?.role) return config.role;
  const methods = Array.isArray(method) ? method : [method];
  return methods.every((m) => m === 'GET' || m === 'HEAD') ? 'viewer' : 'admin';
}

/** Each route's OpenAPI operation names the role it needs (`x-required-role` and its description). */
export function documentRoles(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const config = route.config;
    if (config?.public || !route.schema) return;
    const role = requiredRole(route.method, config);
    const schema = route.schema as Record<string, unknown>;
    const line = `Needs the \`${role}\` role or above.`;
    schema['x-required-role'] = role;
    schema.description = typeof schema.description === 'string' ? `${schema.description}\n\n${line}` : line;
  });
}

const BEARER = /^Bearer ([^\s]+)$/i;

/** Every route needs a token (static, or a JWT when configured) unless `isPublic`, and a role its config allows. */
export function requireBearerToken(
  app: FastifyInstance,
  tokens: TokenSet,
  isPublic: (request: FastifyRequest) => boolean,
  jwt?: JwtVerifier,
): void {
  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request)) return;
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    let caller = token ? tokens.identify(token) : undefined;
    let reason: string | undefined;
    if (!caller && token && jwt?.looksLikeJwt(token)) {
      const verified = await jwt.verify(token);
      if ('caller' in verified) caller = verified.caller;
      else if (verified.unavailable) throw httpErrors.serviceUnavailable(verified.unavailable);
      else reason = verified.reason;
    }
    if (!caller) {
      if (reason) request.log.info({ reason }, 'bearer token refused');
      reply.header(
        'www-authenticate',
        reason ? `Bearer error="invalid_token", error_description="${reason}"` : 'Bearer',
      );
      throw httpErrors.unauthorized(
        reason
          ? `the bearer token is not valid: ${reason}`
          : 'a valid bearer token is required (Authorization: Bearer <token>)',
      );
    }
    request.caller = caller;
    // An unmatched URL has no route: it answers 404 to anyone authenticated.
    if (!request.routeOptions.url) return;
    const needed = requiredRole(request.routeOptions.method, request.routeOptions.config);
    if (!caller.role || ROLES.indexOf(caller.role) < ROLES.indexOf(needed)) {
      const has = caller.role ? `${caller.name} has ${caller.role}` : `${caller.name} has no role`;
      throw httpErrors.forbidden(`${request.method} ${request.routeOptions.url} needs the ${needed} role (${has})`);
    }
  });
}
