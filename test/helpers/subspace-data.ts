/** Data near a known subspace: seeded, made on the spot. */
import type { Dataset } from '../../src/data/dataset.js';
import { orthonormalizeRows } from '../../src/linalg/orthonormalize.js';
import { Prng } from '../../src/util/prng.js';

/**
 * n rows of `features` values: mean + Σ_k s_k z_k u_k + noise, with u_k orthonormal random
 * directions (returned, one per row), z_k standard normal, s_k the given standard deviations
 * (distinct, so the principal directions are the u_k), and isotropic noise of std `noise`.
 */
export function subspaceData(n: number, features: number, stds: number[], noise: number, seed = 1): { data: Dataset; directions: Float64Array } {
  const rng = new Prng(seed);
  const k = stds.length;
  const directions = Float64Array.from({ length: k * features }, () => rng.normal());
  orthonormalizeRows(directions, k, features);
  const x = new Float32Array(n * features);
  for (let i = 0; i < n; i++) {
    const z = stds.map((s) => s * rng.normal());
    for (let j = 0; j < features; j++) {
      let v = 0.5 + noise * rng.normal();
      for (let c = 0; c < k; c++) v += z[c] * directions[c * features + j];
      x[i * features + j] = v;
    }
  }
  return { data: { x, n, features, shape: [features], name: 'subspace' }, directions };
}
