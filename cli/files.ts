import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { CliError, EXIT } from './exit-codes';

/** A sync as written in a file: the API's request body, each password a reference to where it is kept. */
export type SetupEntry = Record<string, unknown> & {
  name?: unknown;
  source?: Record<string, unknown>;
  destination?: Record<string, unknown>;
};

/** Sent by `plan` in place of a password: passwords are never compared, so a plan needs none. */
const PLAN_PLACEHOLDER = 'not-read-by-plan';

/** A YAML (or JSON) file as data; a syntax error names the line. */
export function readYamlFile(path: string): unknown {
  let text: string;
  try {
    text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`, EXIT.usage);
  }
  try {
    return parse(text, { prettyErrors: true });
  } catch (err) {
    throw new CliError(`${path}: not valid YAML: ${(err as Error).message}`, EXIT.usage);
  }
}

/** One sync file (`create`, `preflight`, `adopt`): its body with the passwords read from where they are kept. */
export function readSetupFile(path: string): Record<string, unknown> {
  const value = readYamlFile(path);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CliError(`${path}: expected one sync (name, topology, region, source, destination, …)`, EXIT.usage);
  const { body, problems } = withSecrets(value as SetupEntry, '', baseDir(path), 'read');
  if (problems.length > 0) throw new CliError(problems.map((p) => `${path}: ${p}`).join('\n'), EXIT.usage);
  return body;
}

export function baseDir(path: string): string {
  return path === '-' ? process.cwd() : dirname(resolve(path));
}

/**
 * The entry with each endpoint's password resolved: `{ fromEnv: NAME }` or `{ fromFile: PATH }` (relative to the
 * file). A password written in the file is refused: files are reviewed and committed, secrets are not. With
 * `placeholder`, the references are only checked (a plan sends no secret); what cannot be read is reported.
 */
export function withSecrets(
  entry: SetupEntry,
  at: string,
  dir: string,
  mode: 'read' | 'placeholder',
): { body: Record<string, unknown>; problems: string[]; unreadable: string[] } {
  const body: Record<string, unknown> = { ...entry };
  const problems: string[] = [];
  const unreadable: string[] = [];
  for (const side of ['source', 'destination'] as const) {
    const endpoint = entry[side];
    if (typeof endpoint !== 'object' || endpoint === null || Array.isArray(endpoint)) continue;
    const field = `${at}/${side}/password`;
    const reference = endpoint.password;
    if (reference === undefined) continue; // the API names the missing field
    const secret = readSecret(reference, field, dir);
    if ('problem' in secret) {
      if (secret.unreadable && mode === 'placeholder') unreadable.push(secret.problem);
      else problems.push(secret.problem);
    }
    const password = mode === 'placeholder' ? PLAN_PLACEHOLDER : 'value' in secret ? secret.value : undefined;
    body[side] = { ...endpoint, password };
  }
  return { body, problems, unreadable };
}

function readSecret(
  reference: unknown,
  field: string,
  dir: string,
): { value: string } | { problem: string; unreadable?: boolean } {
  if (typeof reference === 'string')
    return {
      problem: `${field}: a password is never written in the file; write { fromEnv: NAME } or { fromFile: PATH }`,
    };
  const ref = reference as { fromEnv?: unknown; fromFile?: unknown };
  const keys = typeof reference === 'object' && reference !== null ? Object.keys(reference) : [];
  if (keys.length !== 1 || (typeof ref.fromEnv !== 'string' && typeof ref.fromFile !== 'string'))
    return { problem: `${field}: must be { fromEnv: NAME } or { fromFile: PATH }` };
  if (typeof ref.fromEnv === 'string') {
    const value = process.env[ref.fromEnv];
    if (!value) return { problem: `${field}: environment variable ${ref.fromEnv} is not set`, unreadable: true };
    return { value };
  }
  const path = resolve(dir, ref.fromFile as string);
  try {
    const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    if (!value) return { problem: `${field}: file ${ref.fromFile as string} is empty`, unreadable: true };
    return { value };
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unreadable';
    return { problem: `${field}: cannot read file ${ref.fromFile as string} (${code})`, unreadable: true };
  }
}
