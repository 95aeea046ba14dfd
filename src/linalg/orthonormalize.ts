/**
 * Orthonormal bases from spanning sets: modified Gram-Schmidt run twice ("twice is enough",
 * Giraud, Langou & Rozložník 2005), which keeps the result orthogonal to working precision even
 * when the vectors are nearly dependent, as the columns of a power iteration become.
 */
import { UsageError } from '../errors.js';

/**
 * Orthonormalises the `count` rows of a count × dim row-major matrix in place, in order, so
 * that row i spans the same space with rows 0..i as the input's rows 0..i did.
 * @param rows count * dim values, overwritten with the orthonormal rows.
 * @param count how many vectors.
 * @param dim their length (count ≤ dim).
 * @param what names the vectors in the error a rank-deficient set gets.
 * @param dependent what to do with a vector in the span of the ones before it: 'throw' (a
 *   UsageError), or 'zero' it and go on (a range finder whose data has lower rank than asked).
 * @returns how many rows are nonzero (count, unless some were zeroed).
 * @example
 * const q = Float64Array.of(3, 4, 1, 0);
 * orthonormalizeRows(q, 2, 2); // q = [0.6, 0.8, 0.8, -0.6]
 */
export function orthonormalizeRows(rows: Float64Array, count: number, dim: number, what = 'the vectors', dependent: 'throw' | 'zero' = 'throw'): number {
  if (rows.length !== count * dim) throw new UsageError(`orthonormalizeRows: expected ${count} x ${dim} values, got ${rows.length}`);
  if (count > dim) throw new UsageError(`orthonormalizeRows: ${count} vectors of length ${dim} cannot be independent`);
  let independent = 0;
  for (let i = 0; i < count; i++) {
    const vi = rows.subarray(i * dim, (i + 1) * dim);
    const original = norm(vi);
    if (!Number.isFinite(original)) throw new UsageError(`${what}: vector ${i} holds a non-finite value`);
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const vj = rows.subarray(j * dim, (j + 1) * dim);
        const p = dot(vi, vj);
        for (let k = 0; k < dim; k++) vi[k] -= p * vj[k];
      }
    }
    const left = norm(vi);
    // What survives projection is rounding noise when vector i lies in the span of the others.
    if (!(left > 1e-10 * original) || left === 0) {
      if (dependent === 'zero') {
        vi.fill(0);
        continue;
      }
      throw new UsageError(`${what}: vector ${i} is (numerically) a combination of the ones before it; the set is rank-deficient`);
    }
    for (let k = 0; k < dim; k++) vi[k] /= left;
    independent++;
  }
  return independent;
}

/** Σ a[i] b[i]. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The Euclidean norm, scaled so that huge or tiny entries neither overflow nor underflow. */
export function norm(a: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i] / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}
