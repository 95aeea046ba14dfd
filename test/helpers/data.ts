/** Small datasets for tests: seeded and made on the spot. */
import { Prng } from '../../src/util/prng.js';
import type { Matrix } from '../../src/data/dataset.js';

/**
 * n rows of `features` values in [0, 1] that lie near a `rank`-dimensional family (smooth bumps),
 * so an autoencoder with a code of that size can learn them.
 */
export function lowRankData(n: number, features: number, rank: number, seed = 1): Matrix {
  const rng = new Prng(seed);
  const basis = Array.from({ length: rank }, () => Float32Array.from({ length: features }, () => rng.uniform()));
  const x = new Float32Array(n * features);
  for (let i = 0; i < n; i++) {
    const coef = Array.from({ length: rank }, () => rng.uniform());
    for (let j = 0; j < features; j++) {
      let v = 0;
      for (let r = 0; r < rank; r++) v += coef[r] * basis[r][j];
      x[i * features + j] = v / rank;
    }
  }
  return { x, n, features };
}
