/**
 * Tensor: a shape over a Float32Array, with the bookkeeping reverse-mode autograd needs.
 *
 * Tensors made inside `tidy()` are freed when it ends (their buffers go back to the pool) unless
 * returned or kept, which is what keeps a training step free of allocation.
 */
import type { Backend } from '../backend/backend.js';
import { createReferenceBackend } from '../backend/reference/reference-backend.js';
import { UsageError } from '../errors.js';
import { BufferPool } from './buffer-pool.js';

/** How an op's output passes its gradient back to its inputs. */
export interface GradNode {
  /** The op's name, for error messages. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Adds this output's gradient `grad` into the inputs' gradients (see `accumulateGrad`). */
  backward(grad: Float32Array): void;
}

let currentBackend: Backend | null = null;
let chooseBackend: () => Backend = createReferenceBackend;
const pool = new BufferPool();
const scopes: Tensor[][] = [];

/** The backend every op runs on; the first call chooses it (see `setBackendChooser`). */
export function getBackend(): Backend {
  currentBackend ??= chooseBackend();
  return currentBackend;
}

/** Makes `backend` the one every op runs on from now on. */
export function setBackend(backend: Backend): void {
  currentBackend = backend;
}

/**
 * How the backend is chosen at first use when nobody called `setBackend`: the reference backend
 * unless an entry point (the Node library entry) registers a better chooser. Registering chooses
 * nothing yet, so importing the library has no side effect.
 */
export function setBackendChooser(choose: () => Backend): void {
  chooseBackend = choose;
}

/**
 * Runs `fn` with `backend` as the current one, then restores the previous choice, also when fn
 * throws. When fn returns a promise (training), the backend stays until it settles, so nothing
 * else should run ops meanwhile: for tests and comparisons across backends.
 * @example
 * const y = withBackend(createReferenceBackend(), () => model.reconstruct(x).toArray());
 */
export function withBackend<T>(backend: Backend, fn: () => T): T {
  const previous = currentBackend;
  currentBackend = backend;
  let result: T;
  try {
    result = fn();
  } catch (error) {
    currentBackend = previous;
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      currentBackend = previous;
    }) as T;
  }
  currentBackend = previous;
  return result;
}

/** The buffer pool shared by all tensors. */
export function getPool(): BufferPool {
  return pool;
}

