import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The one Temporal CLI version everything here runs (server 1.29.1, UI 2.42.1). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

/** Outside the clone, so CI and every checkout reuse one build. */
export function temporalCliDir(): string {
  const cache =
    process.env.TEMPORAL_CLI_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'redis-dts-sync');
  return join(cache, `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

export function temporalCliPath(): string {
  return process.env.TEMPORAL_CLI_PATH ?? join(temporalCliDir(), 'temporal');
}

function hasGo(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the pinned CLI's path, building it with Go from the module proxy when missing.
 * Without Go, returns undefined: callers then let @temporalio/testing download the CLI.
 */
export function ensureTemporalCli(log: (line: string) => void = console.log): string | undefined {
  const path = temporalCliPath();
  if (existsSync(path)) return path;
  if (!hasGo()) {
    log('temporal CLI: Go not found; the Temporal SDK will download the CLI instead');
    return undefined;
  }
  const dir = temporalCliDir();
  mkdirSync(dir, { recursive: true });
  log(`temporal CLI: building ${TEMPORAL_CLI_VERSION} with Go into ${dir} (first run only, a few minutes)`);
  execFileSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: dir, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
  });
  return path;
}

if (require.main === module) {
  const path = ensureTemporalCli();
  console.log(path ?? 'download');
}
