/**
 * Starting the threaded WebAssembly module (native/wasm/aekit-threads.wasm) on one shared
 * memory: the calling thread's instance, and worker threads that each instantiate the same
 * compiled module on the same memory and then spend their life in the module's pool loop
 * (native/wasm/pool_workers.cc). Runtime-neutral: the caller says how a worker is started
 * (Node's worker_threads in load-node.ts, a page's Web Workers in the playground's browser-api).
 */
import type { WasmInstance, WasmMemory, WasmModule } from './wasm-api.js';
import { webAssembly } from './wasm-api.js';

/** The threaded module's memory limits in 64 KiB pages (scripts/build-wasm.mjs THREADS_MEMORY_PAGES). */
export const THREADS_MEMORY_PAGES = { initial: 256, maximum: 32768 } as const;

/** Each worker's stack: the size the linker gives the main thread (-z stack-size). */
export const WORKER_STACK_BYTES = 1 << 20;

/** What a worker needs to join the pool; posted to it as its first (and only) message. */
export interface WorkerStart {
  module: WasmModule;
  memory: WasmMemory;
  /** 0 for the first worker (the calling thread is not counted). */
  index: number;
  /** The top of this worker's stack (stacks grow down) in the shared memory. */
  stackTop: number;
  /** This worker's thread-local block in the shared memory. */
  tlsBase: number;
}

/**
 * The body of a worker, as source text, the same in Node and in a browser: `startAekitWorker`
 * instantiates the module on the shared memory, points the instance's stack pointer and
 * thread-local base at the blocks the calling thread allocated for it, and enters the pool loop,
 * which never returns (the worker is ended with its process or page).
 */
export const WORKER_BODY = `
function startAekitWorker(d) {
  const x = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  x.__stack_pointer.value = d.stackTop;
  x.__wasm_init_tls(d.tlsBase);
  x.aekit_worker_main(d.index);
}
`;

interface ThreadExports {
  _initialize(): void;
  aekit_alloc(bytes: number): number;
  aekit_set_threads(n: number): void;
  aekit_threads(): number;
  __wasm_init_tls(base: number): void;
  __tls_size: { value: number };
  __tls_align: { value: number };
}

/** A threaded instance: its exports, the shared memory (imported, so not among the exports). */
export interface ThreadedInstance {
  instance: WasmInstance;
  memory: WasmMemory;
}

/**
 * Whether this runtime can share a WebAssembly memory between threads: SharedArrayBuffer exists
 * (in a browser only when the page is cross-origin isolated) and a shared memory can be made.
 */
export function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  try {
    new (webAssembly() as unknown as { Memory: new (d: object) => object }).Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Instantiates the threaded module on a new shared memory, runs its constructors, gives the
 * calling thread its thread-local block, starts `threads - 1` workers with `spawn`, and lets
 * `threads` threads take chunks. Workers that have not started yet take no chunks (the caller
 * takes every chunk nobody claimed), so this does not wait for them.
 * @param module the compiled aekit-threads.wasm
 * @param threads how many threads run each kernel, the caller included (1 or more)
 * @param spawn starts a worker thread that calls the WORKER_BODY function with its message
 * @throws RangeError when threads is not a positive integer
 */
export function instantiateThreaded(module: WasmModule, threads: number, spawn: (start: WorkerStart) => void): ThreadedInstance {
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new RangeError(`aekit wasm: threads must be an integer in [1, 256], got ${threads}`);
  const wasm = webAssembly() as unknown as { Memory: new (d: object) => WasmMemory; Instance: new (m: WasmModule, i: object) => WasmInstance };
  const memory = new wasm.Memory({ ...THREADS_MEMORY_PAGES, shared: true });
  const instance = new wasm.Instance(module, { env: { memory } });
  const x = instance.exports as unknown as ThreadExports;
  x._initialize();
  const tlsBlock = (): number => {
    const base = x.aekit_alloc(Math.max(x.__tls_size.value, 1));
    if (base === 0 || base % Math.max(x.__tls_align.value, 1) !== 0) throw new RangeError('aekit wasm: cannot allocate a thread-local block');
    return base;
  };
  // The linker gives the first instance no thread-local block of its own (its base is 0).
  x.__wasm_init_tls(tlsBlock());
  for (let index = 0; index < threads - 1; index++) {
    const stack = x.aekit_alloc(WORKER_STACK_BYTES);
    if (stack === 0) throw new RangeError('aekit wasm: cannot allocate a worker stack');
    spawn({ module, memory, index, stackTop: stack + WORKER_STACK_BYTES, tlsBase: tlsBlock() });
  }
  x.aekit_set_threads(threads);
  return { instance, memory };
}
