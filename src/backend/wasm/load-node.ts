/**
 * Loads the WebAssembly backend in Node: reads native/wasm/aekit.wasm, or aekit-threads.wasm
 * when more than one thread is wanted, from the package (both are committed and shipped, so no
 * compiler is needed) and instantiates it synchronously. The threaded module's workers are
 * worker_threads, unreferenced so that they never keep the process alive.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BackendError } from '../../errors.js';
import { webAssembly, type WasmInstance } from './wasm-api.js';
import { createWasmBackend, type WasmBackend } from './wasm-backend.js';
import { instantiateThreaded, WORKER_BODY, type WorkerStart } from './wasm-threads.js';

/** The path of a committed module (`aekit.wasm` or `aekit-threads.wasm`), found from this file (src/ under tsx, dist/ when built). */
export function wasmModulePath(file = 'aekit.wasm'): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'native', 'wasm', file);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new BackendError(`aekit: wasm backend unavailable: native/wasm/${file} not found above the package`);
    dir = parent;
  }
}

/**
 * Threads per kernel: AEKIT_THREADS (as for the native backend) when set, else one per core.
 * @throws BackendError when AEKIT_THREADS is not an integer in [1, 256]
 */
export function wasmThreadCount(env: NodeJS.ProcessEnv = process.env): number {
  const s = env.AEKIT_THREADS;
  if (s === undefined || s === '') return availableParallelism();
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new BackendError(`AEKIT_THREADS must be an integer in [1, 256], got "${s}"`);
  return n;
}

function spawnNodeWorker(start: WorkerStart): void {
  const worker = new Worker(`${WORKER_BODY}\nrequire('node:worker_threads').parentPort.once('message', startAekitWorker);`, { eval: true });
  // A worker that fails to start never claims a chunk, and the caller runs every unclaimed
  // chunk itself, so the kernels stay correct without it: nothing to report.
  worker.on('error', () => undefined);
  worker.unref();
  worker.postMessage(start);
}

let loaded: WasmBackend | null = null;

/**
 * The WebAssembly backend, loaded once per process.
 * @throws BackendError when the module is missing or this runtime cannot compile it (no SIMD128)
 * @example
 * setBackend(createNodeWasmBackend());
 */
export function createNodeWasmBackend(): WasmBackend {
  loaded ??= startNodeWasmBackend(wasmThreadCount());
  return loaded;
}

/**
 * A new WebAssembly backend with its own memory (and `threads - 1` new workers): the one-thread
 * module for 1, the threaded one above. createNodeWasmBackend keeps one per process; this is
 * for comparing builds side by side (tests, benchmarks).
 * @throws BackendError when the module is missing or does not load
 */
export function startNodeWasmBackend(threads: number): WasmBackend {
  const path = wasmModulePath(threads > 1 ? 'aekit-threads.wasm' : 'aekit.wasm');
  try {
    const wasm = webAssembly();
    const module = new wasm.Module(readFileSync(path));
    if (threads > 1) {
      const { instance, memory } = instantiateThreaded(module, threads, spawnNodeWorker);
      return createWasmBackend(instance, { memory, threads });
    }
    const instance: WasmInstance = new wasm.Instance(module, {});
    return createWasmBackend(instance);
  } catch (e) {
    throw new BackendError(`aekit: wasm backend unavailable: ${path} did not load: ${(e as Error).message}`);
  }
}
