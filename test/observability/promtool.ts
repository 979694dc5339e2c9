import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** promtool (or prometheus) from PROMTOOL, PATH, or where .ci/install-promtool.sh puts it; undefined if none. */
export function findPromtool(name: 'promtool' | 'prometheus' = 'promtool'): string | undefined {
  const candidates = [
    name === 'promtool' ? process.env.PROMTOOL : undefined,
    join(process.env.PROMTOOL_DIR ?? join(homedir(), '.cache/redis-dts-sync/promtool'), name),
    spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim() || undefined,
  ];
  return candidates.find((path): path is string => !!path && existsSync(path));
}

/** Runs promtool; answers its output, or throws with it. */
export function promtool(binary: string, args: string[], cwd: string): string {
  try {
    return execFileSync(binary, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}
