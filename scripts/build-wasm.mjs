// Builds the shared C++ kernels (native/*.cc) for WebAssembly SIMD128 with Debian's clang, lld
// and wasi-libc (apt-get install clang lld wasi-libc libc++-dev-wasm32 libclang-rt-dev-wasm32),
// twice: native/wasm/aekit.wasm runs on one thread and needs nothing from its host;
// native/wasm/aekit-threads.wasm imports a shared memory (SharedArrayBuffer) that worker
// threads instantiate the same module on (native/wasm/pool_workers.cc), for Node and for
// cross-origin isolated pages. The outputs are committed; test/backend/wasm/wasm-build.test.ts
// rebuilds them and checks they are the same bytes, so the build must be deterministic:
// relative paths only, no debug info, names stripped, every input listed here in a fixed order.
//
//   node scripts/build-wasm.mjs [--out FILE] [--threads-out FILE] [--check]
//
// --check builds into temporary files and exits 1 when either differs from the committed one.
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
  'native/soft_jaccard.cc',
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
export const WASM_THREADS_OUTPUT = 'native/wasm/aekit-threads.wasm';

/**
 * The threaded module's memory in 64 KiB pages: src/backend/wasm/wasm-threads.ts creates it
 * with these limits (an imported memory's limits must cover the module's), so keep them equal.
 * 2 GiB at most: a shared memory cannot move when it grows, so engines reserve the maximum.
 */
export const THREADS_MEMORY_PAGES = { initial: 256, maximum: 32768 };

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

/** The one-thread build: the shared sources and the pool that runs every chunk on the caller. */
const SINGLE = { sources: [...WASM_SOURCES, 'native/wasm/pool_single.cc'], compile: [], link: [] };

/**
 * The threaded build. Atomics and bulk memory make thread_local real per-thread storage and
 * std::atomic real atomic instructions (only the local-exec TLS model exists outside
 * Emscripten). Debian's wasi-libc is built for one thread (there is no wasm32-wasi-threads
 * sysroot), so its objects lack the atomics feature the linker checks for shared memory; the
 * check is turned off, and the two parts of it that are not thread-safe are made so in
 * pool_workers.cc: malloc and friends behind a lock (--wrap), its sbrk reading the memory's
 * size as every thread sees it (--wrap), and the C++ static guards.
 * The memory is imported so that every worker's instance can be given the same one; each
 * worker's stack pointer and thread-local block are set from JavaScript through the exports.
 */
const THREADED = {
  sources: [...WASM_SOURCES, 'native/wasm/pool_workers.cc'],
  compile: ['-matomics', '-mbulk-memory', '-ftls-model=local-exec'],
  link: [
    '-Wl,--shared-memory', '-Wl,--import-memory', '-Wl,--no-check-features',
    `-Wl,--initial-memory=${THREADS_MEMORY_PAGES.initial * 65536}`, `-Wl,--max-memory=${THREADS_MEMORY_PAGES.maximum * 65536}`,
    ...['malloc', 'free', 'calloc', 'realloc', 'aligned_alloc', 'posix_memalign', 'sbrk'].map((f) => `-Wl,--wrap=${f}`),
    ...['__stack_pointer', '__wasm_init_tls', '__tls_size', '__tls_align'].map((s) => `-Wl,--export=${s}`),
  ],
};

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
export async function buildWasm(out = WASM_OUTPUT, cxx = process.env.AEKIT_WASM_CXX ?? 'clang++', variant = SINGLE) {
  const dir = mkdtempSync(join(tmpdir(), 'aekit-wasm-obj-'));
  try {
    const objects = variant.sources.map((src, i) => join(dir, `${i}-${basename(src, '.cc')}.o`));
    const compiled = await Promise.all(variant.sources.map((src, i) => run(cxx, [...WASM_COMPILE_FLAGS, ...variant.compile, '-c', src, '-o', objects[i]])));
    const failed = compiled.find((r) => r.status !== 0);
    if (failed) {
      process.stderr.write(failed.output);
      return failed.status;
    }
    const linked = await run(cxx, [...WASM_LINK_FLAGS, ...variant.link, ...objects, '-o', out]);
    if (linked.status !== 0) process.stderr.write(linked.output);
    return linked.status;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds the threaded module into `out` (see THREADED). */
export function buildWasmThreads(out = WASM_THREADS_OUTPUT, cxx = process.env.AEKIT_WASM_CXX ?? 'clang++') {
  return buildWasm(out, cxx, THREADED);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  if (args.includes('--check')) {
    const dir = mkdtempSync(join(tmpdir(), 'aekit-wasm-'));
    let status = 0;
    try {
      for (const [committed, build] of [[WASM_OUTPUT, buildWasm], [WASM_THREADS_OUTPUT, buildWasmThreads]]) {
        const fresh = join(dir, basename(committed));
        const built = await build(fresh);
        if (built !== 0) { status = built; continue; }
        const same = Buffer.compare(readFileSync(fresh), readFileSync(join(root, committed))) === 0;
        console.log(same ? `aekit: ${committed} is up to date` : `aekit: ${committed} differs from a fresh build: run npm run build:wasm`);
        if (!same) status = 1;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    process.exit(status);
  }
  const out = option('--out', WASM_OUTPUT), threadsOut = option('--threads-out', WASM_THREADS_OUTPUT);
  const [single, threaded] = await Promise.all([buildWasm(out), buildWasmThreads(threadsOut)]);
  if (single === 0) console.log(`aekit: built ${out}`);
  if (threaded === 0) console.log(`aekit: built ${threadsOut}`);
  process.exit(single || threaded);
}
