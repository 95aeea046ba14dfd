/**
 * Products with the centred data matrix X_c = X − 1μᵀ (n examples × d features) without ever
 * storing it: its Gram matrix X_cᵀX_c, X_c times vectors and X_cᵀ times vectors. Two ways:
 *
 * - with a GEMM kernel (a Backend has one): rows are centred a chunk at a time into a float32
 *   buffer and multiplied there, and the chunks' partial products are summed in float64, so the
 *   float32 accumulation runs over one chunk only. This is the fast way with native kernels.
 * - without one: plain float64 loops over the raw rows that skip zero entries (most MNIST pixels
 *   are 0, so XᵀX costs a fifth of its dense price), with the mean's contribution removed
 *   afterwards in float64, where the cancellation costs nothing that matters.
 */
import { UsageError } from '../errors.js';

/** Examples as rows of a float32 matrix (a Dataset or a training Matrix fits). */
export interface RowMatrix {
  x: Float32Array;
  n: number;
  features: number;
}

/** The GEMM linalg borrows: c = alpha · op(a) · op(b) + beta · c in float32, as `Backend.gemm`. */
export interface GemmKernel {
  gemm(p: {
    m: number; n: number; k: number;
    a: Float32Array; transA: boolean;
    b: Float32Array; transB: boolean;
    c: Float32Array; alpha: number; beta: number;
  }): void;
}

/** Rows per float32 chunk: long enough for the GEMM to run at speed, short for its rounding. */
const CHUNK_ROWS = 1024;

/**
 * The data and its mean, with the products PCA needs.
 * @example
 * const centred = new CentredData(train, columnMeans(train));
 * const gram = centred.gram(); // d × d, float64
 */
export class CentredData {
  readonly n: number;
  readonly d: number;

  /**
   * @param data the rows.
   * @param mean the per-feature mean to subtract (usually the rows' own, see columnMeans).
   * @param kernel a GEMM to run the big products on; plain float64 loops without one.
   * @param signal checked between chunks, so long products can be cancelled.
   */
  constructor(readonly data: RowMatrix, readonly mean: Float64Array, readonly kernel?: GemmKernel, readonly signal?: AbortSignal) {
    this.n = data.n;
    this.d = data.features;
    if (mean.length !== this.d) throw new UsageError(`CentredData: the mean has ${mean.length} values for ${this.d} features`);
  }

