// The API's contract without a Temporal server: the OpenAPI document lists the project's words, and every
// error reply has the one documented shape. Routes that would reach Temporal are not called.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../api/app';
import { refusal } from '../../api/errors';
import { ATTENTION_KINDS, ENDPOINT_KINDS, SETUP_PHASES, TOPOLOGIES } from '../../core/vocabulary';

const TOKEN = 'contract-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

let app: App;
beforeAll(async () => {
  app = await buildApp({
    temporal: { client: {} as Client, namespace: 'default', taskQueue: 'contract' },
    tokens: [TOKEN],
  });
  // Test-only routes that fail the ways a handler can.
  app.get('/test/refused', async () => {
    throw refusal(409, 'refused with details', { dtsJobId: 'dts-1', fields: [] });
  });
  app.get('/test/missing', async () => {
    throw app.httpErrors.notFound('no such thing');
  });
  app.get('/test/broken', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:7233 with internals'), { dtsJobId: 'leak' });
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

type Schema = { enum?: string[]; properties?: Record<string, Schema>; items?: Schema };

describe('OpenAPI document', () => {
  it('lists the words of core/vocabulary.ts for phases, topologies, endpoint kinds and attention kinds', () => {
    const doc = app.swagger() as {
      paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { name: string; schema: Schema }[] }>>;
    };
    const setup = (
      doc.paths['/v1/syncs/{id}']?.get as unknown as {
        responses: Record<string, { content: Record<string, { schema: Schema }> }>;
      }
    ).responses['200']?.content['application/json']?.schema;
    expect(setup?.properties?.phase?.enum).toEqual([...SETUP_PHASES, 'unknown']);
    expect(setup?.properties?.topology?.enum).toEqual([...TOPOLOGIES, 'unknown']);
    expect(setup?.properties?.source?.properties?.kind?.enum).toEqual([...ENDPOINT_KINDS]);
    expect(setup?.properties?.attention?.properties?.kind?.enum).toEqual([...ATTENTION_KINDS]);
    const phase = doc.paths['/v1/syncs']?.get?.parameters?.find((p) => p.name === 'phase');
    expect(phase?.schema.enum).toEqual([...SETUP_PHASES]);
  });
});

describe('error replies', () => {
  it('name the field and its allowed words when a request breaks the schema', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/syncs?phase=sideways', headers: AUTH });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: `/querystring/phase: must be one of ${SETUP_PHASES.join(', ')}`,
      fields: [{ field: '/querystring/phase', rule: 'enum', message: `must be one of ${SETUP_PHASES.join(', ')}` }],
    });
  });

  it('keep a refusal’s status, message and details', async () => {
    const refused = await app.inject({ method: 'GET', url: '/test/refused', headers: AUTH });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'refused with details',
      dtsJobId: 'dts-1',
      fields: [],
    });
    const missing = await app.inject({ method: 'GET', url: '/test/missing', headers: AUTH });
    expect(missing.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'no such thing' });
  });

  it('say 401 with a Bearer challenge without a token', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/syncs' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it('keep an unexpected failure’s details in the log, not the reply', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/broken', headers: AUTH });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
  });
});
