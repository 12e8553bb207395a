// Lint rules. The dependency rule of the layout lives here: src/core is pure protocol logic and
// imports nothing from server, store or cli (and nothing that does I/O on its own).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'bench/results/**', '**/*.d.ts', 'console/dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/server/**', '**/server', '**/store/**', '**/store', '**/cli/**', '**/cli', '**/verify/**', '**/client/**'],
            message: 'src/core imports nothing from server, store, cli, verify or client (see the layout in docs/architecture.md).' },
          { group: ['node:fs', 'node:fs/*', 'fs', 'node:net', 'node:http', 'node:https', 'better-sqlite3', 'kysely', 'pg', 'ioredis', 'hono', 'hono/*'],
            message: 'src/core is pure: no file system, network or database. Inject what you need.' },
        ],
      }],
    },
  },
);
