// Lint: typescript-eslint's type-checked recommended rules over the sources, tests, benchmarks
// and scripts. `.ci/run` fails on any finding.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';


// DESIGN.md's layers, one direction of imports: a folder of src/ may import the folders below it
// and the leaves (data, io, viz, linalg, hashing, util), never one above it. One entry per folder
// and depth, so that "../" counts are exact: src/run/x.ts reaching ../apps/ is caught, and a
// subfolder's own siblings (src/apps/train/ to ../anomaly/) are not mistaken for top folders.
const LAYERS = ['backend', 'tensor', 'nn', 'models', 'training', 'run', 'export', 'apps', 'cli', 'serve'];
const ABOVE = {
  util: [...LAYERS, 'data', 'io', 'viz', 'linalg', 'hashing'],
  io: [...LAYERS, 'data', 'viz', 'linalg', 'hashing'],
  viz: [...LAYERS, 'data', 'linalg', 'hashing'],
  linalg: [...LAYERS, 'data', 'io', 'viz', 'hashing'],
  data: [...LAYERS, 'viz', 'linalg', 'hashing'],
  // Hamming codes use the tensor backend's kernels, nothing above it.
  hashing: LAYERS.filter((l) => !['backend', 'tensor'].includes(l)).concat('viz'),
  backend: LAYERS.filter((l) => l !== 'backend'),
  tensor: LAYERS.slice(2),
  nn: LAYERS.slice(3),
  models: LAYERS.slice(4),
  training: LAYERS.slice(5),
  run: LAYERS.slice(6),
  export: LAYERS.slice(7),
  apps: ['cli', 'serve'],
  // The dashboard is a face like cli/: it may call applications, but not the command files.
  serve: ['cli'],
};
const layerRules = Object.entries(ABOVE).flatMap(([folder, above]) => [1, 2, 3].map((depth) => ({
  files: [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{
        regex: `^(\\.\\./){${depth}}(${above.join('|')})/`,
        message: `src/${folder}/ sits below ${above.join(', ')} in DESIGN.md's layers: an import never points up (README, "Development").`,
      }],
    }],
  },
})));

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
  ...layerRules,
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