/** Product of the dimensions (1 for a scalar's empty shape). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A dense float32 tensor.
 * @example
 * const x = Tensor.from([1, 2, 3, 4], [2, 2]);
 * x.shape; // [2, 2]
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly size: number;
  /** Set when this tensor takes part in gradients: a parameter, or an op on one. */
  requiresGrad: boolean;
  /** The op that made this tensor, or null for a leaf. */
  node: GradNode | null = null;
  private dataBuffer: Float32Array | null;
  private gradBuffer: Float32Array | null = null;
  /** False while `gradBuffer` holds a stale value that the next accumulation must overwrite. */
  private gradLive = false;
  /** Owned buffers go back to the pool on free; views and user arrays do not. */
  private readonly pooled: boolean;
  /** Integer state an op saved beside this output (see `savedIndices`), freed with it. */
  private indexBuffers: Int32Array[] | null = null;

  /** Wraps `data` (not copied). Prefer the static constructors. */
  constructor(data: Float32Array, shape: readonly number[], options: { requiresGrad?: boolean; pooled?: boolean } = {}) {
    if (!(data instanceof Float32Array)) {
      throw new UsageError(`Tensor data must be a Float32Array, got ${describe(data)}`);
    }
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new UsageError(`Tensor shape [${shape.join(', ')}] has a bad dimension ${d}`);
    }
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new UsageError(`Tensor of shape [${shape.join(', ')}] needs ${size} values, got ${data.length}`);
    }
    this.shape = Object.freeze([...shape]);
    this.size = size;
    this.dataBuffer = data;
    this.requiresGrad = options.requiresGrad ?? false;
    this.pooled = options.pooled ?? false;
    scopes.at(-1)?.push(this);
  }

  /** A tensor holding a copy of `values`. */
  static from(values: ArrayLike<number>, shape: readonly number[] = [values.length], requiresGrad = false): Tensor {
    return new Tensor(Float32Array.from(values), shape, { requiresGrad });
  }

  /** A zero tensor. */
  static zeros(shape: readonly number[], requiresGrad = false): Tensor {
    return new Tensor(new Float32Array(sizeOf(shape)), shape, { requiresGrad });
  }

  /** A scalar (shape []). */
  static scalar(value: number): Tensor {
    return new Tensor(Float32Array.of(value), []);
  }

  /** An op's output: a pooled buffer with undefined contents that the op fills. */
  static empty(shape: readonly number[]): Tensor {
    return new Tensor(pool.take(sizeOf(shape)), shape, { pooled: true });
  }

  /** The values; throws once the tensor is freed. */
  get data(): Float32Array {
    if (!this.dataBuffer) throw new UsageError('This tensor was freed (it was made inside tidy() and not kept); keep() it or return it from tidy()');
    return this.dataBuffer;
  }

  /** True once `free()` ran. */
  get isFreed(): boolean {
    return this.dataBuffer === null;
  }

  /** The accumulated gradient, or null when none has been computed since the last `zeroGrad()`. */
  get grad(): Float32Array | null {
    return this.gradLive ? this.gradBuffer : null;
  }

  /** Forgets the gradient; the buffer is kept and overwritten by the next backward pass. */
  zeroGrad(): void {
    this.gradLive = false;
  }

  /**
   * The gradient buffer to write into, and whether to add to it (beta 1) or overwrite it (beta 0).
   * Callers must write the whole buffer; afterwards the gradient is live.
   */
  gradTarget(): { buffer: Float32Array; beta: 0 | 1 } {
    const beta = this.gradLive ? 1 : 0;
    if (!this.gradBuffer) this.gradBuffer = this.pooled ? pool.take(this.size) : new Float32Array(this.size);
    this.gradLive = true;
    return { buffer: this.gradBuffer, beta };
  }

  /**
   * An index buffer of `length` int32s, undefined contents, that lives exactly as long as this
   * tensor: for an op that saves integer state beside its output (max pooling's argmax, which its
   * backward pass and the partner unpooling read). Like the data it comes from the pool and goes
   * back on free(), so a steady-state training step allocates none.
   */
  savedIndices(length: number): Int32Array {
    if (!this.dataBuffer) throw new UsageError('savedIndices: this tensor was freed');
    const buffer = this.pooled ? pool.takeIndices(length) : new Int32Array(length);
    this.indexBuffers ??= [];
    this.indexBuffers.push(buffer);
    return buffer;
  }

  /** The only value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new UsageError(`item() needs a one-element tensor, got shape [${this.shape.join(', ')}]`);
    return this.data[0];
  }

  /** A plain array copy of the values. */
  toArray(): number[] {
    return Array.from(this.data);
  }

  /** Removes this tensor from the enclosing tidy() scopes so it outlives them. */
  keep(): this {
    for (const scope of scopes) {
      const i = scope.lastIndexOf(this);
      if (i >= 0) scope.splice(i, 1);
    }
    return this;
  }

  /** Releases the buffers (to the pool when they came from it); further use throws. */
  free(): void {
    if (!this.dataBuffer) return;
    if (this.pooled) {
      pool.give(this.dataBuffer);
      if (this.gradBuffer) pool.give(this.gradBuffer);
      for (const indices of this.indexBuffers ?? []) pool.giveIndices(indices);
    }
    this.indexBuffers = null;
    this.dataBuffer = null;
    this.gradBuffer = null;
    this.gradLive = false;
    this.node = null;
  }
}

/**
 * Runs `fn`, then frees every tensor made inside it except those returned (a tensor, or an array
 * or object of tensors) or kept.
 * @example
 * const loss = tidy(() => model.loss(batch)); // intermediates are back in the pool
 */
export function tidy<T>(fn: () => T): T {
  scopes.push([]);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    for (const t of scopes.pop()!) t.free();
    throw error;
  }
  const made = scopes.pop()!;
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors);
  for (const t of made) {
    if (survivors.has(t)) scopes.at(-1)?.push(t);
    else t.free();
  }
  return result;
}

function collectTensors(value: unknown, into: Set<Tensor>): void {
  if (value instanceof Tensor) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collectTensors(v, into);
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, into);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value).constructor?.name ?? 'object';
}
