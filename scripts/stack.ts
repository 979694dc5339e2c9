import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_ACCESS_KEY_ID } from '../emulator/options';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { followDemoSetup } from './demo';
import { localEnv } from './local-env';
import { ensureTemporalCli } from './temporal-cli';
import { findRedisServer } from '../emulator/redis/servers';

// `npm start`: the whole local stack on this machine, then the main job (a two-way demo sync).
// Temporal dev server + UI, DTS emulator, worker and API; state survives in .data/.
// The terminal shows the summary and the demo's progress; each process's output goes to
// .data/logs/<process>.log (the emulator's one line per DTS call included), and what the worker,
// API or emulator writes to stderr, or the API logs at LOG_LEVEL=warn, is shown as well.
// LOCAL_DATA_DIR puts that state elsewhere (scripts/dashboard-snapshot.ts runs a fresh stack in a temp dir).
const root = join(__dirname, '..');
const dataDir = resolve(root, process.env.LOCAL_DATA_DIR || '.data');
const logDir = join(dataDir, 'logs');
const shown = (path: string) => relative(process.cwd(), path) || '.';

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  const env = localEnv(dataDir);
  const temporal = await startTemporal(env);
  const { run } = supervise(temporal, env);
  run('emulator', 'emulator/main.ts');
  run('worker', 'worker/main.ts');
  // At LOG_LEVEL=warn the API's log holds only warnings and errors.
  run('api', 'api/main.ts', { showStdout: true });

  const api = `http://127.0.0.1:${env.API_PORT}`;
  await waitFor(`${api}/readyz`);
  console.log(banner(env, api));
  if (!process.argv.includes('--no-demo')) await followDemoSetup(api, env.API_TOKENS?.split(',')[0], env.DTS_ENDPOINT);
  console.log('The stack keeps running; Ctrl-C stops it.');
}

type LocalEnv = ReturnType<typeof localEnv>;

/** The Temporal dev server with its UI, its database in the data folder. */
function startTemporal(env: LocalEnv): Promise<TestWorkflowEnvironment> {
  const cli = ensureTemporalCli();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: quietCli(cli) } : { type: 'cached-download' },
      ip: '127.0.0.1',
      port: Number(env.TEMPORAL_ADDRESS.split(':')[1]),
      ui: true,
      uiPort: Number(env.TEMPORAL_UI_PORT),
      dbFilename: join(dataDir, 'temporal.db'),
      searchAttributes: SEARCH_ATTRIBUTES,
      extraArgs: env.CODEC_ENDPOINT ? ['--ui-codec-endpoint', env.CODEC_ENDPOINT] : [],
    },
  });
}

/**
 * Runs each process with its output in its log (stderr shown, stdout when asked); one that exits stops the stack,
 * as Ctrl-C does.
 */
function supervise(temporal: TestWorkflowEnvironment, env: LocalEnv) {
  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())),
    );
    await temporal.teardown();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  const run = (name: string, script: string, { showStdout = false } = {}) => {
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const child = spawn(process.execPath, [tsx, join(root, script)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(logDir, `${name}.log`));
    const prefix = (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((line) => `${name}: ${line}\n`)
        .join('');
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (showStdout) process.stdout.write(prefix(chunk));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      log.write(chunk);
      process.stderr.write(prefix(chunk));
    });
    child.on('exit', (code, signal) => {
      if (!stopping)
        console.error(
          `${name} exited (${signal ?? code}); stopping the stack (see ${shown(join(logDir, `${name}.log`))})`,
        );
      void stop(1);
    });
    children.push(child);
  };
  return { run, stop };
}

function banner(env: LocalEnv, api: string): string {
  const redisLine = findRedisServer()
    ? 'a real redis-server per demo instance, on 127.0.0.1'
    : 'missing: no redis-server on PATH (apt-get install redis-server), so the instances hold no data';
  return `
Local stack is up.
  Temporal     ${env.TEMPORAL_ADDRESS}, UI http://127.0.0.1:${env.TEMPORAL_UI_PORT}
  API          ${api}   (token in ${shown(join(dataDir, 'api-token'))})
  DTS emulator ${env.DTS_ENDPOINT} (key ${DEFAULT_ACCESS_KEY_ID})
  Redis        ${redisLine}
  Logs         ${shown(logDir)}/ (emulator.log: one line per DTS call)

Start a two-way sync yourself:
  curl -sS -X POST ${api}/v1/syncs -H "authorization: Bearer $(cat ${shown(join(dataDir, 'api-token'))})" -H 'content-type: application/json' \\
    -d '{"name":"demo","topology":"bidirectional","region":"cn-hangzhou","source":{"instanceId":"r-demo-source-0001","region":"cn-hangzhou","password":"demo-source-Pa55"},"destination":{"instanceId":"r-demo-target-0002","region":"cn-hangzhou","password":"demo-target-Pa55"}}'

Running the main job now (npm run demo does the same); Ctrl-C stops the stack.
`;
}

/** The dev server inherits this terminal: a wrapper sends its banner and log to .data/logs/temporal.log. */
function quietCli(cli: string): string {
  const quote = (path: string) => `'${path.replaceAll("'", `'\\''`)}'`;
  const wrapper = join(dataDir, 'temporal-quiet.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${quote(cli)} "$@" >${quote(join(logDir, 'temporal.log'))} 2>&1\n`, {
    mode: 0o755,
  });
  return wrapper;
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000}s`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
