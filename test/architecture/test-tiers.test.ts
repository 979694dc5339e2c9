import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createVitest } from 'vitest/node';
import { describe, expect, it } from 'vitest';

// The tier of a test file is declared by its name (vitest.config.mts): `*.int.test.ts` runs beside
// the run's Temporal dev server, every other `*.test.ts` without it. A unit file that reaches the
// dev server anyway (vitest's inject(), test/support/stack.ts, directly or through a helper) would
// fail or, worse, skip in the wrong tier; these checks catch the wrong declaration instead.
const ROOT = join(__dirname, '../..');
const STACK = 'test/support/stack.ts';
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
const VITEST_INJECT = /^import\s*\{[^}]*\binject\b[^}]*\}\s*from\s*['"]vitest['"]/m;

const testFiles = () =>
  readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => `test/${name.split('\\').join('/')}`)
    .sort();

type Files = { exists(file: string): boolean; read(file: string): string };
const repo: Files = {
  exists: (file) => existsSync(join(ROOT, file)),
  read: (file) => readFileSync(join(ROOT, file), 'utf8'),
};

/** The repository file a relative import names, or undefined for packages and other files. */
function resolveImport(files: Files, from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = relative(ROOT, join(ROOT, dirname(from), spec))
    .split('\\')
    .join('/');
  return [base, `${base}.ts`, `${base}/index.ts`].find((file) => file.endsWith('.ts') && files.exists(file));
}

/** The chain of test/ files from `file` to one that needs the dev server, or undefined. */
function pathToDevServer(file: string, files = repo, seen = new Set<string>()): string[] | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  const source = files.read(file);
  if (file === STACK || VITEST_INJECT.test(source)) return [file];
  for (const [, spec = ''] of source.matchAll(IMPORT)) {
    const target = resolveImport(files, file, spec);
    if (!target?.startsWith('test/')) continue;
    const rest = pathToDevServer(target, files, seen);
    if (rest) return [file, ...rest];
  }
  return undefined;
}

describe('test tiers', () => {
  it('no unit test file reaches the dev server (inject() or test/support/stack.ts)', () => {
    const wrong = testFiles()
      .filter((file) => !file.endsWith('.int.test.ts'))
      .flatMap((file) => {
        const chain = pathToDevServer(file);
        return chain ? [`${chain.join(' -> ')}: rename ${file} to *.int.test.ts`] : [];
      });
    expect(wrong).toEqual([]);
  });

  it("the check follows helpers and sees inject() from vitest, not Fastify's app.inject()", () => {
    const sources: Record<string, string> = {
      'test/a/a.test.ts': "import { helper } from '../support/helper';\nimport { it } from 'vitest';",
      'test/support/helper.ts': "import { type Stack } from './stack';",
      [STACK]: '',
      'test/b/b.test.ts': "import { expect, inject } from 'vitest';",
      'test/c/c.test.ts': "import { it } from 'vitest';\nconst res = await app.inject({ url: '/' });",
    };
    const files: Files = { exists: (file) => file in sources, read: (file) => sources[file] ?? '' };
    expect(pathToDevServer('test/a/a.test.ts', files)).toEqual(['test/a/a.test.ts', 'test/support/helper.ts', STACK]);
    expect(pathToDevServer('test/b/b.test.ts', files)).toEqual(['test/b/b.test.ts']);
    expect(pathToDevServer('test/c/c.test.ts', files)).toBeUndefined();
  });

  it('every test file belongs to exactly one tier', async () => {
    const vitest = await createVitest('test', { watch: false, config: join(ROOT, 'vitest.config.mts') });
    try {
      const specs = await vitest.globTestSpecifications();
      const tiers = new Map<string, string[]>();
      for (const spec of specs) {
        const file = relative(ROOT, spec.moduleId).split('\\').join('/');
        tiers.set(file, [...(tiers.get(file) ?? []), spec.project.name]);
      }
      const expected = testFiles().map((file) => [file, [file.endsWith('.int.test.ts') ? 'integration' : 'unit']]);
      expect([...tiers].sort(([a], [b]) => a.localeCompare(b))).toEqual(expected);
    } finally {
      await vitest.close();
    }
  });
});
