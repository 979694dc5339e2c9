// docker-compose.yml and the code stay in step, without Docker (.env.example: test/config/env-docs.test.ts):
//  - the compose file is valid against the Compose Specification JSON schema (the copy that
//    the `dclint` npm package ships in schemas/compose.schema.json);
//  - every environment variable a process reads (found by scanning the source reachable
//    from its entry point) is passed to the compose service that runs it, and every
//    variable the code requires (no fallback) gets a value that cannot be empty;
//  - the namespace setup registers exactly the search attributes the workflows declare.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { describe, it, expect } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../../core/search-attributes';
import { envReads, importClosure, read, root, uniqueByName } from '../support/env-scan';
import { interpolations } from '../../scripts/prod-local/compose';

/** The processes docker-compose.yml runs from this repository's image. */
const PROCESSES = [
  // The worker runs the JavaScript scripts/build.ts compiles from worker/main.ts.
  { service: 'worker', command: 'dist/worker/main.js', entry: 'worker/main.ts' },
  { service: 'api', command: 'api/main.ts', entry: 'api/main.ts' },
  { service: 'emulator', command: 'emulator/main.ts', entry: 'emulator/main.ts' },
] as const;

/** Variables with a secret-like name that are not secrets. */
const NOT_SECRETS = new Set(['TEMPORAL_CODEC_PASS_ACCESS_TOKEN']);

// ---- reading the compose file --------------------------------------------------------

type Service = {
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  [key: string]: unknown;
};
interface ComposeFile {
  services: Record<string, Service>;
  [key: string]: unknown;
}

const composeText = read('docker-compose.yml');
// Compose resolves YAML merge keys (`<<: *anchor`) while loading, before validation.
const compose = parse(composeText, { merge: true }) as ComposeFile;

function environmentOf(service: Service): Map<string, string> {
  const env = new Map<string, string>();
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const eq = entry.indexOf('=');
      env.set(eq < 0 ? entry : entry.slice(0, eq), eq < 0 ? '' : entry.slice(eq + 1));
    }
  } else {
    for (const [key, value] of Object.entries(raw)) env.set(key, value === null ? '' : String(value));
  }
  return env;
}

/** A compose value's literal text and its `${...}` interpolations (the parser prod-local uses). */
function literalAndVars(value: string): { literal: string; vars: string[] } {
  const parts = interpolations(value);
  return {
    literal: parts.map((p) => ('literal' in p ? p.literal : '')).join(''),
    vars: parts.flatMap((p) => ('expr' in p ? [p.expr] : [])),
  };
}

/** True when the value, after interpolation, cannot be empty (or compose refuses to start). */
function neverEmpty(value: string): boolean {
  const { literal, vars } = literalAndVars(value);
  if (literal.trim() !== '') return true;
  return vars.some((expr) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::?([-?+])(.*))?$/s.exec(expr);
    if (!m) return false;
    const [, , op, rest = ''] = m;
    if (op === '?') return expr.includes(':?'); // ${X:?msg} rejects unset and empty; ${X?msg} only unset
    if (op === '-') return expr.includes(':-') && neverEmpty(rest);
    return false;
  });
}

