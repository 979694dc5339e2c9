// Standalone entry: `npm run emulator`. Configuration comes from EMULATOR_* environment variables.
import { EnvReader } from '../common/env';
import { DialectError, parseDialect } from './dialect';
import { startEmulator } from './index';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_PORT } from './options';
import { loadRamPolicy, RamPolicyError, SHIPPED_RAM_POLICY } from './ram';

function redisMode(value: string, env: EnvReader): boolean | 'auto' {
  if (value === 'auto') return 'auto';
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  env.problem('EMULATOR_REDIS: must be auto, true or false');
  return false;
}

async function main(): Promise<void> {
  const env = new EnvReader(process.env);
  const accessKeyId = env.string('EMULATOR_ACCESS_KEY_ID', DEFAULT_ACCESS_KEY_ID);
  const accessKeySecret = env.string('EMULATOR_ACCESS_KEY_SECRET', DEFAULT_ACCESS_KEY_SECRET);
  const dialectText = env.optional('EMULATOR_DIALECT');
  let dialect = parseDialect(undefined);
  try {
    dialect = parseDialect(dialectText);
  } catch (error) {
    if (!(error instanceof DialectError)) throw error;
    env.problem(`EMULATOR_DIALECT: ${error.message}`);
  }
  const ramPolicy = env.string('EMULATOR_RAM_POLICY', SHIPPED_RAM_POLICY);
  try {
    loadRamPolicy(ramPolicy);
  } catch (error) {
    if (!(error instanceof RamPolicyError)) throw error;
    env.problem(`EMULATOR_RAM_POLICY: ${error.message}`);
  }
  const options = {
    port: env.int('EMULATOR_PORT', DEFAULT_PORT, { max: 65535 }),
    host: env.string('EMULATOR_HOST', '127.0.0.1'),
    accessKeys: { [accessKeyId]: accessKeySecret },
    stateFile: env.optional('EMULATOR_STATE_FILE'),
    timeScale: env.number('EMULATOR_TIME_SCALE', 1, { min: Number.MIN_VALUE }),
    instancesFile: env.string('EMULATOR_INSTANCES_FILE', `${__dirname}/demo-instances.json`),
    allowLegacyVersion: env.bool('EMULATOR_ALLOW_LEGACY_VERSION', false),
    admin: env.bool('EMULATOR_ADMIN', true),
    dialect,
    ramPolicy,
    redis: redisMode(env.string('EMULATOR_REDIS', 'auto'), env),
    redisDataDir: env.optional('EMULATOR_REDIS_DATA_DIR'),
  };
  env.done();
  const emulator = await startEmulator(options);
  const servers = emulator.redisServers();
  process.stdout.write(
    servers.length > 0
      ? `[dts-emulator] ${servers.length} instances on real redis-server: ${servers.map((s) => `${s.instanceId} at ${s.host}:${s.port}`).join(', ')}\n`
      : "[dts-emulator] no redis-server (install Debian's redis-server package): instances hold no data\n",
  );
  const switches = Object.entries(dialect)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  process.stdout.write(
    `[dts-emulator] listening on ${emulator.url} (AccessKeyId ${accessKeyId}; dialect ${switches}; RAM policy ${ramPolicy})\n`,
  );

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
  process.stderr.write(`[dts-emulator] failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
