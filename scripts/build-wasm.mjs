// Builds native/wasm/aekit.wasm: the shared C++ kernels (native/*.cc) for WebAssembly SIMD128
// with Debian's clang, lld and wasi-libc (apt-get install clang lld wasi-libc libc++-dev-wasm32
// libclang-rt-dev-wasm32). The output is committed; test/backend/wasm/wasm-build.test.ts
// rebuilds it and checks it is the same bytes, so the build must be deterministic: relative paths
// only, no debug info, names stripped, every input listed here in a fixed order.
//
//   node scripts/build-wasm.mjs [--out FILE] [--check]
//
// --check builds into a temporary file and exits 1 when it differs from the committed one.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The kernel sources shared with the addon, then the wasm platform layer and entry points. */
export const WASM_SOURCES = [
  'native/gemm.cc',
  'native/elementwise.cc',
  'native/losses.cc',
  'native/optimizers.cc',
  'native/hamming.cc',
  'native/conv.cc',
  'native/conv_direct.cc',
  'native/conv_choice.cc',
  'native/normalization.cc',
  'native/wasm/platform.cc',
  'native/wasm/exports.cc',
];

export const WASM_OUTPUT = 'native/wasm/aekit.wasm';

/** Compiler flags for every source (relative paths, run from the package root). */
export const WASM_COMPILE_FLAGS = [
  '--target=wasm32-wasi', '-O3', '-msimd128', '-std=c++17', '-flto',
  '-fno-exceptions', '-fno-rtti', '-fno-math-errno', '-DNDEBUG',
  // The x86 headers and thread types the shared kernels include, for one wasm thread, and
  // GCC's __builtin_shuffle (the kernels are written for GCC; clang lacks it).
  '-Inative/wasm/compat', '-include', 'native/wasm/compat/gcc-builtins.h',
  // The kernels name their AVX2/AVX-512 variants with x86 target attributes; in this build those
  // variants are never dispatched to (and LTO drops them), so the attribute is noise here.
  '-Wno-ignored-attributes', '-Wno-unknown-attributes', '-Wno-pass-failed',
];

/** Linker flags: a library, not a program (no main; _initialize runs libc's constructors). */
export const WASM_LINK_FLAGS = [
  '--target=wasm32-wasi', '-O3', '-flto', '-mexec-model=reactor',
  '-Wl,--strip-all', '-Wl,-z,stack-size=1048576',
];

function run(cxx, args) {
  return new Promise((resolve) => {
    const child = spawn(cxx, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', (e) => resolve({ status: 127, output: `cannot run ${cxx}: ${e.message}\n` }));
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

/**
 * Compiles the sources side by side (LLVM bitcode), then links them with link-time optimisation
 * into `out`. Resolves to 0 on success; prints the compiler's output when a step fails.
 */
export async function buildWasm(out = WASM_OUTPUT, cxx = process.env.AEKIT_WASM_CXX ?? 'clang++') {
  const dir = mkdtempSync(join(tmpdir(), 'aekit-wasm-obj-'));
  try {
    const objects = WASM_SOURCES.map((src, i) => join(dir, `${i}-${basename(src, '.cc')}.o`));
    const compiled = await Promise.all(WASM_SOURCES.map((src, i) => run(cxx, [...WASM_COMPILE_FLAGS, '-c', src, '-o', objects[i]])));
    const failed = compiled.find((r) => r.status !== 0);
    if (failed) {
      process.stderr.write(failed.output);
      return failed.status;
    }
    const linked = await run(cxx, [...WASM_LINK_FLAGS, ...objects, '-o', out]);
    if (linked.status !== 0) process.stderr.write(linked.output);
    return linked.status;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  if (args.includes('--check')) {
    const dir = mkdtempSync(join(tmpdir(), 'aekit-wasm-'));
    let status;
    try {
      const fresh = join(dir, 'aekit.wasm');
      status = await buildWasm(fresh);
      if (status === 0) {
        const same = Buffer.compare(readFileSync(fresh), readFileSync(join(root, WASM_OUTPUT))) === 0;
        console.log(same ? `aekit: ${WASM_OUTPUT} is up to date` : `aekit: ${WASM_OUTPUT} differs from a fresh build: run npm run build:wasm`);
        status = same ? 0 : 1;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    process.exit(status);
  }
  const out = outIndex >= 0 ? args[outIndex + 1] : WASM_OUTPUT;
  const status = await buildWasm(out);
  if (status === 0) console.log(`aekit: built ${out}`);
  process.exit(status);
}
