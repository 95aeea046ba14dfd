/**
 * Moving kernel arguments in and out of a WebAssembly instance's linear memory. A kernel can
 * only read memory inside its instance, while aekit's tensors are ordinary typed arrays, so each
 * call copies its inputs into one reusable block (the arena, grown when a call needs more and
 * otherwise kept), runs, and copies its outputs back.
 */

import type { WasmMemory } from './wasm-api.js';

/** What the module exports for memory: its linear memory and an aligned allocator. */
export interface WasmMemoryExports {
  memory: WasmMemory;
  aekit_alloc(bytes: number): number;
  aekit_free(ptr: number): void;
}

/** The typed arrays kernels take. */
export type KernelArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

/** How a call uses one argument: read only, written only, or read and written. */
export type ArgMode = 'in' | 'out' | 'inout';

/** One argument of a call; null data passes a null pointer (an optional bias, no gradient). */
export interface Arg {
  data: KernelArray | null;
  mode: ArgMode;
}

const ALIGN = 64;
const alignUp = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/**
 * The arena of one instance. `call` lays the arguments out in it, copies the inputs in, runs the
 * kernel with their addresses, and copies the outputs back.
 */
export class WasmHeap {
  private base = 0;
  private capacity = 0;
  private bytes: Uint8Array;

  constructor(private readonly exports: WasmMemoryExports) {
    this.bytes = new Uint8Array(exports.memory.buffer);
  }

  /** The whole linear memory as bytes, fresh after any growth (growth detaches the old buffer). */
  private view(): Uint8Array {
    if (this.bytes.buffer !== this.exports.memory.buffer) this.bytes = new Uint8Array(this.exports.memory.buffer);
    return this.bytes;
  }

  /** Makes the arena at least `size` bytes; returns its address. */
  private reserve(size: number): number {
    if (size > this.capacity) {
      if (this.base !== 0) this.exports.aekit_free(this.base);
      // Grown by half again over the need, so a few larger calls do not reallocate each time.
      const capacity = alignUp(Math.max(size, Math.floor(this.capacity * 1.5), 1 << 16));
      this.base = this.exports.aekit_alloc(capacity);
      if (this.base === 0) {
        this.capacity = 0;
        throw new RangeError(`aekit wasm: cannot allocate ${capacity} bytes of WebAssembly memory`);
      }
      this.capacity = capacity;
    }
    return this.base;
  }

  /**
   * Runs `kernel` with the addresses of `args` (0 for null data), in order.
   * @param args the arguments, each with how the kernel uses it
   * @param kernel the call into the module, given one address per argument
   */
  call<R>(args: readonly Arg[], kernel: (ptrs: number[]) => R): R {
    const offsets: number[] = [];
    let size = 0;
    for (const a of args) {
      offsets.push(size);
      if (a.data) size += alignUp(Math.max(a.data.byteLength, 1));
    }
    const base = this.reserve(size);
    let heap = this.view();
    const ptrs = args.map((a, i) => (a.data ? base + offsets[i] : 0));
    for (let i = 0; i < args.length; i++) {
      const { data, mode } = args[i];
      if (data && mode !== 'out') heap.set(bytesOf(data), ptrs[i]);
    }
    const result = kernel(ptrs);
    heap = this.view(); // the kernel may have grown memory (packing buffers)
    for (let i = 0; i < args.length; i++) {
      const { data, mode } = args[i];
      if (data && mode !== 'in') bytesOf(data).set(heap.subarray(ptrs[i], ptrs[i] + data.byteLength));
    }
    return result;
  }
}

function bytesOf(a: KernelArray): Uint8Array {
  return a instanceof Uint8Array ? a : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
