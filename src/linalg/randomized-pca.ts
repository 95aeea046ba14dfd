/**
 * PCA by randomized subspace iteration (Halko, Martinsson & Tropp 2011, "Finding structure with
 * randomness", Algorithm 4.4 then 5.1): a Gaussian test matrix Ω, the range of X_c Ω sharpened
 * by q power iterations with re-orthonormalisation in between, then the exact SVD of the small
 * projection B = Qᵀ X_c. It touches the data 2q + 2 times and never forms the d × d covariance,
 * so it scales to wide data; its error decays like (σ_{l+1}/σ_k)^(2q+1).
 */
import { UsageError } from '../errors.js';
import { Prng } from '../util/prng.js';
import { CentredData, columnMeans, type GemmKernel, type RowMatrix } from './centred-data.js';
import { orthonormalizeRows } from './orthonormalize.js';
import { fixSigns, Pca } from './pca-model.js';
import { svd } from './svd.js';

/** Options of the randomized solver. */
export interface RandomizedPcaOptions {
  components: number;
  /** Extra directions sampled beyond k (Halko's p); default 10. */
  oversamples?: number;
  /** Power iterations (Halko's q); default 7 when k < 10% of min(n, d), else 4, as scikit-learn. */
  powerIterations?: number;
  seed?: number;
  kernel?: GemmKernel;
  signal?: AbortSignal;
}

/**
 * Fits a PCA with the randomized range finder.
 * @param data the training rows.
 * @param options the number of components, and the solver's settings.
 * @example
 * const pca = fitRandomizedPca(train, { components: 30, seed: 1 });
 */
export function fitRandomizedPca(data: RowMatrix, options: RandomizedPcaOptions): Pca {
  const { n, features: d } = data;
  const k = options.components;
  const mean = columnMeans(data);
  const smaller = Math.min(n, d);
  const l = Math.min(k + (options.oversamples ?? 10), smaller);
  const q = options.powerIterations ?? (k < 0.1 * smaller ? 7 : 4);
  if (!(Number.isInteger(q) && q >= 0)) throw new UsageError(`randomized PCA: powerIterations must be a whole number ≥ 0, got ${q}`);
  const centred = new CentredData(data, mean, options.kernel, options.signal);
  const rng = new Prng(options.seed ?? 0);
  const omega = Float64Array.from({ length: l * d }, () => rng.normal());

  // Rows of `range` span the current estimate of the top-l left singular subspace (in R^n).
  const what = 'randomized PCA range';
  let range = centred.times(omega, l);
  orthonormalizeRows(range, l, n, what, 'zero');
  for (let i = 0; i < q; i++) {
    const co = centred.transposeTimes(range, l);
    orthonormalizeRows(co, l, d, what, 'zero');
    range = centred.times(co, l);
    orthonormalizeRows(range, l, n, what, 'zero');
  }
  const b = centred.transposeTimes(range, l);
  const { s, v } = svd(b, l, d);
  if (!(s[k - 1] > 0)) throw new UsageError(`randomized PCA: the centred data have rank below ${k}; ask for fewer components or use the exact solver`);
  const components = v.slice(0, k * d);
  fixSigns(components, k, d);
  const explainedVariance = Float64Array.from(s.subarray(0, k), (sigma) => (sigma * sigma) / (n - 1));
  return new Pca(mean, components, explainedVariance, totalVariance(data, mean), n);
}

/** Σ_f var(x_f) with the n − 1 divisor: the trace of the covariance. */
export function totalVariance(data: RowMatrix, mean: Float64Array): number {
  const { x, n, features: d } = data;
  let sum = 0;
  for (let r = 0; r < n; r++) for (let f = 0; f < d; f++) sum += (x[r * d + f] - mean[f]) ** 2;
  return sum / (n - 1);
}
