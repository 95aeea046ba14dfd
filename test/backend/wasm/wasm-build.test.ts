/**
 * The committed native/wasm/aekit.wasm and aekit-threads.wasm are what `npm run build:wasm` makes
 * from the sources today (rebuilt here when clang++ is installed, compared byte for byte). The
 * one-thread module is self-contained (no imports); the threaded one imports only its shared
 * memory and exports what its workers need. Both export every kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const committed = join(root, 'native', 'wasm', 'aekit.wasm');
const committedThreads = join(root, 'native', 'wasm', 'aekit-threads.wasm');
interface WasmStatic {
  Module: (new (bytes: Uint8Array) => object) & {
    imports(m: object): { module: string; name: string; kind: string }[];
    exports(m: object): { name: string }[];
  };
}

const hasClang = spawnSync('clang++', ['--version']).status === 0 && spawnSync('wasm-ld', ['--version']).status === 0;

const KERNELS = ['gemm', 'linear_forward', 'activation_backward', 'unary', 'binary', 'reduce_sum', 'sum_rows', 'sum',
  'sum_squares', 'all_finite', 'squared_error', 'bce_with_logits', 'softmax_cross_entropy', 'soft_jaccard', 'axpby', 'adam_step', 'sgd_step',
  'hamming_rank', 'conv2d_forward', 'conv2d_backward_input', 'conv2d_backward_filter', 'max_pool2d', 'scatter_add', 'gather',
  'channel_stats', 'batch_norm_apply', 'batch_norm_backward', 'alloc', 'free'];

// The project's TypeScript settings hold no DOM library, where WebAssembly's types live.
const wasm = (globalThis as unknown as { WebAssembly: WasmStatic }).WebAssembly;

test('the one-thread module imports nothing and exports every kernel', () => {
  const module = new wasm.Module(readFileSync(committed));
  assert.deepEqual(wasm.Module.imports(module), []);
  const names = new Set(wasm.Module.exports(module).map((e) => e.name));
  for (const kernel of KERNELS) assert.ok(names.has(`aekit_${kernel}`), `aekit_${kernel} is not exported`);
  assert.ok(names.has('memory') && names.has('_initialize'));
});

test('the threaded module imports only its memory and exports every kernel and the worker entry', () => {
  const module = new wasm.Module(readFileSync(committedThreads));
  assert.deepEqual(wasm.Module.imports(module), [{ module: 'env', name: 'memory', kind: 'memory' }]);
  const names = new Set(wasm.Module.exports(module).map((e) => e.name));
  for (const kernel of KERNELS) assert.ok(names.has(`aekit_${kernel}`), `aekit_${kernel} is not exported`);
  for (const name of ['_initialize', 'aekit_worker_main', 'aekit_set_threads', 'aekit_worker_chunks', '__stack_pointer', '__wasm_init_tls', '__tls_size', '__tls_align']) {
    assert.ok(names.has(name), `${name} is not exported`);
  }
});

test('a fresh build is the committed modules, byte for byte', { skip: !hasClang && 'clang++ and wasm-ld are not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'aekit-wasm-test-'));
  try {
    const out = join(dir, 'aekit.wasm'), threadsOut = join(dir, 'aekit-threads.wasm');
    const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--out', out, '--threads-out', threadsOut], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `build failed:\n${r.stdout}${r.stderr}`);
    assert.ok(Buffer.compare(readFileSync(out), readFileSync(committed)) === 0,
      'native/wasm/aekit.wasm is stale: run npm run build:wasm and commit it');
    assert.ok(Buffer.compare(readFileSync(threadsOut), readFileSync(committedThreads)) === 0,
      'native/wasm/aekit-threads.wasm is stale: run npm run build:wasm and commit it');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
