import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// docker-compose.yml is the one description of the production topology: `npm run prod-local` takes each
// service's environment, images and mounted files from it, interpolated like `docker compose` does.

const ROOT = join(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  environment?: Record<string, string | number | boolean | null>;
  volumes?: string[];
  entrypoint?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

export function readCompose(path = join(ROOT, 'docker-compose.yml')): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/** A compose value as literal text (`$$` read as `$`) and the `${...}` expressions in it (nested ones inside theirs). */
export function interpolations(value: string): ({ literal: string } | { expr: string })[] {
  const parts: ({ literal: string } | { expr: string })[] = [];
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
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ expr: value.slice(i + 2, j - 1) });
      i = j - 1;
    } else {
      literal += value[i];
    }
  }
  if (literal) parts.push({ literal });
  return parts;
}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, nested; `$$` is `$`. */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return interpolations(value)
    .map((part) => ('literal' in part ? part.literal : resolve(part.expr, vars)))
    .join('');
}

function resolve(expr: string, vars: Record<string, string | undefined>): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([\s\S]*))?$/.exec(expr);
  if (!m) throw new Error(`docker-compose.yml: cannot interpolate \${${expr}}`);
  const [, name, colon, op, rest = ''] = m;
  const value = vars[name!];
  const missing = value === undefined || (colon === ':' && value === '');
  if (!op || !missing) return value ?? '';
  if (op === '-') return interpolate(rest, vars);
  throw new Error(`${name} is required: ${interpolate(rest, vars)}`);
}

/** A service's environment as compose would hand it to the container. */
export function serviceEnv(compose: ComposeFile, service: string, vars: Record<string, string | undefined>) {
  const raw = compose.services[service]?.environment;
  if (!raw) throw new Error(`docker-compose.yml has no environment for service ${service}`);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) env[key] = value === null ? '' : interpolate(String(value), vars);
  return env;
}

/** The image tag of a service, e.g. 1.29.1 for temporalio/server:${TEMPORAL_VERSION:-1.29.1}. */
export function imageTag(compose: ComposeFile, service: string, vars: Record<string, string | undefined>): string {
  const image = compose.services[service]?.image;
  if (!image) throw new Error(`docker-compose.yml has no image for service ${service}`);
  return interpolate(image, vars).split(':').pop()!;
}

/** The repository file mounted at `target` in a service (e.g. a script or the dynamic config). */
export function mountedFile(compose: ComposeFile, service: string, target: string): string {
  for (const volume of compose.services[service]?.volumes ?? []) {
    const [source, mountedAt] = volume.split(':');
    if (mountedAt === target && source?.startsWith('./')) return join(ROOT, source);
  }
  throw new Error(`docker-compose.yml: service ${service} mounts nothing from the repository at ${target}`);
}

/** The repository script a one-shot service runs (its entrypoint's last argument, a mounted file). */
export function entrypointScript(compose: ComposeFile, service: string): string {
  const target = compose.services[service]?.entrypoint?.at(-1);
  if (!target) throw new Error(`docker-compose.yml: service ${service} has no entrypoint`);
  return mountedFile(compose, service, target);
}
