// The configuration docs and the code agree, both ways, without running a process:
//  - .env.example documents every variable the code reads (test/support/env-scan.ts finds them);
//  - every variable .env.example documents is read by the code or used by docker-compose.yml;
//  - docker-compose.yml gives this repository's processes only variables they read;
//  - README's configuration table names only variables the code reads.
// A new variable: read it through common/env.ts (or process.env in scripts/), then add a
// `# NAME=default` line with its meaning to .env.example.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { documentedVariables, envReads, importClosure, projectEnvReads, read } from '../support/env-scan';

const documented = documentedVariables();
const codeReads = projectEnvReads();

const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as {
  services: Record<
    string,
    { build?: unknown; command?: string | string[]; environment?: Record<string, unknown> | string[] }
  >;
};

/** Every `${NAME...}` outside comments, nested defaults included. */
const composeVariables = new Set(
  composeText
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .flatMap((line) => [...line.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!)),
);

describe('.env.example', () => {
  it('documents every variable the code reads', () => {
    const missing = [...codeReads.values()].filter((r) => !documented.has(r.name)).map((r) => `${r.name} (${r.file})`);
    expect(missing, 'add a "# NAME=default" line with its meaning to .env.example').toEqual([]);
  });

  it('documents only variables the code reads or docker-compose.yml uses', () => {
    const unused = [...documented].filter((name) => !codeReads.has(name) && !composeVariables.has(name));
    expect(unused, 'remove them from .env.example (and docker-compose.yml)').toEqual([]);
  });

  it('documents every variable docker-compose.yml interpolates', () => {
    expect([...composeVariables].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('holds no value for a secret', () => {
    const filled = [...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*(?:SECRET|PASSWORD|TOKENS|_KEYS))=(.+)$/gm)];
    expect(filled.map((m) => m[1])).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  // The services that run this repository's image, each with its entry point (worker/main.ts, ...).
  const ours = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

  it.each(ours)('gives %s only variables its code reads', (name, service) => {
    // A .ts entry point, or the JavaScript scripts/build.ts compiles from one (dist/worker/main.js).
    const entry = [service.command]
      .flat()
      .map((arg) => arg?.replace(/^dist\/(.*)\.js$/, '$1.ts'))
      .find((arg) => arg?.endsWith('.ts'));
    expect(entry, `${name} runs a .ts entry point`).toBeDefined();
    const reads = new Set(
      importClosure(entry!)
        .flatMap(envReads)
        .map((r) => r.name),
    );
    const raw = service.environment ?? {};
    const given = Array.isArray(raw) ? raw.map((entry) => entry.split('=')[0]!) : Object.keys(raw);
    expect(
      given.filter((variable) => !reads.has(variable)),
      `remove from services.${name}.environment`,
    ).toEqual([]);
  });
});

describe('README.md', () => {
  it('lists only variables the code reads in its configuration table', () => {
    const table = /## Configuration\n([\s\S]*?)\n## /.exec(read('README.md'))?.[1] ?? '';
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(0);
    const names = rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));
    expect(names.filter((name) => !codeReads.has(name))).toEqual([]);
  });
});
