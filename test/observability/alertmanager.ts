import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** amtool or alertmanager from ALERTMANAGER_DIR, where .ci/install-alertmanager.sh puts them, or PATH. */
export function findAlertmanager(name: 'amtool' | 'alertmanager'): string | undefined {
  const candidates = [
    join(process.env.ALERTMANAGER_DIR ?? join(homedir(), '.cache/redis-dts-sync/alertmanager'), name),
    spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim() || undefined,
  ];
  return candidates.find((path): path is string => !!path && existsSync(path));
}
