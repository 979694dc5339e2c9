import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { temporalCliDir } from '../temporal-cli';

// The Temporal server and temporal-sql-tool, built once with Go from the module proxy and cached next to
// the pinned CLI (outside the clone), with the PostgreSQL schema files the server module ships.

export interface TemporalServerBuild {
  dir: string;
  server: string;
  /** Holds `temporal-sql-tool`, the name deploy/temporal/setup-schema.sh calls it by. */
  binDir: string;
  /** schema/postgresql/v12 of the server module: TEMPORAL_SCHEMA_ROOT for setup-schema.sh. */
  schemaRoot: string;
}

export function temporalServerDir(version: string): string {
  return join(temporalCliDir(), '..', `temporal-server-v${version}`);
}

export function temporalServerBuild(version: string): TemporalServerBuild {
  const dir = temporalServerDir(version);
  return { dir, server: join(dir, 'server'), binDir: dir, schemaRoot: join(dir, 'schema', 'postgresql', 'v12') };
}

/** Builds into a temporary directory and renames it at the end, so a broken build is never reused. */
export function ensureTemporalServer(version: string, log: (line: string) => void): TemporalServerBuild {
  const build = temporalServerBuild(version);
  if (existsSync(build.schemaRoot)) return build;
  const tmp = `${build.dir}.building-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  log(`temporal server: building v${version} and temporal-sql-tool with Go into ${build.dir} (first run only)`);
  const env = { ...process.env, GOBIN: tmp, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' };
  const module = `go.temporal.io/server@v${version}`;
  execFileSync(
    'go',
    ['install', `go.temporal.io/server/cmd/server@v${version}`, `go.temporal.io/server/cmd/tools/sql@v${version}`],
    {
      stdio: 'inherit',
      env,
      cwd: tmp,
    },
  );
  const { Dir } = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', module], { env, cwd: tmp, encoding: 'utf8' }),
  ) as { Dir: string };
  cpSync(join(Dir, 'schema', 'postgresql'), join(tmp, 'schema', 'postgresql'), { recursive: true });
  symlinkSync('sql', join(tmp, 'temporal-sql-tool'));
  rmSync(build.dir, { recursive: true, force: true });
  renameSync(tmp, build.dir);
  log(`temporal server: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return build;
}
