// Roles without a Temporal server: every role against every route, allowed or 403 naming the role needed.
// An allowed call reaches its handler, which fails on the stand-in Temporal client (500): what counts here is
// that it got past authentication and authorisation, not what it answered.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../api/app';
import { parseTokenEntry, ROLES, type Role } from '../../api/auth';
import { loadApiConfig } from '../../api/config';
import type { ConfigError } from '../../common/env';

const TOKENS: Record<Role, string> = {
  viewer: 'viewer-token-0123456789abcdef',
  operator: 'operator-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
};
const BARE = 'a-bare-token-as-before-roles-0123';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The role each route needs; a route added without a deliberate role shows up here. */
const EXPECTED: Record<string, Role> = {
  'GET /v1/syncs': 'viewer',
  'GET /v1/syncs/{id}': 'viewer',
  'GET /v1/syncs/{id}/events': 'viewer',
  'GET /v1/instances/unclaimed': 'viewer',
  'GET /metrics': 'viewer',
  'POST /codec/decode': 'viewer',
  'POST /codec/encode': 'viewer',
  'POST /v1/syncs/plan': 'viewer',
  'POST /v1/syncs/preflight': 'operator',
  'POST /v1/alerts': 'operator',
  'POST /v1/syncs/{id}/retry': 'operator',
  'POST /v1/syncs/{id}/abort': 'operator',
  'PATCH /v1/syncs/{id}': 'operator',
  'POST /v1/syncs/{id}/pause': 'operator',
  'POST /v1/syncs/{id}/resume': 'operator',
  'POST /v1/syncs/{id}/renew': 'operator',
  'POST /v1/syncs/{id}/verify': 'operator',
  'POST /v1/syncs': 'admin',
  'POST /v1/syncs/{id}/cancel': 'admin',
  'DELETE /v1/syncs/{id}': 'admin',
};

/** Any use of Temporal throws: handlers that get this far answer 500. */
const noTemporal: Client = new Proxy({} as Client, {
  get: () => {
    throw new Error('no Temporal server in this test');
  },
});
const passThrough: PayloadCodec = { encode: async (p) => p, decode: async (p) => p };

let app: App;
beforeAll(async () => {
  app = await buildApp({
    temporal: { client: noTemporal, namespace: 'default', taskQueue: 'roles' },
    tokens: [...ROLES.map((role) => `${role}-caller:${role}:${TOKENS[role]}`), BARE],
    codec: passThrough,
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

type Operation = { 'x-required-role'?: Role; description?: string };

function operations(): Map<string, Operation> {
  const doc = app.swagger() as { paths: Record<string, Record<string, Operation>> };
  const found = new Map<string, Operation>();
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, operation] of Object.entries(methods)) found.set(`${method.toUpperCase()} ${path}`, operation);
  return found;
}

/** A call of the route: the body need not be valid, validation runs after the role check. */
async function call(route: string, token?: string) {
  const [method, path] = route.split(' ') as ['GET' | 'POST' | 'PATCH' | 'DELETE', string];
  return app.inject({
    method,
    url: path.replace('{id}', 'redis-sync.r-a.r-b'),
    headers: token ? bearer(token) : {},
    ...(method === 'POST' || method === 'PATCH' ? { payload: path.startsWith('/codec') ? { payloads: [] } : {} } : {}),
  });
}

describe('roles', () => {
  it('the OpenAPI document names the role of every operation, as expected', () => {
    const documented = operations();
    const roles = Object.fromEntries(
      [...documented]
        .filter(([route]) => route !== 'GET /healthz' && route !== 'GET /readyz')
        .map(([route, op]) => [route, op['x-required-role']]),
    );
    // /metrics is hidden from the document; it is checked by the calls below.
    const { 'GET /metrics': metrics, ...documentedExpected } = EXPECTED;
    expect(metrics).toBe('viewer');
    // A new route: give it `config: { role }` deliberately, add it here and to docs/security.md's role table.
    expect(roles).toEqual(documentedExpected);
    expect(documented.get('DELETE /v1/syncs/{id}')?.description).toMatch(/Needs the `admin` role/);
    expect(documented.get('GET /healthz')?.['x-required-role']).toBeUndefined();
  });

  for (const [route, needed] of Object.entries(EXPECTED)) {
    for (const role of ROLES) {
      const allowed = ROLES.indexOf(role) >= ROLES.indexOf(needed);
      it(`${route}: ${role} is ${allowed ? 'allowed' : 'refused with 403'}`, async () => {
        const res = await call(route, TOKENS[role]);
        if (allowed) expect([401, 403]).not.toContain(res.statusCode);
        else {
          expect(res.statusCode).toBe(403);
          expect(res.json().message).toBe(
            `${route.split(' ')[0]} ${route.split(' ')[1]!.replace('{id}', ':id')} needs the ${needed} role (${role}-caller has ${role})`,
          );
        }
      });
    }
    it(`${route}: no token or a wrong one is 401; a bare token is admin`, async () => {
      expect((await call(route)).statusCode).toBe(401);
      expect((await call(route, 'not-a-token-of-this-api-0000')).statusCode).toBe(401);
      expect([401, 403]).not.toContain((await call(route, BARE)).statusCode);
    });
  }

  it('never echoes a token in a refusal', async () => {
    const res = await call('DELETE /v1/syncs/{id}', TOKENS.viewer);
    expect(res.body).not.toContain(TOKENS.viewer);
    expect(res.body).toContain('viewer-caller');
  });
});

describe('token entries', () => {
  it('read name:role:token, and a bare token as admin named by its hash', () => {
    expect(parseTokenEntry('ops-alice:operator:a-token-with:a-colon-inside')).toEqual({
      name: 'ops-alice',
      role: 'operator',
      token: 'a-token-with:a-colon-inside',
    });
    const bare = parseTokenEntry(BARE);
    expect(bare).toMatchObject({ role: 'admin', token: BARE });
    expect((bare as { name: string }).name).toMatch(/^token-[0-9a-f]{12}$/);
    expect(parseTokenEntry('ops-alice:operator:short')).toEqual({
      problem: 'the token of "ops-alice" must be at least 16 characters',
    });
    // A colon in a bare token is not an entry unless its second part is a role.
    expect(parseTokenEntry('abc:def:0123456789abcdef')).toMatchObject({ role: 'admin' });
  });

  it('come from API_TOKENS and API_TOKENS_FILE, every problem named without the token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokens-'));
    const file = join(dir, 'tokens');
    writeFileSync(file, `# who may do what\nops-alice:operator:${TOKENS.operator}\n\nci:viewer:${TOKENS.viewer}\n`);
    const key = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
    const config = loadApiConfig({
      PAYLOAD_KEYS: key,
      API_TOKENS: `root:admin:${TOKENS.admin}`,
      API_TOKENS_FILE: file,
    });
    expect(config.tokens.map((t) => `${t.name}:${t.role}`)).toEqual(['root:admin', 'ops-alice:operator', 'ci:viewer']);

    const problems = (() => {
      try {
        loadApiConfig({
          PAYLOAD_KEYS: key,
          API_TOKENS: `x:admin:short-secret,ci:viewer:${TOKENS.admin}`,
          API_TOKENS_FILE: file,
        });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    })();
    expect(problems).toEqual([
      'API_TOKENS: entry 1: the token of "x" must be at least 16 characters',
      'API_TOKENS: the name "ci" is given to more than one token',
    ]);
    expect(problems.join('\n')).not.toContain('short-secret');
  });
});
