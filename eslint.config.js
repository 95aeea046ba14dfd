// Lint: typescript-eslint's type-checked recommended rules over the sources, tests, benchmarks
// and scripts. `.ci/run` fails on any finding.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // web/playground/aekit-browser.js is generated (npm run build:playground).
  { ignores: ['dist/', 'build/', 'node_modules/', 'coverage/', 'web/playground/aekit-browser.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Parameters a signature needs but a body does not use are named _ctx, _prefix, …
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }],
      }],
    },
  },
  {
    // Tests read the CLI's JSON output (any) and check it with assertions, which is their point.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The dashboard's pages: plain browser modules, no build step.
    files: ['web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(['document', 'window', 'location', 'history', 'fetch', 'EventSource', 'URLSearchParams', 'DOMParser', 'setTimeout', 'setInterval', 'clearTimeout', 'console', 'ImageData', 'performance', 'requestAnimationFrame', 'Option', 'AbortController', 'Response', 'DecompressionStream'].map((name) => [name, 'readonly'])),
    },
  },
);