  /** X_cᵀX_c, d × d row-major float64. */
  gram(): Float64Array {
    const { n, d } = this;
    const out = new Float64Array(d * d);
    if (this.kernel) {
      const partial = new Float32Array(d * d);
      this.forEachCentredChunk((chunk, rows) => {
        this.kernel!.gemm({ m: d, n: d, k: rows, a: chunk, transA: true, b: chunk, transB: false, c: partial, alpha: 1, beta: 0 });
        for (let i = 0; i < out.length; i++) out[i] += partial[i];
      });
      return out;
    }
    // Upper triangle of XᵀX over the nonzero entries of each row, then X_cᵀX_c = XᵀX − n μμᵀ.
    const idx = new Int32Array(d);
    const val = new Float64Array(d);
    const x = this.data.x;
    for (let r = 0; r < n; r++) {
      if ((r & 1023) === 0) this.signal?.throwIfAborted();
      let nz = 0;
      for (let f = 0, o = r * d; f < d; f++) {
        const v = x[o + f];
        if (v !== 0) {
          idx[nz] = f;
          val[nz++] = v;
        }
      }
      for (let a = 0; a < nz; a++) {
        const va = val[a];
        const base = idx[a] * d;
        for (let b = a; b < nz; b++) out[base + idx[b]] += va * val[b];
      }
    }
    const mu = this.mean;
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const v = out[i * d + j] - n * mu[i] * mu[j];
        out[i * d + j] = v;
        out[j * d + i] = v;
      }
    }
    return out;
  }

  /**
   * X_c times l vectors: `b` holds them as the rows of an l × d matrix; returns the l × n matrix
   * whose row j is X_c b_j (one value per example).
   */
  times(b: Float64Array, l: number): Float64Array {
    const { n, d } = this;
    if (b.length !== l * d) throw new UsageError(`CentredData.times: expected ${l} x ${d} values, got ${b.length}`);
    const out = new Float64Array(l * n);
    if (this.kernel) {
      const b32 = Float32Array.from(b);
      const part = new Float32Array(CHUNK_ROWS * l);
      this.forEachCentredChunk((chunk, rows, start) => {
        this.kernel!.gemm({ m: rows, n: l, k: d, a: chunk, transA: false, b: b32, transB: true, c: part.subarray(0, rows * l), alpha: 1, beta: 0 });
        for (let r = 0; r < rows; r++) for (let j = 0; j < l; j++) out[j * n + start + r] = part[r * l + j];
      });
      return out;
    }
    // bt is d × l so that a row's nonzero feature f touches one contiguous run bt[f, :].
    const bt = new Float64Array(d * l);
    for (let j = 0; j < l; j++) for (let f = 0; f < d; f++) bt[f * l + j] = b[j * d + f];
    const shift = new Float64Array(l);
    for (let f = 0; f < d; f++) for (let j = 0; j < l; j++) shift[j] += this.mean[f] * bt[f * l + j];
    const acc = new Float64Array(l);
    const x = this.data.x;
    for (let r = 0; r < n; r++) {
      if ((r & 1023) === 0) this.signal?.throwIfAborted();
      acc.fill(0);
      for (let f = 0, o = r * d; f < d; f++) {
        const v = x[o + f];
        if (v === 0) continue;
        const base = f * l;
        for (let j = 0; j < l; j++) acc[j] += v * bt[base + j];
      }
      for (let j = 0; j < l; j++) out[j * n + r] = acc[j] - shift[j];
    }
    return out;
  }

  /**
   * X_cᵀ times l vectors over the examples: `q` is l × n; returns the l × d matrix whose row j
   * is Σ_i q_j[i] (x_i − μ).
   */
  transposeTimes(q: Float64Array, l: number): Float64Array {
    const { n, d } = this;
    if (q.length !== l * n) throw new UsageError(`CentredData.transposeTimes: expected ${l} x ${n} values, got ${q.length}`);
    // outT is d × l (contiguous per feature); transposed to l × d at the end.
    const outT = new Float64Array(d * l);
    if (this.kernel) {
      const qChunk = new Float32Array(CHUNK_ROWS * l);
      const part = new Float32Array(d * l);
      this.forEachCentredChunk((chunk, rows, start) => {
        for (let r = 0; r < rows; r++) for (let j = 0; j < l; j++) qChunk[r * l + j] = q[j * n + start + r];
        this.kernel!.gemm({ m: d, n: l, k: rows, a: chunk, transA: true, b: qChunk.subarray(0, rows * l), transB: false, c: part, alpha: 1, beta: 0 });
        for (let i = 0; i < outT.length; i++) outT[i] += part[i];
      });
    } else {
      const qi = new Float64Array(l);
      const qSum = new Float64Array(l);
      const x = this.data.x;
      for (let r = 0; r < n; r++) {
        if ((r & 1023) === 0) this.signal?.throwIfAborted();
        for (let j = 0; j < l; j++) {
          qi[j] = q[j * n + r];
          qSum[j] += qi[j];
        }
        for (let f = 0, o = r * d; f < d; f++) {
          const v = x[o + f];
          if (v === 0) continue;
          const base = f * l;
          for (let j = 0; j < l; j++) outT[base + j] += v * qi[j];
        }
      }
      for (let f = 0; f < d; f++) for (let j = 0; j < l; j++) outT[f * l + j] -= this.mean[f] * qSum[j];
    }
    const out = new Float64Array(l * d);
    for (let f = 0; f < d; f++) for (let j = 0; j < l; j++) out[j * d + f] = outT[f * l + j];
    return out;
  }

  /** Visits the centred rows in float32 chunks of at most CHUNK_ROWS rows. */
  private forEachCentredChunk(visit: (chunk: Float32Array, rows: number, start: number) => void): void {
    const { n, d } = this;
    const buffer = new Float32Array(Math.min(n, CHUNK_ROWS) * d);
    const x = this.data.x;
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      this.signal?.throwIfAborted();
      const rows = Math.min(CHUNK_ROWS, n - start);
      for (let r = 0; r < rows; r++) {
        const o = (start + r) * d;
        for (let f = 0; f < d; f++) buffer[r * d + f] = x[o + f] - this.mean[f];
      }
      visit(buffer.subarray(0, rows * d), rows, start);
    }
  }
}

/**
 * The mean of every column, accumulated in float64.
 * @param data the rows.
 * @example
 * const mu = columnMeans({ x: Float32Array.of(1, 2, 3, 4), n: 2, features: 2 }); // [2, 3]
 */
export function columnMeans(data: RowMatrix): Float64Array {
  const { x, n, features: d } = data;
  if (n === 0) throw new UsageError('columnMeans: no rows');
  const sums = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let f = 0, o = r * d; f < d; f++) sums[f] += x[o + f];
  for (let f = 0; f < d; f++) sums[f] /= n;
  return sums;
}
