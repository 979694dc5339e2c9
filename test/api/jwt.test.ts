// Single sign-on against a JWKS server this test starts on loopback: the identity provider's keys, rotated
// while the API runs. No Temporal server: an allowed call fails later on the stand-in client (500).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../api/app';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'redis-dts-sync';

interface Key {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}
async function newKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

let published: Key[] = [];
let fetches = 0;
let jwks: Server;
let app: App;
let first: Key;

const noTemporal: Client = new Proxy({} as Client, {
  get: () => {
    throw new Error('no Temporal server in this test');
  },
});

beforeAll(async () => {
  first = await newKey('key-1');
  published = [first];
  jwks = createServer((_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const { port } = jwks.address() as AddressInfo;
  app = await buildApp({
    temporal: { client: noTemporal, namespace: 'default', taskQueue: 'jwt' },
    tokens: [],
    jwt: {
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      roleClaim: 'groups',
      algorithms: ['ES256'],
      refetchCooldownMs: 0,
    },
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => jwks?.close(resolve));
});

interface Claims {
  sub?: string;
  groups?: unknown;
  iss?: string;
  aud?: string;
  expiresIn?: string | number;
}
function sign(
  key: Key,
  { sub = 'alice@example.test', groups = ['operator'], iss = ISSUER, aud = AUDIENCE, expiresIn = '5m' }: Claims = {},
) {
  return new SignJWT({ groups })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setSubject(sub)
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function call(token: string, method: 'GET' | 'DELETE' = 'GET') {
  return app.inject({
    method,
    url: method === 'GET' ? '/v1/syncs' : '/v1/syncs/redis-sync.r-a.r-b',
    headers: { authorization: `Bearer ${token}` },
  });
}

async function refusedWith(token: string, reason: RegExp) {
  const res = await call(token);
  expect(res.statusCode).toBe(401);
  expect(res.json().message).toMatch(reason);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  expect(res.body).not.toContain(token);
}

describe('JWT single sign-on', () => {
  it('accepts a valid token: the subject is the caller, the role from the claim', async () => {
    const token = await sign(first);
    expect([401, 403]).not.toContain((await call(token)).statusCode);
    const release = await call(token, 'DELETE');
    expect(release.statusCode).toBe(403);
    expect(release.json().message).toBe('DELETE /v1/syncs/:id needs the admin role (alice@example.test has operator)');
    const admin = await sign(first, { groups: ['viewer', 'admin', 'unrelated'] });
    expect([401, 403]).not.toContain((await call(admin, 'DELETE')).statusCode);
  });

  it('refuses a token without a known role with 403 on every route', async () => {
    const res = await call(await sign(first, { groups: 'developers' }));
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/needs the viewer role \(alice@example.test has no role\)/);
  });

  it('refuses an expired token', async () => {
    await refusedWith(await sign(first, { expiresIn: Math.floor(Date.now() / 1000) - 120 }), /: expired$/);
  });

  it('refuses a token of another issuer or for another audience', async () => {
    await refusedWith(await sign(first, { iss: 'https://evil.example.test/' }), /claim iss/);
    await refusedWith(await sign(first, { aud: 'another-service' }), /claim aud/);
  });

  it('refuses a token whose signature does not match the published key', async () => {
    const impostor = { ...(await newKey('key-1')), jwk: first.jwk };
    await refusedWith(await sign(impostor), /bad signature/);
    const valid = await sign(first);
    const [header, payload] = valid.split('.');
    const altered = b64({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), groups: ['admin'] });
    await refusedWith(`${header}.${altered}.${valid.split('.')[2]}`, /bad signature/);
  });

  it('refuses alg none and an HMAC token keyed with the public key', async () => {
    const claims = { sub: 'mallory', groups: ['admin'], iss: ISSUER, aud: AUDIENCE, exp: Date.now() / 1000 + 300 };
    await refusedWith(`${b64({ alg: 'none', kid: 'key-1' })}.${b64(claims)}.`, /algorithm not allowed/);
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .sign(Buffer.from(JSON.stringify(first.jwk)));
    await refusedWith(hmac, /algorithm not allowed/);
  });

  it('fetches the key set again when a token names a key it has not seen (rotation)', async () => {
    await call(await sign(first)); // the set is cached
    const before = fetches;
    const second = await newKey('key-2');
    published = [first, second];
    expect([401, 403]).not.toContain((await call(await sign(second))).statusCode);
    expect(fetches).toBe(before + 1);
    // A kid the provider does not publish even after a fetch.
    await refusedWith(await sign(await newKey('key-3')), /a key the identity provider does not publish/);
  });

  it('answers 503 while the key set cannot be fetched, 401 only for tokens it has judged', async () => {
    const down = await buildApp({
      temporal: { client: noTemporal, namespace: 'default', taskQueue: 'jwt' },
      tokens: [],
      jwt: {
        issuer: ISSUER,
        audience: AUDIENCE,
        jwksUrl: 'http://127.0.0.1:9/jwks.json',
        roleClaim: 'groups',
        algorithms: ['ES256'],
      },
    });
    try {
      const res = await down.inject({
        method: 'GET',
        url: '/v1/syncs',
        headers: { authorization: `Bearer ${await sign(first)}` },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().message).toMatch(/identity provider's keys could not be fetched/);
    } finally {
      await down.close();
    }
  });
});
