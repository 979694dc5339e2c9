import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { DEFAULT_TEMPORAL_ADDRESS, loadTemporalConfig } from '../common/temporal-config';
import { ensureTemporalCli, TEMPORAL_CLI_VERSION } from './temporal-cli';

// `npm run temporal -- <args>`: the pinned Temporal CLI, pointed at this deployment's server,
// so an operator can list, describe, signal (retry, abort, release) or cancel a sync.

/** Command groups that talk to a server; only these accept --address. */
const CLIENT_COMMANDS = new Set(['activity', 'batch', 'operator', 'schedule', 'task-queue', 'worker', 'workflow']);

function gives(args: string[], flag: string): boolean {
  return args.some((a) => a === flag || a.startsWith(`${flag}=`));
}

/**
 * The CLI reads the same connection settings as the worker and API (TEMPORAL_PROFILE, TEMPORAL_ADDRESS,
 * TEMPORAL_TLS_*, ...: common/temporal-config.ts). Only what nothing configures is added: the local server.
 */
export function withConnectionFlags(args: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  if (!CLIENT_COMMANDS.has(args[0] ?? '')) return args;
  const configured = loadTemporalConfig(env);
  const extra: string[] = [];
  if (!gives(args, '--address') && configured.address === DEFAULT_TEMPORAL_ADDRESS)
    extra.push('--address', '127.0.0.1:7233');
  // Before a `--` separator, if any, so they stay flags.
  const end = args.indexOf('--');
  return end === -1 ? [...args, ...extra] : [...args.slice(0, end), ...extra, ...args.slice(end)];
}

function main(): void {
  let cli: string | undefined;
  try {
    // Only the build notice matters here; the SDK download fallback does not apply to us.
    cli = ensureTemporalCli((line) => line.includes('building') && console.error(line));
  } catch (err) {
    console.error(`temporal CLI ${TEMPORAL_CLI_VERSION} could not be built: ${(err as Error).message}`);
  }
  if (!cli) {
    console.error(
      `No Temporal CLI ${TEMPORAL_CLI_VERSION} here, and no Go to build it.\n` +
        `Install Go (https://go.dev/dl) and rerun, or set TEMPORAL_CLI_PATH to an existing \`temporal\` binary.`,
    );
    process.exit(127);
  }
  const child = spawn(cli, withConnectionFlags(process.argv.slice(2)), { stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group; don't die before it does.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    console.error(`could not run ${cli}: ${err.message}`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
}

if (require.main === module) main();
