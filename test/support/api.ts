import { buildApp } from '../../api/app';
import { TEST_TOKEN, type Stack } from './stack';

/** The production app, wired to the test stack's Temporal client. */
export function buildTestApp(stack: Stack, overrides: Partial<Parameters<typeof buildApp>[0]> = {}) {
  return buildApp({
    temporal: { client: stack.client, namespace: stack.namespace, taskQueue: stack.taskQueue },
    tokens: [TEST_TOKEN],
    codec: stack.codec,
    codecCorsOrigins: ['http://localhost:8233'],
    ...overrides,
  });
}

export const AUTH = { authorization: `Bearer ${TEST_TOKEN}` };
