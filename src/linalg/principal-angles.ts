/**
 * Principal angles between two subspaces of R^d (Björck & Golub 1973): with orthonormal bases
 * Q1 and Q2, the singular values of Q1ᵀQ2 are the cosines of the angles, smallest angle first.
 * How far a learned subspace (a linear autoencoder's decoder) is from PCA's, in one number.
 */
import { UsageError } from '../errors.js';
import { orthonormalizeRows } from './orthonormalize.js';
import { svd, transpose } from './svd.js';

/** A subspace of R^dim spanned by `count` vectors. */
export interface Subspace {
  /** The spanning vectors, count · dim values (any independent set; they are orthonormalised here). */
  basis: ArrayLike<number>;
  dim: number;
  count: number;
  /**
   * 'rows': vector i is basis[i·dim .. (i+1)·dim) (PCA's components); 'columns': the basis is a
   * dim × count matrix whose columns span (a decoder weight in nn.Linear's [out, in] layout).
   */
  layout: 'rows' | 'columns';
}

/** The angles between two subspaces. */
export interface PrincipalAngles {
  /** min(k1, k2) cosines in [0, 1], largest first (smallest angle first). */
  cosines: Float64Array;
  /** The matching angles in radians, ascending. */
  radians: Float64Array;
  /** The largest principal angle in degrees: 0 when one subspace contains the other. */
  largestAngleDegrees: number;
  /** The mean of cos² over the angles: 1 for nested subspaces, k1·k2/d-ish for random ones. */
  meanCos2: number;
}

/**
 * The principal angles between span(a) and span(b).
 * @param a one subspace.
 * @param b the other, in the same R^dim.
 * @example
 * // The xy-plane and the plane spanned by x and (y + z)/√2 meet at 0° and 45°.
 * const angles = principalAngles(
 *   { basis: [1, 0, 0, 0, 1, 0], dim: 3, count: 2, layout: 'rows' },
 *   { basis: [1, 0, 0, 0, 1, 1], dim: 3, count: 2, layout: 'rows' });
 * angles.largestAngleDegrees; // 45
 */
export function principalAngles(a: Subspace, b: Subspace): PrincipalAngles {
  if (a.dim !== b.dim) throw new UsageError(`principalAngles: the subspaces live in R^${a.dim} and R^${b.dim}`);
  // The angles do not depend on the order; with the larger subspace first, every vector of the
  // smaller one has an angle, and the residual below has exactly one sine per angle.
  if (a.count < b.count) return principalAngles(b, a);
  const qa = orthonormalBasis(a, 'the first subspace');
  const qb = orthonormalBasis(b, 'the second subspace');
  const d = a.dim;
  const [k1, k2] = [a.count, b.count];
  // M = Qa Qbᵀ (k1 × k2): entry (i, j) is the inner product of basis vectors i and j.
  const m = new Float64Array(k1 * k2);
  for (let i = 0; i < k1; i++) {
    for (let j = 0; j < k2; j++) {
      let s = 0;
      for (let f = 0; f < d; f++) s += qa[i * d + f] * qb[j * d + f];
      m[i * k2 + j] = s;
    }
  }
  // Rounding can push a cosine a hair above 1; an angle's cosine is not.
  const cosines = svd(m, k1, k2).s.map((c) => Math.min(1, Math.max(0, c)));
  // acos loses half the digits near 0 (cos θ = 1 − θ²/2), so small angles come from their sines
  // instead: the singular values of Qb's residual off span(Qa), R = Qb − Mᵀ Qa (Knyazev &
  // Argentati 2002). Sorted ascending, they pair with the cosines sorted descending.
  const residual = Float64Array.from(qb);
  for (let j = 0; j < k2; j++) {
    for (let i = 0; i < k1; i++) {
      const c = m[i * k2 + j];
      for (let f = 0; f < d; f++) residual[j * d + f] -= c * qa[i * d + f];
    }
  }
  const sines = svd(residual, k2, d).s.reverse();
  const radians = cosines.map((c, i) => (sines[i] ** 2 < 0.5 ? Math.asin(Math.min(1, sines[i])) : Math.acos(c)));
  return {
    cosines,
    radians,
    largestAngleDegrees: (radians[radians.length - 1] * 180) / Math.PI,
    meanCos2: cosines.reduce((acc, c) => acc + c * c, 0) / cosines.length,
  };
}

/** The subspace's basis as orthonormal rows (count × dim, float64). */
function orthonormalBasis(space: Subspace, what: string): Float64Array {
  const { basis, dim, count } = space;
  if (!(count >= 1 && dim >= 1) || basis.length !== count * dim) {
    throw new UsageError(`principalAngles: ${what} should have ${count} x ${dim} values, got ${basis.length}`);
  }
  const rows = space.layout === 'rows' ? Float64Array.from(basis) : transpose(basis, dim, count);
  orthonormalizeRows(rows, count, dim, `principalAngles: ${what}`);
  return rows;
}
