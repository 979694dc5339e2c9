import { buildApp } from '../../api/app';
import { TEST_TOKEN, type Stack } from './stack';

/** The production app, wired to the test stack's Temporal client. */
export function buildTestApp(stack: Stack, overrides: Partial<Parameters<typeof buildApp>[0]> = {}) {
  return buildApp({
    temporal: {
      client: stack.client,
      namespace: stack.namespace,
      taskQueue: stack.taskQueue,
      // The API starts setups in the family the worker is configured with, as one DTS_API sets both.
      dtsApi: stack.workerConfig.dtsApi,
    },
    tokens: [TEST_TOKEN],
    codec: stack.codec,
    codecCorsOrigins: ['http://localhost:8233'],
    ...overrides,
  });
}

export const AUTH = { authorization: `Bearer ${TEST_TOKEN}` };
