/**
 * Recycles Float32Arrays (and the Int32Arrays of ops' saved indices) by length. A training step
 * asks for the same sizes every time, so after the first step every buffer comes from here and
 * the steady-state step allocates none.
 */
export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly freeIndices = new Map<number, Int32Array[]>();
  private allocatedBytes = 0;

  /** A buffer of exactly `size` floats, with undefined contents. */
  take(size: number): Float32Array {
    const reused = this.free.get(size)?.pop();
    if (reused) return reused;
    this.allocatedBytes += size * 4;
    return new Float32Array(size);
  }

  /** A buffer of exactly `size` floats, zeroed. */
  takeZeroed(size: number): Float32Array {
    return this.take(size).fill(0);
  }

  /** Returns a buffer taken from this pool; it must not be used afterwards. */
  give(buffer: Float32Array): void {
    shelve(this.free, buffer);
  }

  /** An index buffer of exactly `size` int32s, with undefined contents (max pooling's argmax). */
  takeIndices(size: number): Int32Array {
    const reused = this.freeIndices.get(size)?.pop();
    if (reused) return reused;
    this.allocatedBytes += size * 4;
    return new Int32Array(size);
  }

  /** Returns an index buffer taken from this pool; it must not be used afterwards. */
  giveIndices(buffer: Int32Array): void {
    shelve(this.freeIndices, buffer);
  }

  /** Bytes of every buffer this pool has ever created (a measure of steady-state allocation). */
  get totalAllocatedBytes(): number {
    return this.allocatedBytes;
  }

  /** Drops every idle buffer so the garbage collector can take it. */
  clear(): void {
    this.free.clear();
    this.freeIndices.clear();
  }
}

/** Puts `buffer` on the stack of idle buffers of its length. */
function shelve<T extends Float32Array | Int32Array>(free: Map<number, T[]>, buffer: T): void {
  const stack = free.get(buffer.length);
  if (stack) stack.push(buffer);
  else free.set(buffer.length, [buffer]);
}
