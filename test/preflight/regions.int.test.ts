import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGION_RULE_SOURCES } from '../../core/preflight-checks';
import type { DtsApi } from '../../core/types';
import type { App } from '../../api/app';
import { AUTH, startStackAndApp, stopStackAndApp } from '../support/api';
import type { EmulatorCall } from '../support/requests';
import { eventually, tairInstance, type Stack } from '../support/stack';

// A one-way Hong Kong → Singapore setup, which the DTS guide classes as cross-region, through the API: each family
// answers as its reference says (docs/dts-api.md §12.3).
describe.each(['dtsjob', 'synchronizationjob'] as const)('Hong Kong → Singapore speaking %s', (api: DtsApi) => {
  let stack: Stack;
  let app: App;
  beforeAll(async () => ({ stack, app } = await startStackAndApp({ worker: { dtsApi: api } })));
  afterAll(() => stopStackAndApp(stack, app));

  async function body() {
    const id = randomUUID().slice(0, 8);
    const source = { instanceId: `r-hk-src-${id}`, region: 'cn-hongkong', password: `src-${id}-Pa55` };
    const destination = { instanceId: `r-sg-dst-${id}`, region: 'ap-southeast-1', password: `dst-${id}-Pa55` };
    await stack.admin('instances', [
      tairInstance(source.instanceId, source.password, { region: source.region }),
      tairInstance(destination.instanceId, destination.password, { region: destination.region }),
    ]);
    return { name: `hk-sg-${id}`, topology: 'oneway', region: 'ap-southeast-1', source, destination };
  }

  const creates = async () =>
    (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls.filter((c) => /^Create/.test(c.action)).length;

  it(
    api === 'dtsjob'
      ? 'reaches synchronizing: CreateDtsInstance names no region rule'
      : 'is refused with 422 naming the CreateSynchronizationJob rule and its page; nothing is bought',
    async () => {
      const payload = await body();
      const res = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload });
      if (api === 'synchronizationjob') {
        expect(res.statusCode, res.body).toBe(422);
        const regions = res
          .json<{ preflight: { items: { check: string; outcome: string; message: string }[] } }>()
          .preflight.items.find((i) => i.check === 'regions');
        expect(regions?.outcome).toBe('fail');
        expect(regions?.message).toContain('CreateSynchronizationJob');
        expect(regions?.message).toContain(REGION_RULE_SOURCES.synchronizationjob);
        expect(await creates()).toBe(0);
        return;
      }
      expect(res.statusCode, res.body).toBe(202);
      const { id } = res.json<{ id: string }>();
      const status = await eventually(
        async () => {
          const got = (await app.inject({ method: 'GET', url: `/v1/syncs/${id}`, headers: AUTH })).json<{
            phase: string;
            dtsApi?: string;
          }>();
          if (got.phase === 'failed') throw new Error(`setup failed: ${JSON.stringify(got)}`);
          return got.phase === 'synchronizing' ? got : undefined;
        },
        { what: 'synchronizing', timeoutMs: 45_000 },
      );
      expect(status.dtsApi).toBe('dtsjob');
      const calls = (await stack.admin<{ calls: EmulatorCall[] }>('calls')).calls;
      const create = calls.find((c) => c.action === 'CreateDtsInstance') as EmulatorCall & {
        params: Record<string, string>;
      };
      expect(create.params).toMatchObject({ SourceRegion: 'cn-hongkong', DestinationRegion: 'ap-southeast-1' });
      expect(calls.some((c) => c.action.endsWith('SynchronizationJob'))).toBe(false);
      await app.inject({ method: 'DELETE', url: `/v1/syncs/${id}`, headers: AUTH });
    },
  );
});
