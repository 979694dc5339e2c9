import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { Api, ApiError, resolveConnection } from './client';
import { completionScript } from './completion';
import { CliError, EXIT } from './exit-codes';
import { readSetupFile } from './files';
import { apply, makePlan, planText } from './fleet';
import { FORMATS, keyValues, parseFormat, printData, table, type Format } from './output';
import { explain, outcome, progressLine, ProgressBoard, type SetupStatus } from './progress';

interface Globals {
  url?: string;
  token?: string;
  config?: string;
  output: Format;
}

const { version } = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string };

const program = new Command('redis-dts-sync')
  .version(version)
  .description('Operate redis-dts-sync setups through its HTTP API: one sync, or a fleet in one file.')
  .addOption(new Option('--url <url>', 'the API (default: REDIS_DTS_SYNC_URL, the config file, http://127.0.0.1:3000)'))
  .addOption(
    new Option('--token <token>', 'bearer token (prefer REDIS_DTS_SYNC_TOKEN or the config file: flags show in ps)'),
  )
  .addOption(
    new Option('--config <path>', 'config file (default: REDIS_DTS_SYNC_CONFIG, ~/.config/redis-dts-sync/config.yaml)'),
  )
  .addOption(
    new Option('-o, --output <format>', 'table for people, json or yaml for scripts').choices(FORMATS).default('table'),
  )
  .showHelpAfterError()
  .addHelpText(
    'after',
    '\nExit codes: see docs/cli.md (0 ok, 2 bad input, 3 not found, 4 refused, 5 token, 6-9 watch/apply).',
  );

function context(command: Command): { api: Api; output: Format } {
  const globals = command.optsWithGlobals<Globals>();
  return { api: new Api(resolveConnection(globals)), output: parseFormat(globals.output) };
}

