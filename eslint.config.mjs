// ESLint with type information (typescript-eslint); Prettier owns formatting (.prettierrc.json).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Public SDK entry points only: `lib/` paths are internals that move between releases.
const temporalInternals = {
  group: ['@temporalio/*/lib', '@temporalio/*/lib/*'],
  message: 'Import from the package entry point (@temporalio/<package>); lib/ is SDK-internal.',
};

// The sandbox is a matter of folder: what lives in these folders runs in (or may be bundled into)
// Temporal's deterministic workflow sandbox. Everything else runs in a plain Node process.
const SANDBOX_FOLDERS = ['workflows', 'core'];
// Folders of code that belongs to other processes; type-only imports are erased, so they stay allowed.
const OTHER_PROCESSES = ['activities', 'api', 'worker', 'emulator', 'scripts', 'common', 'bench', 'cli', 'test'];
// `**/common` alone would also match the package @temporalio/common: common/ has no index module anyway.
const folderGroup = (folders) => folders.flatMap((f) => (f === 'common' ? [`**/${f}/*`] : [`**/${f}`, `**/${f}/*`]));

const outsideTheSandbox = [
  {
    group: [...builtinModules, ...builtinModules.map((name) => `${name}/*`), 'node:*'],
    message: 'Sandbox code (workflows/, core/) imports no Node built-in (import type is fine).',
    allowTypeImports: true,
  },
  {
    group: [
      ...folderGroup(OTHER_PROCESSES),
      '@temporalio/activity',
      '@temporalio/client',
      '@temporalio/worker',
      '@temporalio/testing',
    ],
    message:
      'Sandbox code imports only workflows/, core/, @temporalio/workflow and @temporalio/common (import type is fine).',
    allowTypeImports: true,
  },
];
// core/ is the bottom of the house: it imports no other folder of the project, not even as a type.
const coreStaysAtTheBottom = {
  group: folderGroup(['workflows', ...OTHER_PROCESSES]),
  message: 'core/ is shared by every process: it imports only core/ and packages.',
};
// Activities run outside the sandbox and share only core/ with the workflows.
const activitiesSkipWorkflows = {
  group: folderGroup(['workflows']),
  message: 'Activities import shared code from core/, never from workflows/.',
};

export default tseslint.config(
  {
    ignores: ['node_modules/', '.data/', 'coverage/', 'dist/', 'bench/out/', 'test/histories/'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-non-null-assertion': 'warn',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [temporalInternals] }],
      // Fastify handlers and Temporal's PayloadCodec are async by contract, awaiting or not.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read JSON bodies (`any`) and check their shape with expect(); typing each one adds nothing.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: SANDBOX_FOLDERS.map((folder) => `${folder}/**/*.ts`),
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [temporalInternals, ...outsideTheSandbox] }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [temporalInternals, ...outsideTheSandbox, coreStaysAtTheBottom] },
      ],
    },
  },
  {
    // The CLI talks to the HTTP API only, so it works against any deployment; the schema generator reads the
    // API's schemas to write the fleet file's JSON Schema, and nothing else here may.
    files: ['cli/**/*.ts'],
    ignores: ['cli/fleet-schema.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            temporalInternals,
            {
              group: [
                '@temporalio/*',
                '**/workflows/*',
                '**/activities/*',
                '**/api/*',
                '**/worker/*',
                '**/common/*',
                '**/core/*',
              ],
              message: 'The CLI talks to the HTTP API only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [temporalInternals, activitiesSkipWorkflows] }],
    },
  },
  {
    // Plain JavaScript (CommonJS helpers, the bench probe, this file): no type information.
    files: ['**/*.{js,cjs,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
