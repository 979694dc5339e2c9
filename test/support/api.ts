import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { buildApp, type App } from '../../api/app';
import { encryptingDataConverter } from '../../common/codec';
import { eventually } from './eventually';
import { startStack, TEST_TOKEN, type Stack } from './stack';

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

/** A client of the stack's namespace, with its payload keys, whose workflow calls pass `interceptor` (to count them). */
export function interceptedClient(stack: Stack, interceptor: WorkflowClientInterceptor): Client {
  return new Client({
    connection: stack.client.connection,
    namespace: stack.namespace,
    dataConverter: encryptingDataConverter(stack.workerConfig.payloadKeys),
    interceptors: { workflow: [interceptor] },
  });
}

export const AUTH = { authorization: `Bearer ${TEST_TOKEN}` };

/** A test file's stack and the production app in front of it (call from beforeAll). */
export async function startStackAndApp(
  stackOptions: Parameters<typeof startStack>[0] = {},
  appOptions: Parameters<typeof buildTestApp>[1] = {},
): Promise<{ stack: Stack; app: App }> {
  const stack = await startStack(stackOptions);
  try {
    return { stack, app: await buildTestApp(stack, appOptions) };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

/** Stops what startStackAndApp started, as far as it got (call from afterAll). */
export async function stopStackAndApp(stack: Stack | undefined, app: App | undefined): Promise<void> {
  await app?.close();
  await stack?.stop();
}

/**
 * The setup's view (GET /v1/syncs/:id) once its phase is `phase`. While the setup is failed, the
 * timeout message carries its error: a wait that cannot end any more says why.
 */
export function untilViewPhase(
  app: App,
  id: string,
  phase: string,
  { headers = AUTH, timeoutMs = 30_000 }: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<any> {
  return eventually(
    async () => {
      const view = (await app.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers })).json();
      if (view.phase === phase) return view;
      if (view.phase === 'failed') throw new Error(`setup failed: ${JSON.stringify(view.error)}`);
      return undefined;
    },
    { what: `phase ${phase} of ${id}`, timeoutMs },
  );
}
