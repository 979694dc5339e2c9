import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/api';
import { eventually, startStack, TEST_TOKEN, type Stack } from '../support/stack';
import type { App } from '../../api/app';

// Property-based fuzzing of the API from its own OpenAPI document (schemathesis, installed by
// .ci/install-python-tools.sh). Bounded and seeded so a run costs about a minute and repeats.
const SCHEMATHESIS = process.env.SCHEMATHESIS_BIN ?? 'schemathesis';
const installed = spawnSync(SCHEMATHESIS, ['--version'], { encoding: 'utf8' }).status === 0;
const CHECKS = [
  'not_a_server_error', // no 5xx, whatever the input
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'negative_data_rejection', // a body/query/path the schema forbids must not be accepted (2xx)
].join(',');

let stack: Stack;
let app: App;
let baseUrl: string;
beforeAll(async () => {
  if (!installed) return;
  // No registered instances: whatever the fuzzer sets up fails its precheck and buys nothing that matters.
  stack = await startStack({ emulator: { instancesFile: undefined } });
  // The rate limit is real but would turn a fast fuzzer's requests into (undocumented) 429s.
  app = await buildTestApp(stack, { rateLimitPerMinute: 1_000_000 });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

describe('API fuzzing (schemathesis)', () => {
  it('never answers 5xx, keeps to its documented responses, and refuses every input its schema forbids', async (ctx) => {
    if (!installed) ctx.skip(`${SCHEMATHESIS} is not installed: run .ci/install-python-tools.sh to fuzz the API`);
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    // A body over the API's bodyLimit is refused with 413 before its schema is checked: a rejection too.
    writeFileSync(
      join(dir, 'schemathesis.toml'),
      '[checks.negative_data_rejection]\nexpected-statuses = ' +
        '["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]\n',
    );
    const started = Date.now();
    const run = await runSchemathesis(dir, [
      'run',
      `${baseUrl}/docs/json`,
      '--header',
      `Authorization: Bearer ${TEST_TOKEN}`,
      '--checks',
      CHECKS,
      '--mode',
      'all', // positive and negative (schema-violating) inputs
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--max-examples',
      '25',
      '--max-time',
      '60',
      '--seed',
      '20240611',
      '--workers',
      '1', // several workers trip a CPython 3.11 ast thread-safety bug inside hypothesis
      '--generation-database',
      'none',
      '--request-timeout',
      '10',
      '--no-color',
    ]);
    const seconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(join(dir, 'output.txt'), `${run.stdout}\n${run.stderr}`);
    console.log(`schemathesis: exit ${run.code} after ${seconds}s (output in ${dir}); ${summary(run.stdout)}`);
    if (run.code !== 0) console.log(run.stdout.slice(-20_000), run.stderr.slice(-4_000));
    expect(run.code, 'schemathesis found failures (output above)').toBe(0);
  }, 240_000);

  it('leaves nothing running: every setup the fuzzer started is cancelled or terminated', async (ctx) => {
    if (!installed) ctx.skip(`${SCHEMATHESIS} is not installed`);
    const ids = async (query: string) => {
      const found: string[] = [];
      for await (const w of stack.client.workflow.list({ query })) found.push(w.workflowId);
      return found;
    };
    const running = () => ids(`TaskQueue = '${stack.taskQueue}' AND ExecutionStatus = 'Running'`);
    console.log(`fuzz cleanup: the fuzzer started ${(await ids(`TaskQueue = '${stack.taskQueue}'`)).length} setups`);
    // Cancel first (the workflow releases what it bought), then terminate whatever still lingers.
    const fuzzed = await running();
    console.log(`fuzz cleanup: ${fuzzed.length} setups still running`);
    for (const id of fuzzed)
      await stack.client.workflow
        .getHandle(id)
        .cancel()
        .catch(() => undefined);
    await eventually(async () => ((await running()).length === 0 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'fuzzed setups to end',
    }).catch(() => undefined);
    for (const id of await running())
      await stack.client.workflow
        .getHandle(id)
        .terminate('fuzz cleanup')
        .catch(() => undefined);
    await eventually(async () => ((await running()).length === 0 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'no fuzzed setup left running',
    });
  }, 90_000);
});

function runSchemathesis(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Async: the app under test lives in this process and must keep serving.
    execFile(
      SCHEMATHESIS,
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 180_000, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Schemathesis's closing figures: "Test cases:" and the line after it, and the phases. */
function summary(stdout: string): string {
  const lines = stdout.split('\n').map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith('Test cases:'));
  const phases = lines.filter((l) => /^\S+\s+(Examples|Coverage|Fuzzing|Stateful) \(in /.test(l));
  return [at >= 0 ? `test cases: ${lines[at + 1]}` : 'no summary', ...phases].join(' | ');
}
