// Lint rules for the whole repository; the layer rules are the ones docs/architecture.md states.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** An import a layer may not use: every path under these package aliases or packages. */
const forbid = (message, ...groups) => ({ group: groups, message });
const FRAMEWORKS = ['@nestjs/*', 'kysely', 'pg', 'bullmq', 'ioredis', 'express', '@electric-sql/*'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'test-artifacts/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'max-len': [
        'error',
        {
          code: 120,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'none',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    files: ['libs/domain/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/domain/testing/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid('the domain is pure: no framework, database or queue', ...FRAMEWORKS),
            forbid(
              'the domain imports no other layer',
              '#application/*',
              '#persistence/*',
              '#config/*',
              '#api/*',
              '#cli/*',
              '#worker/*',
              '#logging/*',
            ),
            forbid(
              'the domain reads no files, network or clock sources',
              'node:fs',
              'node:fs/*',
              'node:net',
              'node:http',
              'node:child_process',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['libs/persistence/**/*.ts', 'migrations/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              'persistence serves the application; it does not call it',
              '#application/*',
              '#api/*',
              '#cli/*',
              '#worker/*',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['libs/application/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid('the application layer knows no process', '#api/*', '#cli/*', '#worker/*', 'express'),
            {
              group: ['kysely', 'pg'],
              message: 'only repositories (libs/persistence) touch Kysely and pg',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['kysely', 'pg'], message: 'processes reach the database through services and repositories' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'libs/domain/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
