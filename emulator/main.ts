// Standalone entry: `npm run emulator`. Configuration comes from EMULATOR_* environment variables.
import { startEmulator } from './index';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_PORT } from './options';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const accessKeyId = process.env.EMULATOR_ACCESS_KEY_ID || DEFAULT_ACCESS_KEY_ID;
  const accessKeySecret = process.env.EMULATOR_ACCESS_KEY_SECRET || DEFAULT_ACCESS_KEY_SECRET;
  const emulator = await startEmulator({
    port: numberFromEnv('EMULATOR_PORT', DEFAULT_PORT),
    host: process.env.EMULATOR_HOST || '127.0.0.1',
    accessKeys: { [accessKeyId]: accessKeySecret },
    stateFile: process.env.EMULATOR_STATE_FILE || undefined,
    timeScale: numberFromEnv('EMULATOR_TIME_SCALE', 1),
    instancesFile: process.env.EMULATOR_INSTANCES_FILE || `${__dirname}/demo-instances.json`,
    allowLegacyVersion: process.env.EMULATOR_ALLOW_LEGACY_VERSION === 'true',
    admin: process.env.EMULATOR_ADMIN !== 'false',
  });
  process.stdout.write(`[dts-emulator] listening on ${emulator.url} (AccessKeyId ${accessKeyId})\n`);

  const shutdown = (signal: string) => {
    process.stdout.write(`[dts-emulator] ${signal}: closing\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`[dts-emulator] failed to start: ${String(error)}\n`);
  process.exit(1);
});
