import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STRICTEST_DIALECT } from '../../emulator/dialect';
import { dtsClient, rawPost, signedParams } from './helpers';

const root = join(__dirname, '..', '..');

describe('npm run emulator', () => {
  it('starts from the environment, serves the demo instances, logs one line per call and closes on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'emulator/main.ts'], {
      cwd: root,
      env: { ...process.env, EMULATOR_PORT: '0', EMULATOR_TIME_SCALE: '0.01' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      const deadline = Date.now() + 15_000;
      while (!/listening on (http:\S+)/.test(output) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const url = /listening on (http:\S+)/.exec(output)?.[1];
      expect(url).toBeDefined();
      const emulator = { url: url as string, port: 0, redisServers: () => [], close: async () => {} };

      const instances = (await (await fetch(`${url}/__emulator/instances`)).json()) as {
        instances: Array<{ instanceId: string }>;
      };
      expect(instances.instances.map((i) => i.instanceId)).toEqual(['r-demo-source-0001', 'r-demo-target-0002']);
      await dtsClient(emulator).call('DescribeSynchronizationJobs', {});
      await new Promise((r) => setTimeout(r, 50));
      expect(output).toMatch(/POST DescribeSynchronizationJobs -> OK 200/);
      expect(output).not.toContain('emulator-key-secret');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  }, 30_000);

  it('reads EMULATOR_DIALECT and boolean variables through common/env (1 counts as true)', async () => {
    const child = spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'emulator/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        EMULATOR_PORT: '0',
        EMULATOR_DIALECT: STRICTEST_DIALECT,
        EMULATOR_ALLOW_LEGACY_VERSION: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      const deadline = Date.now() + 15_000;
      while (!/listening on (http:\S+)/.test(output) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const url = /listening on (http:\S+)/.exec(output)?.[1] as string;
      const { dialect } = (await (await fetch(`${url}/__emulator/dialect`)).json()) as {
        dialect: Record<string, unknown>;
      };
      expect(dialect).toMatchObject({
        unconfiguredStatus: 'NotStarted',
        statusSpelling: 'legacy',
        statusListPageSize: 10,
      });
      const legacy = await rawPost(
        { url, port: 0, redisServers: () => [], close: async () => {} },
        signedParams('DescribeSynchronizationJobs', {}, { version: '2018-08-01' }),
      );
      expect(legacy.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    await once(child, 'exit');
  }, 30_000);

  it('refuses to start on a bad EMULATOR_DIALECT, naming the variable and the switch', async () => {
    const child = spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'emulator/main.ts'], {
      cwd: root,
      env: { ...process.env, EMULATOR_PORT: '0', EMULATOR_DIALECT: 'statusSpelling=shouting' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(errors).toMatch(/EMULATOR_DIALECT: dialect statusSpelling must be one of pascal\|lower\|legacy/);
  }, 30_000);
});
