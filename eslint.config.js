// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'artifacts/**',
      'coverage/**',
      'bin/**',
      'src/dashboard/web/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  // The layout enforces itself (README, "Architecture"). Tests may import anything.
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/testing/**', '**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)testing/',
              message: 'only tests import src/testing/: what the product runs lives outside it',
            },
          ],
        },
      ],
    },
  },
  layer(
    ['src/core/**/*.ts'],
    [
      'io',
      'node',
      'protocol',
      'dashboard',
      'sim',
      'simulation',
      'bench',
      'cli',
      'acceptance',
      'testing',
    ],
    'core is pure: it owns its types and imports no I/O, no wire format and no Node.js module',
  ),
  layer(
    ['src/protocol/**/*.ts'],
    ['io', 'node', 'dashboard', 'sim', 'simulation', 'bench', 'cli', 'acceptance', 'testing'],
    'protocol is pure codecs: it imports only core (and no Node.js module)',
  ),
);

/**
 * A folder that may not import the given sibling folders of src/ nor any Node.js module (its
 * tests may). Also forbids test helpers, as every product folder does.
 * @param {string[]} files
 * @param {string[]} folders
 * @param {string} message
 */
function layer(files, folders, message) {
  return {
    files,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: `^(\\.\\./)+(${folders.join('|')})/`, message },
            { regex: '^node:', message },
            {
              regex:
                '^(fs|path|net|dgram|http|https|crypto|os|child_process|url|util|perf_hooks)(/|$)',
              message,
            },
          ],
        },
      ],
    },
  };
}
