import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// PostgreSQL from Debian's packages, in a data directory of ours, run by an unprivileged user.

export interface PostgresInstall {
  bin: string;
  version: string;
}

/** The newest installed server (Debian puts them under /usr/lib/postgresql/<major>/bin). */
export function findPostgres(): PostgresInstall | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  if (majors.length === 0) return undefined;
  const bin = join(base, majors[0]!, 'bin');
  const version = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' })
    .trim()
    .replace(/^postgres \(PostgreSQL\) /, '');
  return { bin, version };
}

/** Like .ci/install-postgres.sh: `apt-get install postgresql` when no server is installed. */
export function ensurePostgres(log: (line: string) => void): PostgresInstall {
  const found = findPostgres();
  if (found) return found;
  log("postgresql: not installed; installing Debian's postgresql package (apt-get)");
  execFileSync('bash', [join(__dirname, '..', '..', '.ci', 'install-postgres.sh')], { stdio: 'inherit' });
  const installed = findPostgres();
  if (!installed)
    throw new Error('postgresql: apt-get install postgresql did not provide /usr/lib/postgresql/*/bin/postgres');
  return installed;
}

/**
 * PostgreSQL refuses to run as root. As root we run it as the `postgres` user the Debian package creates
 * (setpriv execs, so signals reach the server itself); as anyone else, as ourselves.
 */
export function asPostgresUser(command: string, args: string[]): { command: string; args: string[]; uid?: number } {
  if (process.getuid?.() !== 0) return { command, args };
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  return {
    command: 'setpriv',
    args: ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args],
    uid,
  };
}

/** initdb once: a superuser named like compose's POSTGRES_USER with its password, scram over TCP. */
export function initDataDir(
  pg: PostgresInstall,
  dataDir: string,
  user: string,
  password: string,
  log: (line: string) => void,
): void {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwFile = join(dirname(dataDir), '.postgres-initdb-password');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  try {
    const run = asPostgresUser(join(pg.bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      user,
      `--pwfile=${pwFile}`,
      '--auth-local=scram-sha-256',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    if (run.uid !== undefined) {
      chownSync(dataDir, run.uid, -1);
      chownSync(pwFile, run.uid, -1);
      chmodSync(dataDir, 0o700);
      const denied = !canReach(run.uid, dataDir);
      if (denied)
        throw new Error(
          `postgresql: user postgres cannot reach ${dataDir}; use --data-dir under a world-traversable path`,
        );
    }
    log(`postgresql: initdb ${dataDir}`);
    execFileSync(run.command, run.args, { stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(pwFile, { force: true });
  }
}

function canReach(uid: number, dir: string): boolean {
  try {
    execFileSync('setpriv', [`--reuid=${uid}`, '--regid=postgres', '--init-groups', '--', 'test', '-w', dir]);
    return true;
  } catch {
    return false;
  }
}

/** The server command line: loopback TCP only, no Unix socket (nothing else of ours is touched). */
export function postgresCommand(pg: PostgresInstall, dataDir: string, port: number) {
  return asPostgresUser(join(pg.bin, 'postgres'), [
    '-D',
    dataDir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `port=${port}`,
    '-c',
    'unix_socket_directories=',
  ]);
}
