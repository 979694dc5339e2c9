import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  entrypointScript,
  imageTag,
  interpolate,
  mountedFile,
  readCompose,
  serviceEnv,
} from '../../scripts/prod-local/compose';
import { temporalServerBuild } from '../../scripts/prod-local/temporal-server';
import { TEMPORAL_CLI_VERSION, temporalCliPath } from '../../scripts/temporal-cli';

// `npm run prod-local` and docker-compose.yml describe one topology: the script takes its versions,
// environment and setup scripts from the compose file, and these checks keep the two in step (fast; the
// topology itself runs in prod-local.int.test.ts with PROD_LOCAL=1).
const root = join(__dirname, '..', '..');
const compose = readCompose();
const template = readFileSync(join(root, 'deploy/temporal/prod-local.yaml'), 'utf8');
/** Set by scripts/prod-local/topology.ts on top of the compose environment (ports of this machine, and the
 * certificates of `--tls`). */
const PORT_VARS = [
  'TLS_CA_FILE',
  'TLS_SERVER_CERT_FILE',
  'TLS_SERVER_KEY_FILE',
  'FRONTEND_GRPC_PORT',
  'FRONTEND_HTTP_PORT',
  'FRONTEND_MEMBERSHIP_PORT',
  'HISTORY_GRPC_PORT',
  'HISTORY_MEMBERSHIP_PORT',
  'MATCHING_GRPC_PORT',
  'MATCHING_MEMBERSHIP_PORT',
  'WORKER_GRPC_PORT',
  'WORKER_MEMBERSHIP_PORT',
];

describe('npm run prod-local and docker-compose.yml', () => {
  it('build the Temporal server the pinned CLI embeds, at the version compose runs', () => {
    const version = imageTag(compose, 'temporal', {});
    expect(imageTag(compose, 'temporal-schema', {}), 'admin-tools (temporal-sql-tool) matches the server').toBe(
      version,
    );
    expect(imageTag(compose, 'temporal-namespace', {})).toBe(version);
    expect(temporalServerBuild(version).dir).toContain(`temporal-server-v${version}`);
  });

  // The global setup builds the pinned CLI when Go is there; it reports the server and UI it embeds.
  it.skipIf(!existsSync(temporalCliPath()))('match the server and UI of the pinned CLI', () => {
    const version = imageTag(compose, 'temporal', {});
    const cli = execFileSync(temporalCliPath(), ['--version'], { encoding: 'utf8' });
    expect(cli, `CLI ${TEMPORAL_CLI_VERSION}`).toContain(`Server ${version}`);
    expect(cli).toContain(`UI ${imageTag(compose, 'temporal-ui', {})}`);
  });

  it("configure the server only from the compose `temporal` service environment (plus this machine's ports and certificates)", () => {
    const read = [...template.matchAll(/env "([A-Z0-9_]+)"/g)].map((m) => m[1]!);
    const given = new Set([...Object.keys(compose.services.temporal!.environment ?? {}), ...PORT_VARS]);
    expect(read.filter((name) => !given.has(name))).toEqual([]);
    expect(template.split('\n').slice(0, 3).join('\n')).toContain('enable-template');
  });

  it('put both stores on PostgreSQL (postgres12), with the databases the schema one-shot creates', () => {
    const vars = { POSTGRES_PASSWORD: 'x' };
    const temporal = serviceEnv(compose, 'temporal', vars);
    const schema = serviceEnv(compose, 'temporal-schema', vars);
    expect(temporal.DB).toBe('postgres12');
    expect(schema.SQL_PLUGIN).toBe(temporal.DB);
    expect(schema.TEMPORAL_DBNAME).toBe(temporal.DBNAME);
    expect(schema.TEMPORAL_VISIBILITY_DBNAME).toBe(temporal.VISIBILITY_DBNAME);
    expect(schema.SQL_USER).toBe(temporal.POSTGRES_USER);
    expect(serviceEnv(compose, 'postgresql', vars).POSTGRES_USER).toBe(temporal.POSTGRES_USER);
    expect(template).toMatch(/visibilityStore: visibility/);
  });

  it("run the compose one-shots' own scripts and mount the same dynamic config", () => {
    expect(entrypointScript(compose, 'temporal-schema')).toBe(join(root, 'deploy/temporal/setup-schema.sh'));
    expect(entrypointScript(compose, 'temporal-namespace')).toBe(join(root, 'deploy/temporal/setup-namespace.sh'));
    const dynamic = serviceEnv(compose, 'temporal', { POSTGRES_PASSWORD: 'x' }).DYNAMIC_CONFIG_FILE_PATH!;
    expect(mountedFile(compose, 'temporal', dynamic)).toBe(join(root, 'deploy/temporal/dynamicconfig.yaml'));
  });

  it('interpolate variables the way compose does', () => {
    expect(interpolate('${A:-x}/${B-y}/$${C}', { A: '', B: '' })).toBe('x//${C}');
    expect(interpolate('${A:-${B:-z}}', {})).toBe('z');
    expect(() => interpolate('${A:?set A}', { A: '' })).toThrow('A is required: set A');
    expect(interpolate('${A?set A}', { A: '' })).toBe('');
  });

  const build = temporalServerBuild(imageTag(compose, 'temporal', {}));
  it.skipIf(!existsSync(build.server))(
    'renders a config the built server accepts: PostgreSQL stores, loopback ports',
    () => {
      const env = {
        PATH: process.env.PATH ?? '',
        ...serviceEnv(compose, 'temporal', { POSTGRES_PASSWORD: 'not-a-secret' }),
        POSTGRES_SEEDS: '127.0.0.1',
        BIND_ON_IP: '127.0.0.1',
        FRONTEND_GRPC_PORT: '17233',
      };
      const out = execFileSync(
        build.server,
        ['--root', root, '--config', 'deploy/temporal', '--env', 'prod-local', 'render-config'],
        { env, encoding: 'utf8' },
      );
      const config = parse(out) as {
        persistence: { datastores: Record<string, { sql: { pluginName: string; databaseName: string } }> };
      };
      expect(config.persistence.datastores.default!.sql).toMatchObject({
        pluginName: 'postgres12',
        databaseName: 'temporal',
      });
      expect(config.persistence.datastores.visibility!.sql).toMatchObject({
        pluginName: 'postgres12',
        databaseName: 'temporal_visibility',
      });
      expect(out).toContain('17233');
      expect(out).not.toContain('not-a-secret');
    },
  );
});