const idPath = (id: string) => `/v1/syncs/${encodeURIComponent(id)}`;
const seconds = (value: string, flag: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag}: must be a number of seconds above 0`, EXIT.usage);
  return n * 1000;
};

/** A command's example, for its help. */
const example = (line: string) => `\nExample:\n  redis-dts-sync ${line}`;

const FILE_HELP = { sync: 'the sync, YAML or JSON (- for stdin)', fleet: 'the fleet file (select?, syncs)' };

/** A command that reads one sync or fleet file (-f). */
function fileCommand(name: string, file: keyof typeof FILE_HELP): Command {
  return program.command(name).requiredOption('-f, --file <path>', FILE_HELP[file]);
}

/** A command on one setup, named by its id; its example adds `flags`. */
function idCommand(name: string, flags = ''): Command {
  return program
    .command(name)
    .argument('<id>', 'setup id (redis-sync.…)')
    .addHelpText('after', example(`${name} redis-sync.r-bp1aaaa.r-bp1bbbb${flags}`));
}

/** One setup for people: what GET /v1/syncs/:id answers, the passwords never among it. */
function setupText(status: Record<string, unknown>): string {
  return keyValues(status);
}

fileCommand('create', 'sync')
  .description('start a setup from a sync file (passwords as { fromEnv } or { fromFile })')
  .option('--wait', 'follow it to synchronizing, like watch')
  .option('--interval <seconds>', 'with --wait: seconds between reads', '2')
  .addHelpText('after', example('create -f orders.yaml --wait'))
  .action(async (opts: { file: string; wait?: boolean; interval: string }, command: Command) => {
    const { api, output } = context(command);
    const body = readSetupFile(opts.file);
    const accepted = await api.request<{
      id: string;
      phase: string;
      existing?: boolean;
      preflightWarnings?: unknown[];
    }>('POST', '/v1/syncs', body);
    printData(output, accepted, () =>
      [
        `${accepted.existing ? 'already running' : 'started'} ${accepted.id}: ${accepted.phase}`,
        ...((accepted.preflightWarnings ?? []) as { check: string; message: string }[]).map(
          (w) => `  preflight warning ${w.check}: ${w.message}`,
        ),
      ].join('\n'),
    );
    if (opts.wait) process.exitCode = await watch(api, accepted.id, seconds(opts.interval, '--interval'), output);
  });

fileCommand('preflight', 'sync')
  .description('run the checks POST /v1/syncs runs before buying, nothing bought (exit 4 when one fails)')
  .addHelpText('after', example('preflight -f orders.yaml'))
  .action(async (opts: { file: string }, command: Command) => {
    const { api, output } = context(command);
    const report = await api.request<{ ok: boolean; items: { check: string; outcome: string; message: string }[] }>(
      'POST',
      '/v1/syncs/preflight',
      readSetupFile(opts.file),
    );
    printData(output, report, () =>
      table(
        ['CHECK', 'OUTCOME', 'MESSAGE'],
        report.items.map((i) => [i.check, i.outcome, i.message]),
      ),
    );
    if (!report.ok) process.exitCode = EXIT.refused;
  });

idCommand('get', ' -o yaml')
  .description('where a setup stands: phase, DTS job, each direction, attention, error')
  .action(async (id: string, _opts: unknown, command: Command) => {
    const { api, output } = context(command);
    const status = await api.request<Record<string, unknown>>('GET', idPath(id));
    printData(output, status, () => setupText(status));
  });

interface ListItem {
  id: string;
  name?: string;
  phase?: string;
  topology?: string;
  region?: string;
  tags?: string[];
  dtsJobId?: string;
  startedAt?: string;
}
interface Summary {
  total: number;
  byPhase: Record<string, number>;
  byRegion: Record<string, number>;
}

program
  .command('list')
  .description('setups, newest first, with a count per phase and per region')
  .option('--phase <phase>', 'only setups in this phase')
  .option('--name-prefix <prefix>', 'only setups whose name starts with this')
  .option('--tag <tag>', 'only setups started with this tag')
  .option('--limit <n>', 'at most this many items', '200')
  .option('--no-summary', 'leave out the count per phase and region')
  .addHelpText(
    'after',
    '\nExamples:\n  redis-dts-sync list --phase needs-attention\n  redis-dts-sync list --tag team=payments -o json',
  )
  .action(
    async (
      opts: { phase?: string; namePrefix?: string; tag?: string; limit: string; summary: boolean },
      command: Command,
    ) => {
      const { api, output } = context(command);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new CliError('--limit: must be a whole number above 0', EXIT.usage);
      const items: ListItem[] = [];
      let summary: Summary | undefined;
      let pageToken: string | undefined;
      do {
        const query = new URLSearchParams({ pageSize: String(Math.min(100, limit - items.length)) });
        if (opts.phase) query.set('phase', opts.phase);
        if (opts.namePrefix) query.set('namePrefix', opts.namePrefix);
        if (opts.tag) query.set('tag', opts.tag);
        if (opts.summary && !pageToken) query.set('summary', 'true');
        if (pageToken) query.set('pageToken', pageToken);
        const page = await api.request<{ items: ListItem[]; nextPageToken?: string; summary?: Summary }>(
          'GET',
          `/v1/syncs?${query.toString()}`,
        );
        items.push(...page.items);
        summary ??= page.summary;
        pageToken = page.nextPageToken;
      } while (pageToken && items.length < limit);
      printData(output, { items, ...(summary ? { summary } : {}) }, () => {
        const rows = items.map((i) => [i.id, i.name, i.phase, i.topology, i.region, i.dtsJobId, i.startedAt]);
        const lines = [table(['ID', 'NAME', 'PHASE', 'TOPOLOGY', 'REGION', 'DTS JOB', 'STARTED'], rows)];
        if (summary) {
          const counts = (r: Record<string, number>) =>
            Object.entries(r)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, n]) => `${k} ${n}`)
              .join(', ');
          lines.push('', `${summary.total} setup(s). By phase: ${counts(summary.byPhase) || 'none'}.`);
          lines.push(`By region: ${counts(summary.byRegion) || 'none'}.`);
        }
        if (pageToken) lines.push(`(more than ${limit}: raise --limit)`);
        return lines.join('\n');
      });
    },
  );

/** Follows a setup until it reaches synchronizing or stops; its exit code says which. */
async function watch(api: Api, id: string, intervalMs: number, output: Format, timeoutMs?: number): Promise<number> {
  const board = output === 'table' ? new ProgressBoard([id]) : undefined;
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    const status = await api.request<SetupStatus>('GET', idPath(id));
    board?.update(id, progressLine(status));
    const code = outcome(status);
    if (code !== undefined) {
      if (board) for (const line of explain(status)) process.stdout.write(`${line}\n`);
      else printData(output, status, () => '');
      return code;
    }
    if (Date.now() > deadline) {
      if (!board) printData(output, status, () => '');
      process.stderr.write(`still ${status.phase} when --timeout passed\n`);
      return EXIT.timeout;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

idCommand('watch', ' && echo ready')
  .description('follow a setup live until synchronizing (exit 0), needs-attention (6) or an end (7)')
  .option('--interval <seconds>', 'seconds between reads', '2')
  .option('--timeout <seconds>', 'give up after this long (exit 8)')
  .action(async (id: string, opts: { interval: string; timeout?: string }, command: Command) => {
    const { api, output } = context(command);
    const timeout = opts.timeout === undefined ? undefined : seconds(opts.timeout, '--timeout');
    process.exitCode = await watch(api, id, seconds(opts.interval, '--interval'), output, timeout);
  });

/** The operator actions: each a POST to the API's route of the same name. */
const ACTIONS: { name: string; description: string }[] = [
  { name: 'retry', description: 'run the precheck again after fixing what it reported' },
  { name: 'abort', description: 'give up a setup that needs attention (the instance is released unless kept)' },
  { name: 'cancel', description: 'cancel a setup (same cleanup as abort)' },
  { name: 'resume', description: 'resume a paused sync (a day-two operation)' },
];
for (const action of ACTIONS) {
  idCommand(action.name)
    .description(action.description)
    .action(async (id: string, _opts: unknown, command: Command) => {
      const { api, output } = context(command);
      const status = await offered(action.name, () =>
        api.request<{ id?: string; phase?: string }>('POST', `${idPath(id)}/${action.name}`),
      );
      printData(output, status, () => `${action.name}: ${status.id ?? id} is ${status.phase ?? 'accepted'}`);
    });
}

interface VerificationView {
  id: string;
  state: string;
  depth: string;
  outcome?: string;
  keysCompared?: number;
  keysDiffering?: number;
  examples?: { key: string; reason: string }[];
  reason?: string;
}

idCommand('verify', ' --depth length --wait')
  .description("compare the data at both ends (reads only, at the worker's capped rate)")
  .addOption(new Option('--depth <depth>', 'how deep to compare').choices(['type', 'length', 'value']))
  .option('--wait', 'wait for the outcome: exit 0 consistent, 4 inconsistent, 1 unverifiable')
  .option('--interval <seconds>', 'seconds between reads with --wait', '2')
  .option('--timeout <seconds>', 'with --wait: give up after this long (exit 8)')
  .action(
    async (
      id: string,
      opts: { depth?: string; wait?: boolean; interval: string; timeout?: string },
      command: Command,
    ) => {
      const { api, output } = context(command);
      const accepted = await offered('verify', () =>
        api.request<{ id: string; verification: VerificationView }>(
          'POST',
          `${idPath(id)}/verify`,
          opts.depth ? { depth: opts.depth } : {},
        ),
      );
      if (!opts.wait) {
        printData(
          output,
          accepted,
          () => `verify: verification ${accepted.id} started (${accepted.verification.depth})`,
        );
        return;
      }
      const interval = seconds(opts.interval, '--interval') * 1000;
      const deadline = opts.timeout === undefined ? Infinity : Date.now() + seconds(opts.timeout, '--timeout') * 1000;
      for (;;) {
        const status = await api.request<{ verification?: VerificationView }>('GET', idPath(id));
        const v = status.verification;
        if (v?.id === accepted.id && v.state === 'done') {
          printData(output, v, () => verificationText(v));
          process.exitCode =
            v.outcome === 'consistent' ? EXIT.ok : v.outcome === 'inconsistent' ? EXIT.refused : EXIT.error;
          return;
        }
        if (Date.now() > deadline) {
          process.stderr.write(`verification ${accepted.id} still running when --timeout passed\n`);
          process.exitCode = EXIT.timeout;
          return;
        }
        await new Promise((r) => setTimeout(r, interval));
      }
    },
  );

function verificationText(v: VerificationView): string {
  const head = `${v.outcome}: ${v.keysCompared ?? 0} keys compared at depth ${v.depth}, ${v.keysDiffering ?? 0} differing`;
  const lines = (v.examples ?? []).map((e) => `  ${e.key}: ${e.reason}`);
  return [head + (v.reason ? ` (${v.reason})` : ''), ...lines].join('\n');
}

idCommand('pause', ' --for 30m')
  .description('pause a synchronizing setup: both directions suspended, resumed by itself at the end')
  .option('--for <duration>', 'how long, e.g. 10m or 2h (at most 5h45m, the default: DTS limits a pause to 6 hours)')
  .action(async (id: string, opts: { for?: string }, command: Command) => {
    const { api, output } = context(command);
    const status = await offered('pause', () =>
      api.request<{ id?: string; phase?: string }>('POST', `${idPath(id)}/pause`, opts.for ? { for: opts.for } : {}),
    );
    printData(output, status, () => `pause: ${status.id ?? id} is ${status.phase ?? 'accepted'}`);
  });

idCommand('release')
  .description(
    'tear a setup down and release its DTS instance (an adopted job is left running unless --release-adopted)',
  )
  .option('--release-adopted', 'an adopted DTS job is released too')
  .action(async (id: string, opts: { releaseAdopted?: boolean }, command: Command) => {
    const { api, output } = context(command);
    const status = await api.request<{ id?: string; phase?: string }>(
      'DELETE',
      `${idPath(id)}${opts.releaseAdopted ? '?release=true' : ''}`,
    );
    printData(output, status, () => `release: ${status.id ?? id} is ${status.phase ?? 'accepted'}`);
  });

idCommand('events')
  .description("a setup's history for people: phases, DTS states, operator actions")
  .action(async (id: string, _opts: unknown, command: Command) => {
    const { api, output } = context(command);
    const reply = await offered('events', () =>
      api.request<{ events?: SetupEventView[] }>('GET', `${idPath(id)}/events`),
    );
    const events = reply.events ?? [];
    printData(output, reply, () =>
      table(
        ['AT', 'EVENT', 'DETAIL', 'BY'],
        events.map((e) => [e.at, e.kind, eventDetail(e), e.by]),
      ),
    );
  });

program
  .command('adopt')
  .description('hand a DTS job bought elsewhere to the service (nothing bought)')
  .requiredOption('-f, --file <path>', 'the sync the job runs, YAML or JSON')
  .requiredOption('--dts-job-id <id>', 'the DTS job, dts…')
  .addHelpText('after', example('adopt -f orders.yaml --dts-job-id dtsb0rr0699xczrn'))
  .action(async (opts: { file: string; dtsJobId: string }, command: Command) => {
    const { api, output } = context(command);
    const body = { ...readSetupFile(opts.file), adopt: { dtsJobId: opts.dtsJobId } };
    const accepted = await api.request<{ id: string; phase: string; existing?: boolean }>('POST', '/v1/syncs', body);
    printData(
      output,
      accepted,
      () => `${accepted.existing ? 'already running' : 'adopting'} ${accepted.id}: ${accepted.phase}`,
    );
  });

/** A row of GET /v1/instances/unclaimed: every field a string. */
type UnclaimedRow = Record<'dtsJobId' | 'regionId' | 'name' | 'jobClass' | 'payType' | 'createdAt', string>;

program
  .command('instances')
  .description('DTS instances of the account')
  .command('unclaimed')
  .description('DTS instances no setup owns (reported, never released automatically)')
  .addHelpText('after', example('instances unclaimed -o json'))
  .action(async (_opts: unknown, command: Command) => {
    const { api, output } = context(command);
    const reply = await api.request<{ instances: UnclaimedRow[]; checkedAt?: string }>(
      'GET',
      '/v1/instances/unclaimed',
    );
    printData(output, reply, () =>
      [
        table(
          ['DTS JOB', 'REGION', 'NAME', 'CLASS', 'PAY TYPE', 'CREATED'],
          reply.instances.map((i) => [i.dtsJobId, i.regionId, i.name, i.jobClass, i.payType, i.createdAt]),
        ),
        reply.checkedAt ? `checked at ${reply.checkedAt}` : 'not checked yet',
      ].join('\n'),
    );
  });

fileCommand('plan', 'fleet')
  .description('compare a fleet file with what the service runs: create, change, unchanged, not in the file, the money')
  .addHelpText('after', example('plan -f fleet.yaml'))
  .action(async (opts: { file: string }, command: Command) => {
    const { api, output } = context(command);
    const { plan } = await makePlan(api, opts.file);
    printData(output, plan, () => planText(plan));
  });

fileCommand('apply', 'fleet')
  .description('do what plan shows: create what is missing and follow it to synchronizing; release only with --prune')
  .option('--no-wait', 'return once everything is started')
  .option('--prune', 'release running setups that are not in the file (asks first)')
  .option('-y, --yes', 'do not ask before releasing (--prune)')
  .option('--interval <seconds>', 'seconds between reads while following', '2')
  .option('--timeout <seconds>', 'stop following after this long (exit 8)')
  .addHelpText(
    'after',
    '\nExamples:\n  redis-dts-sync apply -f fleet.yaml\n  redis-dts-sync apply -f fleet.yaml --prune --yes --no-wait',
  )
  .action(
    async (
      opts: { file: string; wait: boolean; prune?: boolean; yes?: boolean; interval: string; timeout?: string },
      command: Command,
    ) => {
      const { api, output } = context(command);
      const { plan, fleet } = await makePlan(api, opts.file);
      const people = output === 'table';
      if (people) process.stdout.write(`${planText(plan)}\n\n`);
      const result = await apply(api, plan, fleet, {
        wait: opts.wait,
        prune: Boolean(opts.prune),
        yes: Boolean(opts.yes),
        intervalMs: seconds(opts.interval, '--interval'),
        ...(opts.timeout === undefined ? {} : { timeoutMs: seconds(opts.timeout, '--timeout') }),
        say: (line) => {
          if (people) process.stdout.write(`${line}\n`);
        },
        quiet: !people,
      });
      if (!people) printData(output, { plan, result }, () => '');
      process.exitCode = result.exitCode;
    },
  );

program
  .command('completion')
  .description('print a shell completion script')
  .argument('[shell]', 'bash or zsh', 'bash')
  .addHelpText(
    'after',
    '\nExamples:\n  source <(redis-dts-sync completion bash)\n  redis-dts-sync completion zsh > "${fpath[1]}/_redis-dts-sync"',
  )
  .action((shell: string) => {
    process.stdout.write(completionScript(program, shell));
  });

/** An action the API may not offer yet (an older API, or a day-two operation not built): said plainly. */
async function offered<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiError && err.routeMissing)
      throw new CliError(`${name}: the API does not offer ${name} (yet): nothing was done`, EXIT.notFound);
    throw err;
  }
}

program.exitOverride();
program.configureOutput({ outputError: (text, write) => write(text) });

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    const commanderCode = (err as { code?: string; exitCode?: number }).code;
    if (commanderCode?.startsWith('commander.')) {
      // --help and --version exit 0; a bad argument has been explained by commander already.
      const helpShown = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(commanderCode);
      process.exitCode = helpShown ? EXIT.ok : EXIT.usage;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.error;
  }
}

void main();

/** One event of GET /v1/syncs/:id/events, as the table needs it. */
interface SetupEventView {
  at?: string;
  kind?: string;
  by?: string;
  phase?: string;
  direction?: string;
  status?: string;
  action?: string;
  activity?: string;
  type?: string;
  message?: string;
  code?: string;
  outcome?: string;
}

function eventDetail(e: SetupEventView): string {
  switch (e.kind) {
    case 'phase':
      return e.phase ?? '';
    case 'dts-status':
      return `${e.direction ?? ''} ${e.status ?? ''}`.trim();
    case 'action':
      return e.action ?? '';
    case 'error':
      return [e.activity, e.code ?? e.type, e.message].filter(Boolean).join(': ');
    case 'ended':
      return e.outcome ?? '';
    default:
      return '';
  }
}
