/**
 * Eigen-decomposition of a real symmetric matrix in float64: Householder reduction to
 * tridiagonal form, then the implicit QL algorithm with Wilkinson-style shifts (the EISPACK
 * routines tred2 and tql2, in the form JAMA published). O(n³): a 784 × 784 covariance takes
 * about a second.
 */
import { NumericError, UsageError } from '../errors.js';

/** Eigenvalues in descending order, with one unit eigenvector per row. */
export interface SymmetricEigen {
  /** n eigenvalues, largest first. */
  values: Float64Array;
  /** n × n row-major: row i is the unit eigenvector of values[i]. */
  vectors: Float64Array;
  n: number;
}

/**
 * Eigenvalues and eigenvectors of the symmetric n × n matrix `a` (row-major; only symmetry is
 * assumed, so both triangles are read). `a` is not modified.
 * @param a the matrix, n * n values.
 * @param n its order.
 * @example
 * const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
 * // values = [3, 1]; vectors row 0 = ±[0.707, 0.707]
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (!(Number.isInteger(n) && n >= 1) || a.length !== n * n) {
    throw new UsageError(`symmetricEigen: expected ${n} x ${n} = ${n * n} values, got ${a.length}`);
  }
  // JAMA indexes V[row][col] and walks columns in its inner loops; we store w = Vᵀ so that those
  // loops run along contiguous rows. A symmetric input is its own transpose, so it copies as is.
  const w = Float64Array.from(a);
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) throw new NumericError(`symmetricEigen: entry ${Math.floor(i / n)},${i % n} is ${w[i]}`);
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(w, d, e, n);
  qlImplicit(w, d, e, n);
  return sortDescending(d, w, n);
}

/** Householder reduction: on return d is the diagonal, e the subdiagonal (e[0] = 0), and w holds Qᵀ. */
function tridiagonalize(w: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = w[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    // Scaling the row to unit 1-norm first avoids under- and overflow in h.
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1];
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        const row = j * n;
        f = d[j];
        w[i * n + j] = f;
        g = e[j] + w[row + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += w[row + k] * d[k];
          e[k] += w[row + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        const row = j * n;
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) w[row + k] -= f * e[k] + g * d[k];
        d[j] = w[row + i - 1];
        w[row + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the Householder reflections into the orthogonal matrix.
  for (let i = 0; i < n - 1; i++) {
    w[i * n + n - 1] = w[i * n + i];
    w[i * n + i] = 1;
    const h = d[i + 1];
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[next + k] / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += w[next + k] * w[row + k];
        for (let k = 0; k <= i; k++) w[row + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) w[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1];
    w[j * n + n - 1] = 0;
  }
  w[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e), applying every rotation to the rows of w. */
function qlImplicit(w: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  // QL converges in two or three sweeps per eigenvalue; a cap keeps a NaN from looping forever.
  const maxIterations = 30 * n;
  let iterations = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      do {
        if (++iterations > maxIterations) throw new NumericError(`symmetricEigen: QL did not converge after ${maxIterations} iterations`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          // Blocking these row updates by columns (to stay in L2) measured no faster in V8.
          const lo = i * n;
          const hi = lo + n;
          for (let k = 0; k < n; k++) {
            const t = w[hi + k];
            const u = w[lo + k];
            w[hi + k] = s * u + c * t;
            w[lo + k] = c * u - s * t;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** sqrt(a² + b²) without overflow or destructive underflow (and faster than Math.hypot in V8). */
function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const t = y / x;
    return x * Math.sqrt(1 + t * t);
  }
  if (y === 0) return 0;
  const t = x / y;
  return y * Math.sqrt(1 + t * t);
}

function sortDescending(d: Float64Array, w: Float64Array, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j] - d[i]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src];
    vectors.set(w.subarray(src * n, (src + 1) * n), dst * n);
  });
  return { values, vectors, n };
}
