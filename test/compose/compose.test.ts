// docker-compose.yml, .env.example and the code stay in step, without Docker:
//  - the compose file is valid against the Compose Specification JSON schema (the copy that
//    the `dclint` npm package ships in schemas/compose.schema.json);
//  - every environment variable a process reads (found by scanning the source reachable
//    from its entry point) is passed to the compose service that runs it, and every
//    variable the code requires (no fallback) gets a value that cannot be empty;
//  - .env.example documents every variable the code and the compose file use;
//  - the namespace setup registers exactly the search attributes the workflows declare.
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { describe, it, expect } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

const root = resolve(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The processes docker-compose.yml runs from this repository's image. */
const PROCESSES = [
  { service: 'worker', entry: 'worker/main.ts' },
  { service: 'api', entry: 'api/main.ts' },
  { service: 'emulator', entry: 'emulator/main.ts' },
] as const;

/** Read by scripts/ but belonging to the OS or toolchain, not to this project. */
const NOT_PROJECT_VARIABLES = new Set(['XDG_CACHE_HOME', 'CGO_ENABLED', 'HOME', 'PATH', 'CI']);

/** Variables with a secret-like name that are not secrets. */
const NOT_SECRETS = new Set(['TEMPORAL_CODEC_PASS_ACCESS_TOKEN']);

interface EnvRead {
  name: string;
  /** Read through EnvReader.string/url without a fallback: the process fails without it. */
  required: boolean;
  file: string;
}

// ---- scanning the source -------------------------------------------------------------

const IMPORT = /(?:^|[;\s])(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;
const REQUIRE = /\brequire(?:\.resolve)?\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function resolveModule(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined; // JSON, assets, or a module outside TypeScript
}

/** Every .ts file reachable from `entry` through relative imports (type-only imports skipped). */
function importClosure(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [join(root, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const pattern of [IMPORT, REQUIRE]) {
      for (const match of source.matchAll(pattern)) {
        const target = resolveModule(file, match[1]!);
        if (target && !seen.has(target)) queue.push(target);
      }
    }
  }
  return [...seen].sort();
}

const ENV_READER_CALL = /\.(string|int|number|url|list|bool|optional)\(\s*(['"])([A-Z][A-Z0-9_]*)\2\s*(\)|,)/g;
const PROCESS_ENV = /process\.env(?:\.([A-Z][A-Z0-9_]*)|\[\s*(['"])([A-Z][A-Z0-9_]*)\2\s*\])/g;
const ENV_HELPER_CALL = /\b[A-Za-z_$]*[Ee]nv[A-Za-z_$]*\(\s*(['"])([A-Z][A-Z0-9_]*)\1/g;

function envReads(file: string): EnvRead[] {
  const source = readFileSync(file, 'utf8');
  const rel = relative(root, file);
  const reads: EnvRead[] = [];
  for (const m of source.matchAll(ENV_READER_CALL)) {
    reads.push({ name: m[3]!, required: (m[1] === 'string' || m[1] === 'url') && m[4] === ')', file: rel });
  }
  for (const m of source.matchAll(PROCESS_ENV)) reads.push({ name: (m[1] ?? m[3])!, required: false, file: rel });
  for (const m of source.matchAll(ENV_HELPER_CALL)) reads.push({ name: m[2]!, required: false, file: rel });
  return reads;
}

function tsFilesUnder(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.includes('node_modules'))
    .map((name) => join(abs, name));
}

function uniqueByName(reads: EnvRead[]): Map<string, EnvRead> {
  const byName = new Map<string, EnvRead>();
  for (const r of reads) {
    const known = byName.get(r.name);
    if (!known || (r.required && !known.required)) byName.set(r.name, r);
  }
  return byName;
}

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

/** Splits a compose value into literal text and `${...}` interpolations (nested ones included). */
function interpolations(value: string): { literal: string; vars: string[] } {
  const vars: string[] = [];
  let literal = '';
  for (let i = 0; i < value.length; i++) {
    if (value.startsWith('$$', i)) {
      literal += '$';
      i++;
    } else if (value.startsWith('${', i)) {
      let depth = 1;
      let j = i + 2;
      for (; j < value.length && depth > 0; j++) {
        if (value.startsWith('${', j)) depth++;
        else if (value[j] === '}') depth--;
      }
      vars.push(value.slice(i + 2, j - 1));
      i = j - 1;
    } else {
      literal += value[i];
    }
  }
  return { literal, vars };
}

/** True when the value, after interpolation, cannot be empty (or compose refuses to start). */
function neverEmpty(value: string): boolean {
  const { literal, vars } = interpolations(value);
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

/** Every variable name the compose file interpolates. */
function composeVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    const stack = [line];
    while (stack.length > 0) {
      for (const expr of interpolations(stack.pop()!).vars) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+](.*))?$/s.exec(expr);
        if (!m) continue;
        names.add(m[1]!);
        if (m[2]) stack.push(m[2]);
      }
    }
  }
  return names;
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
    for (const { service, entry } of PROCESSES) {
      const s = compose.services[service];
      expect(s, `service ${service}`).toBeDefined();
      expect(s!.build, `${service} builds the repository's Dockerfile`).toBeDefined();
      expect([s!.command].flat().join(' '), `${service} command`).toContain(entry);
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
      if (!oneShot.has(name) && !noHealthCheck.has(name)) expect(service.healthcheck, `${name} healthcheck`).toBeDefined();
      const deps = service.depends_on;
      if (deps === undefined) continue;
      expect(Array.isArray(deps), `${name} depends_on uses conditions`).toBe(false);
      for (const [dep, spec] of Object.entries(deps as Record<string, { condition?: string }>)) {
        expect(compose.services[dep], `${name} depends on a defined service ${dep}`).toBeDefined();
        const expected = oneShot.has(dep) ? 'service_completed_successfully' : 'service_healthy';
        expect(spec.condition, `${name} → ${dep}`).toBe(expected);
        if (expected === 'service_healthy') expect(compose.services[dep]!.healthcheck, `${dep} has the health check ${name} waits for`).toBeDefined();
      }
    }
  });

  it('commits no secret: secret-like variables come only from the environment', () => {
    const offenders: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of environmentOf(service)) {
        if (!/(SECRET|PASSWORD|PWD|TOKENS?|_KEYS)$/.test(key) || NOT_SECRETS.has(key)) continue;
        const { literal, vars } = interpolations(value);
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

describe('.env.example', () => {
  const example = read('.env.example');
  const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));

  it('documents every variable the code reads', () => {
    const files = new Set([
      ...PROCESSES.flatMap(({ entry }) => importClosure(entry)),
      ...tsFilesUnder('worker'),
      ...tsFilesUnder('api'),
      ...tsFilesUnder('shared'),
      ...tsFilesUnder('scripts'),
      join(root, 'emulator/main.ts'),
    ]);
    const reads = uniqueByName([...files].flatMap(envReads));
    const missing = [...reads.values()].filter((r) => !NOT_PROJECT_VARIABLES.has(r.name) && !documented.has(r.name)).map((r) => `${r.name} (${r.file})`);
    expect(missing).toEqual([]);
  });

  it('documents every variable docker-compose.yml interpolates', () => {
    const missing = [...composeVariables(composeText)].filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it('holds no value for a secret', () => {
    const filled = [...example.matchAll(/^([A-Z][A-Z0-9_]*(?:SECRET|PASSWORD|TOKENS|_KEYS))=(.+)$/gm)].map((m) => m[1]);
    expect(filled).toEqual([]);
  });
});

describe('Temporal namespace setup', () => {
  it('registers exactly the search attributes the workflows declare', () => {
    const script = read('deploy/temporal/setup-namespace.sh');
    const listed = /^SEARCH_ATTRIBUTES="([^"]*)"/m.exec(script)?.[1]?.split(/\s+/).filter(Boolean).sort();
    const cliType: Record<string, string> = { TEXT: 'Text', KEYWORD: 'Keyword', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime', KEYWORD_LIST: 'KeywordList' };
    const declared = SEARCH_ATTRIBUTES.map((key) => `${key.name}:${cliType[key.type]}`).sort();
    expect(listed).toEqual(declared);
  });
});
