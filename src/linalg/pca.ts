/**
 * Fitting a PCA: exactly, from the covariance matrix and its full eigen-decomposition, or by
 * the randomized range finder for wide data. Both centre the data and divide by n − 1.
 */
import { UsageError } from '../errors.js';
import { CentredData, columnMeans, type GemmKernel, type RowMatrix } from './centred-data.js';
import { fixSigns, Pca } from './pca-model.js';
import { fitRandomizedPca } from './randomized-pca.js';
import { symmetricEigen } from './symmetric-eigen.js';

/** PCA solvers. */
export type PcaSolver = 'exact' | 'randomized';

/** How to fit. */
export interface PcaOptions {
  /** Components to keep: 1..d (the randomized solver: 1..min(n, d)). */
  components: number;
  /** 'exact' (default): covariance + symmetric eigen-solver; 'randomized': Halko et al. 2011. */
  solver?: PcaSolver;
  /**
   * A float32 GEMM for the big products (pass the native backend); without one, float64 loops
   * that skip zeros. The covariance is summed in float64 over chunks either way.
   */
  kernel?: GemmKernel;
  /** Randomized solver only: oversampling (default 10). */
  oversamples?: number;
  /** Randomized solver only: power iterations (default 7 or 4, see RandomizedPcaOptions). */
  powerIterations?: number;
  /** Randomized solver only: the test matrix's seed. */
  seed?: number;
  /** Cancels a long fit (checked between chunks of rows). */
  signal?: AbortSignal;
}

/**
 * Fits a PCA with centring.
 * @param data the training rows (n ≥ 2).
 * @param options the number of components and the solver.
 * @example
 * const pca = fitPca(loadData('mnist', { split: 'train' }), { components: 30 });
 * pca.explainedVarianceRatioTotal; // 0.73
 */
export function fitPca(data: RowMatrix, options: PcaOptions): Pca {
  const { n, features: d } = data;
  const k = options.components;
  if (n < 2) throw new UsageError(`PCA needs at least 2 examples, got ${n}`);
  if (!(Number.isInteger(k) && k >= 1 && k <= d)) throw new UsageError(`PCA: components must be a whole number in 1..${d} (the features), got ${k}`);
  if ((options.solver ?? 'exact') === 'randomized') {
    if (k > Math.min(n, d)) throw new UsageError(`randomized PCA: components must be at most min(examples, features) = ${Math.min(n, d)}, got ${k}`);
    return fitRandomizedPca(data, { ...options, components: k });
  }
  const mean = columnMeans(data);
  const gram = new CentredData(data, mean, options.kernel, options.signal).gram();
  let trace = 0;
  for (let i = 0; i < d; i++) trace += gram[i * d + i];
  for (let i = 0; i < gram.length; i++) gram[i] /= n - 1;
  const { values, vectors } = eigenOfCovariance(gram, d);
  const components = vectors.slice(0, k * d);
  fixSigns(components, k, d);
  // Rounding can leave the null space's eigenvalues a hair below zero; a variance is not.
  const explainedVariance = Float64Array.from(values.subarray(0, k), (v) => Math.max(v, 0));
  return new Pca(mean, components, explainedVariance, trace / (n - 1), n);
}

/**
 * The eigen-decomposition of a covariance matrix, skipping features of zero variance: their rows
 * and columns are zero, so each is an eigenvector (a unit vector) of eigenvalue 0 and the rest
 * decouples. MNIST has 67 always-black pixels in its training set and more in small slices, and
 * the solver's cost grows with the cube of the size.
 */
function eigenOfCovariance(cov: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const active: number[] = [];
  const constant: number[] = [];
  for (let i = 0; i < d; i++) (cov[i * d + i] > 0 ? active : constant).push(i);
  if (constant.length === 0) return symmetricEigen(cov, d);
  const m = active.length;
  const reduced = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) reduced[a * m + b] = cov[active[a] * d + active[b]];
  const inner = m > 0 ? symmetricEigen(reduced, m) : { values: new Float64Array(0), vectors: new Float64Array(0) };
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  values.set(inner.values);
  for (let r = 0; r < m; r++) for (let a = 0; a < m; a++) vectors[r * d + active[a]] = inner.vectors[r * m + a];
  // The constant features' unit vectors come after every positive-variance direction.
  constant.forEach((f, j) => {
    vectors[(m + j) * d + f] = 1;
  });
  return { values, vectors };
}
