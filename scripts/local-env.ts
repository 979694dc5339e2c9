import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../emulator/options';

/**
 * Environment of the local stack: the user's own variables win; a local API token is
 * generated once into .data/ so no secret is committed.
 */
export function localEnv(dataDir: string): Record<string, string> & {
  TEMPORAL_ADDRESS: string;
  API_PORT: string;
  TEMPORAL_UI_PORT: string;
  DTS_ENDPOINT: string;
  API_TOKENS?: string;
  CODEC_ENDPOINT?: string;
} {
  const emulatorPort = process.env.EMULATOR_PORT ?? '8780';
  const apiPort = process.env.API_PORT ?? '3000';
  const defaults: Record<string, string> = {
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_UI_PORT: '8233',
    // The demo's progress line stays readable; the Temporal UI tells the full story.
    LOG_LEVEL: 'warn',
    API_PORT: apiPort,
    API_HOST: '127.0.0.1',
    API_TOKENS: secretFile(join(dataDir, 'api-token'), () => randomBytes(24).toString('base64url')),
    EMULATOR_PORT: emulatorPort,
    EMULATOR_STATE_FILE: join(dataDir, 'emulator-state.json'),
    EMULATOR_INSTANCES_FILE: join(__dirname, '..', 'emulator', 'demo-instances.json'),
    EMULATOR_REDIS_DATA_DIR: join(dataDir, 'redis'),
    DTS_ENDPOINT: `http://127.0.0.1:${emulatorPort}`,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    EMULATOR_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    EMULATOR_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    PAYLOAD_KEYS: `local:${secretFile(join(dataDir, 'payload-key'), () => randomBytes(32).toString('base64'))}`,
    PAYLOAD_KEY_ID: 'local',
    CODEC_ENDPOINT: `http://127.0.0.1:${apiPort}/codec`,
    // The dev UI has no login; everything here listens on loopback only.
    CODEC_REQUIRE_TOKEN: 'false',
    CODEC_CORS_ORIGINS: 'http://127.0.0.1:8233,http://localhost:8233',
  };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(defaults)) env[key] = process.env[key] ?? value;
  return env as ReturnType<typeof localEnv>;
}

function secretFile(path: string, make: () => string): string {
  if (!existsSync(path)) writeFileSync(path, `${make()}\n`, { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}
