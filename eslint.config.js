// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The pure cores must stay testable without a network, a chat platform or a database
// (DESIGN.md, "The arrows point inward"). Anything that does I/O is injected as a port.
const forbiddenInCores = [
  { group: ['@slack/*', 'botbuilder', 'botbuilder-*', '@microsoft/*'], message: 'Chat platforms belong in src/chat/.' },
  { group: ['bullmq', 'ioredis'], message: 'Queues belong in src/queue/ and jobs/.' },
  { group: ['pg', 'pg-*', 'better-sqlite3', 'kysely', 'knex'], message: 'Database access belongs in src/store/.' },
  {
    group: ['node:net', 'net', 'node:dgram', 'dgram', 'node:tls', 'tls', 'node:dns', 'dns', 'node:http', 'node:https'],
    message: 'Network access belongs in src/net/; take it as a port in deps.',
  },
  {
    group: ['**/net/**', '**/store/**', '**/chat/**', '**/queue/**'],
    message: 'Cores import nothing from the adapters; the arrows point inward.',
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // A promise nobody awaits loses its rejection (an unhandled rejection ends the process) and its
    // ordering; a promise passed where a callback's result is ignored (an event handler, a timer) does
    // the same. Both need type information: tsconfig.json covers src/, commands/, jobs/, test/, bench/
    // and scripts/, so every linted .ts file has a program.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['src/diagnosis/**/*.ts', 'src/patching/**/*.ts', 'src/outages/**/*.ts', 'src/bounces/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: forbiddenInCores }] },
  },
  {
    // Only the composition root and config read the environment (DESIGN.md, "Config parsed once").
    files: ['src/**/*.ts', 'commands/**/*.ts', 'jobs/**/*.ts'],
    ignores: ['src/config.ts', 'src/main.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through loadConfig() in src/config.ts.' },
      ],
    },
  },
);
