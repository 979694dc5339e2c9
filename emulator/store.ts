// Durable state: one JSON file, replaced atomically (write a temp file, then rename).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ClientTokenRecord, JobRecord, RedisInstance } from './model';

export interface PersistedState {
  format: 'dts-emulator-state/1';
  savedAt: string;
  jobs: JobRecord[];
  clientTokens: ClientTokenRecord[];
  instances: RedisInstance[];
}

export function loadState(file: string): PersistedState | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as PersistedState;
  if (parsed.format !== 'dts-emulator-state/1') throw new Error(`${file} is not a DTS emulator state file`);
  return parsed;
}

export function saveState(file: string, state: Omit<PersistedState, 'format' | 'savedAt'>): void {
  mkdirSync(dirname(file), { recursive: true });
  const body: PersistedState = { format: 'dts-emulator-state/1', savedAt: new Date().toISOString(), ...state };
  const tmp = `${file}.${process.pid}.tmp`;
  // Compact: at a thousand jobs an indented file takes twice as long to write.
  writeFileSync(tmp, JSON.stringify(body));
  renameSync(tmp, file);
}