// ---- the checks ----------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const requireFromRoot = createRequire(join(root, 'package.json'));
    const schemaPath = join(dirname(requireFromRoot.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
    expect(schema.title).toBe('Compose Specification');
    delete schema.$schema; // "https://json-schema.org/draft-07/schema": Ajv's default draft-07, spelled differently
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors, { separator: '\n' })).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs each process from the image with its entry point', () => {
    for (const { service, command } of PROCESSES) {
      const s = compose.services[service];
      expect(s, `service ${service}`).toBeDefined();
      expect(s!.build, `${service} builds the repository's Dockerfile`).toBeDefined();
      expect([s!.command].flat().join(' '), `${service} command`).toContain(command);
    }
  });

  it('lets the worker scale and keeps the emulator behind its profile', () => {
    const worker = compose.services.worker!;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(compose.services.emulator!.profiles).toEqual(['emulator']);
    for (const [name, service] of Object.entries(compose.services)) {
      if (name !== 'emulator') expect(service.profiles, `${name} runs without a profile`).toBeUndefined();
    }
  });

  it('gives long-running services a health check, restart policy and conditional dependencies', () => {
    const oneShot = new Set(['temporal-schema', 'temporal-namespace']);
    const noHealthCheck = new Set(['worker']); // serves no endpoint yet (see the comment in the file)
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.restart, `${name} restart`).toBe(oneShot.has(name) ? 'no' : 'unless-stopped');
      if (!oneShot.has(name) && !noHealthCheck.has(name))
        expect(service.healthcheck, `${name} healthcheck`).toBeDefined();
      const deps = service.depends_on;
      if (deps === undefined) continue;
      expect(Array.isArray(deps), `${name} depends_on uses conditions`).toBe(false);
      for (const [dep, spec] of Object.entries(deps as Record<string, { condition?: string }>)) {
        expect(compose.services[dep], `${name} depends on a defined service ${dep}`).toBeDefined();
        const expected = oneShot.has(dep) ? 'service_completed_successfully' : 'service_healthy';
        expect(spec.condition, `${name} → ${dep}`).toBe(expected);
        if (expected === 'service_healthy')
          expect(compose.services[dep]!.healthcheck, `${dep} has the health check ${name} waits for`).toBeDefined();
      }
    }
  });

  it('commits no secret: secret-like variables come only from the environment', () => {
    const offenders: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of environmentOf(service)) {
        if (!/(SECRET|PASSWORD|PWD|TOKENS?|_KEYS)$/.test(key) || NOT_SECRETS.has(key)) continue;
        const { literal, vars } = literalAndVars(value);
        const hasDefault = vars.some((expr) => /^[A-Za-z0-9_]+:?-./s.test(expr));
        if (literal.trim() !== '' || hasDefault) offenders.push(`${name}.${key}=${value}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  describe.each(PROCESSES)('$service reads only variables compose passes to it', ({ service, entry }) => {
    const files = importClosure(entry);
    const reads = uniqueByName(files.flatMap(envReads));
    const env = environmentOf(compose.services[service] ?? {});

    it('finds the variables it reads', () => {
      expect(files.length).toBeGreaterThan(0);
      expect(reads.size).toBeGreaterThan(0);
    });

    it('passes every variable the process reads', () => {
      const missing = [...reads.values()].filter((r) => !env.has(r.name)).map((r) => `${r.name} (${r.file})`);
      expect(missing, `add to services.${service}.environment in docker-compose.yml`).toEqual([]);
    });

    it('sets every required variable to a value that cannot be empty', () => {
      const unset = [...reads.values()]
        .filter((r) => r.required && !(env.has(r.name) && neverEmpty(env.get(r.name)!)))
        .map((r) => `${r.name} (${r.file})`);
      expect(unset, 'use a value or ${VAR:?message}').toEqual([]);
    });
  });
});

describe('Temporal namespace setup', () => {
  it('registers exactly the search attributes the workflows declare', () => {
    const script = read('deploy/temporal/setup-namespace.sh');
    const listed = /^SEARCH_ATTRIBUTES="([^"]*)"/m.exec(script)?.[1]?.split(/\s+/).filter(Boolean).sort();
    const cliType: Record<string, string> = {
      TEXT: 'Text',
      KEYWORD: 'Keyword',
      INT: 'Int',
      DOUBLE: 'Double',
      BOOL: 'Bool',
      DATETIME: 'Datetime',
      KEYWORD_LIST: 'KeywordList',
    };
    const declared = SEARCH_ATTRIBUTES.map((key) => `${key.name}:${cliType[key.type]}`).sort();
    expect(listed).toEqual(declared);
  });
});
