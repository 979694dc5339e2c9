// Which environment variables the code reads, found by scanning the source (no process runs).
// Shared by test/config/env-docs.test.ts (.env.example) and test/compose/compose.test.ts (compose).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { EnvReader } from '../../common/env';

export const root = resolve(__dirname, '..', '..');
export const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The folders of code that runs outside tests: what an operator or developer configures. */
export const SOURCE_DIRS = ['workflows', 'activities', 'worker', 'api', 'emulator', 'common', 'scripts'] as const;

/** Read by scripts/ but belonging to the OS or toolchain, not to this project. */
export const NOT_PROJECT_VARIABLES = new Set(['XDG_CACHE_HOME', 'CGO_ENABLED', 'HOME', 'PATH', 'CI']);

export interface EnvRead {
  name: string;
  /** Read through EnvReader.string/url without a fallback: the process fails without it. */
  required: boolean;
  file: string;
}

// Every EnvReader method whose first argument is a variable name (a new reader counts at once).
const READER_METHODS = Object.getOwnPropertyNames(EnvReader.prototype).filter(
  (name) => !['constructor', 'problem', 'done'].includes(name),
);
const ENV_READER_CALL = new RegExp(`\\.(${READER_METHODS.join('|')})\\(\\s*(['"])([A-Z][A-Z0-9_]*)\\2\\s*(\\)|,)`, 'g');
const PROCESS_ENV = /process\.env(?:\.([A-Z][A-Z0-9_]*)|\[\s*(['"])([A-Z][A-Z0-9_]*)\2\s*\])/g;
// `env.X` on an environment object passed around (scripts/temporal.ts, scripts/stack.ts).
const ENV_PROPERTY = /\benv\??\.([A-Z][A-Z0-9_]*)\b/g;
// Local helpers such as emulator/main.ts's `envFlag('EMULATOR_ADMIN')`.
const ENV_HELPER_CALL = /\b[A-Za-z_$]*[Ee]nv[A-Za-z_$]*\(\s*(['"])([A-Z][A-Z0-9_]*)\1/g;
// Keys of an object of defaults that scripts/local-env.ts overlays with process.env[key].
const DEFAULTS_KEY = /^\s+([A-Z][A-Z0-9_]*):/gm;

export function envReads(file: string): EnvRead[] {
  const source = readFileSync(file, 'utf8');
  const rel = relative(root, file);
  const reads: EnvRead[] = [];
  for (const m of source.matchAll(ENV_READER_CALL)) {
    reads.push({ name: m[3]!, required: (m[1] === 'string' || m[1] === 'url') && m[4] === ')', file: rel });
  }
  for (const m of source.matchAll(PROCESS_ENV)) reads.push({ name: (m[1] ?? m[3])!, required: false, file: rel });
  for (const m of source.matchAll(ENV_PROPERTY)) reads.push({ name: m[1]!, required: false, file: rel });
  for (const m of source.matchAll(ENV_HELPER_CALL)) reads.push({ name: m[2]!, required: false, file: rel });
  if (rel === 'scripts/local-env.ts' && /process\.env\[key\]/.test(source)) {
    for (const m of source.matchAll(DEFAULTS_KEY)) reads.push({ name: m[1]!, required: false, file: rel });
  }
  return reads;
}

export function uniqueByName(reads: EnvRead[]): Map<string, EnvRead> {
  const byName = new Map<string, EnvRead>();
  for (const r of reads) {
    const known = byName.get(r.name);
    if (!known || (r.required && !known.required)) byName.set(r.name, r);
  }
  return byName;
}

export function sourceFilesUnder(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(ts|cjs)$/.test(name) && !name.endsWith('.d.ts') && !name.includes('node_modules'))
    .map((name) => join(abs, name));
}

/** Every variable read anywhere in the code outside tests. */
export function projectEnvReads(): Map<string, EnvRead> {
  const reads = uniqueByName(SOURCE_DIRS.flatMap(sourceFilesUnder).flatMap(envReads));
  for (const name of NOT_PROJECT_VARIABLES) reads.delete(name);
  return reads;
}

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
export function importClosure(entry: string): string[] {
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

/** Variables .env.example documents: `NAME=` lines, commented out or not. */
export function documentedVariables(): Set<string> {
  return new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
}
