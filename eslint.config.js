// Lint rules. The dependency rule of the layout lives here (docs/architecture.md):
// - the library packages (@keyward/core, @keyward/verify, @keyward/client) never import `keyward`
//   (server, store, config, CLI), and reach another package only by its name, never by a path into it;
// - @keyward/core is pure protocol logic: nothing that does I/O, and no dependency at all (it signs and
//   verifies with node:crypto);
// - @keyward/verify and @keyward/client use @keyward/core, not each other.
import tseslint from 'typescript-eslint';

const intoPackageSources = (names) => names.map((name) => `**/${name}/src/**`);
const notKeyward = {
  group: ['keyward', 'keyward/*', '**/packages/keyward/**', ...intoPackageSources(['keyward'])],
  message: 'a library package never imports the keyward package (server, store, config, CLI): see docs/architecture.md.',
};
const byNameOnly = (others) => ({
  group: intoPackageSources(others),
  message: 'reach another workspace package by its name (@keyward/core...), never by a path into its sources.',
});

export default tseslint.config(
  { ignores: ['node_modules/**', '**/node_modules/**', '**/dist/**', 'bench/results/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          notKeyward,
          byNameOnly(['verify', 'client']),
          { group: ['@keyward/verify', '@keyward/client', '**/server/**', '**/server', '**/store/**', '**/store', '**/cli/**', '**/cli', '**/config/**'],
            message: '@keyward/core imports nothing from verify, client, server, store, config or cli (see the layout in docs/architecture.md).' },
          { group: ['node:fs', 'node:fs/*', 'fs', 'node:net', 'node:http', 'node:https', 'better-sqlite3', 'kysely', 'pg', 'ioredis', 'hono', 'hono/*', 'zod', 'jose', 'jose/*', '@peculiar/x509', 'reflect-metadata'],
            message: '@keyward/core is pure: no file system, network or database, and no dependency (node:crypto signs and verifies). Inject what you need.' },
        ],
      }],
    },
  },
  {
    files: ['packages/verify/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [notKeyward, byNameOnly(['core', 'client']), { group: ['@keyward/client'], message: '@keyward/verify uses @keyward/core only.' }] }],
    },
  },
  {
    files: ['packages/client/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [notKeyward, byNameOnly(['core', 'verify']), { group: ['@keyward/verify'], message: '@keyward/client uses @keyward/core only.' }] }],
    },
  },
  {
    files: ['packages/keyward/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [byNameOnly(['core', 'verify', 'client'])] }],
    },
  },
);
