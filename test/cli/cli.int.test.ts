import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/api';
import { eventually, startStack, tairInstance, TEST_TOKEN, type Stack } from '../support/stack';
import type { App } from '../../api/app';

// The CLI as people run it: a child process (cli/bin.cjs, the package's bin) against a real API, worker,
// Temporal server and DTS emulator. Every output is checked for the token.
const BIN = join(__dirname, '../../cli/bin.cjs');
let stack: Stack;
let app: App;
let url: string;
const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
const outputs: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  app = await buildTestApp(stack);
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: dir,
        // A home of its own: no config file of the machine's user is read.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          REDIS_DTS_SYNC_URL: url,
          REDIS_DTS_SYNC_TOKEN: TEST_TOKEN,
          ...env,
        },
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        outputs.push(stdout, stderr);
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const run = randomUUID().slice(0, 6);
const passwords: Record<string, string> = {};
/** A pair registered in the emulator; its passwords only in the environment the CLI gets. */
async function pair(name: string) {
  const id = randomUUID().slice(0, 8);
  const ends = ['src', 'dst'].map((end) => {
    const envName = `PW_${end}_${id}`.toUpperCase().replace(/-/g, '_');
    passwords[envName] = `${end}-${id}-Pa55`;
    return { instanceId: `r-cli-${end}-${id}`, region: 'cn-hangzhou', envName };
  });
  for (const e of ends) await stack.admin('instances', tairInstance(e.instanceId, passwords[e.envName]!));
  const [source, destination] = ends.map((e) => ({
    instanceId: e.instanceId,
    region: e.region,
    password: { fromEnv: e.envName },
  }));
  return { name: `${run}-${name}`, topology: 'oneway', region: 'cn-hangzhou', source, destination };
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(content));
  return path;
}

