/**
 * The singular value decomposition of a small dense matrix by one-sided Jacobi rotations
 * (Hestenes 1958): rotate pairs of rows until all rows are mutually orthogonal. It is accurate
 * to working precision, small singular values included (no AᵀA is ever formed), and simple;
 * it costs a few sweeps of rows² · cols, fine for the l × d and k × k matrices of PCA.
 */
import { NumericError, UsageError } from '../errors.js';

/** A = U · diag(s) · Vᵀ, with min(rows, cols) singular triplets, largest first. */
export interface Svd {
  /** r singular values, descending, r = min(rows, cols). */
  s: Float64Array;
  /** r × rows: row i is the left singular vector of s[i]. */
  u: Float64Array;
  /** r × cols: row i is the right singular vector of s[i] (zero when s[i] is 0). */
  v: Float64Array;
  rank: number;
}

/**
 * The thin SVD of a rows × cols row-major matrix.
 * @param a the matrix (not modified).
 * @param rows its row count.
 * @param cols its column count.
 * @example
 * const { s } = svd(Float64Array.of(3, 0, 0, -2), 2, 2); // s = [3, 2]
 */
export function svd(a: ArrayLike<number>, rows: number, cols: number): Svd {
  if (a.length !== rows * cols) throw new UsageError(`svd: expected ${rows} x ${cols} values, got ${a.length}`);
  if (rows > cols) {
    // Rotating rows orthogonalises at most `cols` of them; work on Aᵀ = V S Uᵀ instead.
    const t = svd(transpose(a, rows, cols), cols, rows);
    return { s: t.s, u: t.v, v: t.u, rank: t.rank };
  }
  // w = Jᵀ A with J orthogonal: once w's rows are orthogonal, A = J · w and w's row norms are the
  // singular values, its normalised rows the right singular vectors and J's columns the left.
  const w = Float64Array.from(a);
  const j = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) j[i * rows + i] = 1;
  const eps = 2 ** -52;
  let sweep = 0;
  for (let rotated = true; rotated; sweep++) {
    if (sweep > 60) throw new NumericError('svd: one-sided Jacobi did not converge in 60 sweeps');
    rotated = false;
    for (let p = 0; p < rows - 1; p++) {
      for (let q = p + 1; q < rows; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let k = 0; k < cols; k++) {
          const x = w[p * cols + k];
          const y = w[q * cols + k];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (!(Math.abs(gamma) > eps * Math.sqrt(alpha * beta)) || gamma === 0) continue;
        rotated = true;
        // The rotation that zeroes the pair's inner product (Golub & Van Loan, §8.6.3).
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(w, p, q, cols, c, s);
        rotate(j, p, q, rows, c, s);
      }
    }
  }
  const norms = Array.from({ length: rows }, (_, i) => rowNorm(w, i, cols));
  const order = norms.map((_, i) => i).sort((x, y) => norms[y] - norms[x]);
  const r = rows;
  const result: Svd = { s: new Float64Array(r), u: new Float64Array(r * rows), v: new Float64Array(r * cols), rank: 0 };
  const tiny = (norms[order[0]] || 0) * Math.max(rows, cols) * eps;
  order.forEach((src, dst) => {
    const sigma = norms[src];
    result.s[dst] = sigma;
    if (sigma > tiny) result.rank++;
    for (let k = 0; k < rows; k++) result.u[dst * rows + k] = j[src * rows + k];
    if (sigma > 0) for (let k = 0; k < cols; k++) result.v[dst * cols + k] = w[src * cols + k] / sigma;
  });
  return result;
}

/** Rows p and q of an m-column matrix ← [c -s; s c]ᵀ applied to them. */
function rotate(m: Float64Array, p: number, q: number, cols: number, c: number, s: number): void {
  for (let k = 0; k < cols; k++) {
    const x = m[p * cols + k];
    const y = m[q * cols + k];
    m[p * cols + k] = c * x - s * y;
    m[q * cols + k] = s * x + c * y;
  }
}

function rowNorm(m: Float64Array, i: number, cols: number): number {
  let s = 0;
  for (let k = 0; k < cols; k++) s += m[i * cols + k] ** 2;
  return Math.sqrt(s);
}

/** The transpose of a rows × cols row-major matrix, in float64. */
export function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) t[k * rows + i] = a[i * cols + k];
  return t;
}