describe('redis-dts-sync CLI', () => {
  it('creates, gets, lists, watches to synchronizing (exit 0) and releases a setup', async () => {
    const sync = await pair('one');
    const path = file('one.yaml', sync);
    const created = await cli(['create', '-f', path, '-o', 'json'], passwords);
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    expect(id).toMatch(/^redis-sync\./);

    const got = await cli(['get', id]);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toContain(`name: ${sync.name}`);

    const listed = await eventually(async () => {
      const r = await cli(['list', '-o', 'json', '--name-prefix', `${run}-one`]);
      const items = (JSON.parse(r.stdout) as { items: { id: string; name: string; phase: string }[] }).items;
      return items.length === 1 ? items : undefined;
    });
    expect(listed[0]).toMatchObject({ id, name: sync.name });
    expect(typeof listed[0]?.phase).toBe('string');

    const watched = await cli(['watch', id, '--interval', '0.2', '--timeout', '90']);
    expect(watched.code, watched.stdout + watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(/\[synchronizing\] DTS dts\S+ forward Synchronizing 100%/);

    const released = await cli(['release', id]);
    expect(released.code, released.stderr).toBe(0);
    const again = await cli(['watch', id, '--interval', '0.2', '--timeout', '60']);
    expect(again.code).toBe(7); // ended without synchronizing: released
    expect(again.stdout).toContain('[released]');

    const events = await cli(['events', id]);
    expect(events.code, events.stderr).toBe(0);
    expect(events.stdout).toMatch(/^AT\s+EVENT\s+DETAIL\s+BY/);
    expect(events.stdout).toMatch(/\sphase\s+synchronizing/);
    expect(events.stdout).toMatch(/\saction\s+release/);
    const json = await cli(['events', id, '-o', 'json']);
    const listedEvents = (JSON.parse(json.stdout) as { events: { kind: string; phase?: string }[] }).events;
    expect(listedEvents).toContainEqual(expect.objectContaining({ kind: 'phase', phase: 'released' }));
  });

  it('refuses bad input with a non-zero exit and a message naming the field', async () => {
    const sync = await pair('bad');
    const sideways = await cli(['create', '-f', file('bad.yaml', { ...sync, topology: 'sideways' })], passwords);
    expect(sideways.code).toBe(2);
    expect(sideways.stderr).toContain('/topology');
    const written = await cli([
      'create',
      '-f',
      file('leak.yaml', { ...sync, source: { ...sync.source, password: 'x' } }),
    ]);
    expect(written.code).toBe(2);
    expect(written.stderr).toContain('/source/password');
    const unset = await cli(['create', '-f', file('unset.yaml', sync)]); // no password variables
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/\/source\/password: environment variable PW_SRC_\w+ is not set/);
    const missing = await cli(['get', 'redis-sync.r-none-0000.r-none-0001']);
    expect(missing.code).toBe(3);
    const token = await cli(['list'], { REDIS_DTS_SYNC_TOKEN: 'not-the-token-at-all' });
    expect(token.code).toBe(5);
    const option = await cli(['list', '-o', 'xml']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('xml');
  });

  it('plans and applies a fleet: creates 3, shows exactly an edited field, leaves a removed one until --prune --yes', async () => {
    const syncs = [await pair('fleet-a'), await pair('fleet-b'), await pair('fleet-c')];
    const fleet = (s: unknown[]) => ({ select: { namePrefix: `${run}-fleet` }, syncs: s });
    const path = join(dir, 'fleet.yaml');
    const write = (content: unknown) => writeFileSync(path, stringify(content));
    write(fleet(syncs));

    const planned = await cli(['plan', '-f', path]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout.match(/\+ create/g)).toHaveLength(3);
    expect(planned.stdout).toContain('Money: apply buys 3 DTS instance(s): 3 small; 3 PostPaid.');

    const applied = await cli(['apply', '-f', path, '--interval', '0.2', '--timeout', '120'], passwords);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Summary: 3 created (3 synchronizing)');

    write(fleet([syncs[0], { ...syncs[1], jobClass: 'medium' }, syncs[2]]));
    const edited = await cli(['plan', '-f', path, '-o', 'json']);
    expect(edited.code, edited.stderr).toBe(0);
    const plan = JSON.parse(edited.stdout) as {
      syncs: { name: string; action: string; fields?: { field: string }[] }[];
    };
    expect(plan.syncs.map((s) => [s.name, s.action])).toEqual([
      [syncs[0]!.name, 'unchanged'],
      [syncs[1]!.name, 'change'],
      [syncs[2]!.name, 'unchanged'],
    ]);
    expect(plan.syncs[1]?.fields?.map((f) => f.field)).toEqual(['/jobClass']);
    // Changed in place (PATCH), waited for: the setup is not bought again.
    const changed = await cli(['apply', '-f', path, '--interval', '0.2', '--timeout', '120'], passwords);
    expect(changed.code, changed.stdout + changed.stderr).toBe(0);
    expect(changed.stdout).toContain(`changed ${syncs[1]!.name} (/jobClass): applied`);
    const again = await cli(['plan', '-f', path, '-o', 'json']);
    expect((JSON.parse(again.stdout) as { syncs: { action: string }[] }).syncs[1]?.action).toBe('unchanged');

    write(fleet([syncs[0], { ...syncs[1], jobClass: 'medium' }]));
    const removed = await cli(['plan', '-f', path]);
    expect(removed.stdout).toMatch(new RegExp(`- not in the file\\s+${syncs[2]!.name}`));
    const left = await cli(['apply', '-f', path, '--no-wait'], passwords);
    expect(left.code, left.stdout + left.stderr).toBe(0);
    const cId = (JSON.parse((await cli(['plan', '-f', path, '-o', 'json'])).stdout) as { notInFile: { id: string }[] })
      .notInFile[0]!.id;
    const stillThere = await cli(['get', cId, '-o', 'json']);
    expect(JSON.parse(stillThere.stdout)).toMatchObject({ phase: 'synchronizing', workflowStatus: 'RUNNING' });

    const unconfirmed = await cli(['apply', '-f', path, '--prune', '--no-wait'], passwords);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    const pruned = await cli(['apply', '-f', path, '--prune', '--yes', '--no-wait'], passwords);
    expect(pruned.code, pruned.stdout + pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain(`releasing ${syncs[2]!.name}`);
    const gone = await cli(['watch', cId, '--interval', '0.2', '--timeout', '60']);
    expect(gone.stdout).toContain('[released]');
  });

  it('answers --help on every command and prints a completion script', async () => {
    for (const args of [['--help'], ['apply', '--help'], ['instances', 'unclaimed', '--help']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: redis-dts-sync');
    }
    const completion = await cli(['completion', 'bash']);
    expect(completion.stdout).toContain('complete -o default -F _redis_dts_sync redis-dts-sync');
    expect(completion.stdout).toContain('apply) words="');
  });

  it('never prints the token', () => {
    expect(outputs.length).toBeGreaterThan(20);
    for (const out of outputs) expect(out).not.toContain(TEST_TOKEN);
  });
});
