/**
 * Per-feature statistics of training rows (range, mean, standard deviation), gathered a block of
 * rows at a time, so that the in-memory and the streaming paths scale the data from the same
 * numbers.
 */
import type { Matrix } from './dataset.js';

/**
 * Running minimum, maximum, mean and variance of each feature. Means and variances are merged
 * block by block (Chan et al.'s pairwise update), which keeps float64 sums of squares from
 * cancelling on data with a large mean.
 * @example
 * const stats = new FeatureStats(3);
 * stats.add(Float32Array.of(1, 2, 3, 3, 4, 5), 2);
 * stats.mean(); // Float64Array [2, 3, 4]
 */
export class FeatureStats {
  readonly min: Float64Array;
  readonly max: Float64Array;
  private readonly mu: Float64Array;
  private readonly m2: Float64Array;
  /** The current block's sums, then its means. */
  private readonly blockSum: Float64Array;
  private readonly blockSq: Float64Array;
  /** Rows seen. */
  count = 0;

  constructor(readonly features: number) {
    this.min = new Float64Array(features).fill(Infinity);
    this.max = new Float64Array(features).fill(-Infinity);
    this.mu = new Float64Array(features);
    this.m2 = new Float64Array(features);
    this.blockSum = new Float64Array(features);
    this.blockSq = new Float64Array(features);
  }

  /** The statistics of a whole matrix. */
  static of(data: Matrix): FeatureStats {
    const stats = new FeatureStats(data.features);
    stats.add(data.x, data.n);
    return stats;
  }

  /**
   * Adds `rows` rows of `x` (row-major, `features` values each).
   * @param rows how many rows of x to take (x may be a longer buffer).
   */
  add(x: Float32Array, rows: number): void {
    const f = this.features;
    if (rows === 0 || f === 0) {
      this.count += rows;
      return;
    }
    const { min, max, blockSum, blockSq } = this;
    blockSum.fill(0);
    for (let r = 0; r < rows; r++) {
      const base = r * f;
      for (let j = 0; j < f; j++) {
        const v = x[base + j];
        blockSum[j] += v;
        if (v < min[j]) min[j] = v;
        if (v > max[j]) max[j] = v;
      }
    }
    for (let j = 0; j < f; j++) blockSum[j] /= rows;
    // Squares about the block's own mean: a second pass over rows already in cache.
    blockSq.fill(0);
    for (let r = 0; r < rows; r++) {
      const base = r * f;
      for (let j = 0; j < f; j++) {
        const d = x[base + j] - blockSum[j];
        blockSq[j] += d * d;
      }
    }
    const n = this.count;
    const total = n + rows;
    for (let j = 0; j < f; j++) {
      const blockMean = blockSum[j];
      const delta = blockMean - this.mu[j];
      this.mu[j] += delta * rows / total;
      this.m2[j] += blockSq[j] + delta * delta * n * rows / total;
    }
    this.count = total;
  }

  /** The smallest and largest value over all features ([0, 0] before any row). */
  range(): [number, number] {
    if (this.count === 0 || this.features === 0) return [0, 0];
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < this.features; j++) {
      if (this.min[j] < lo) lo = this.min[j];
      if (this.max[j] > hi) hi = this.max[j];
    }
    return [lo, hi];
  }

  /** The mean of each feature. */
  mean(): Float64Array {
    return this.mu.slice();
  }

  /** The population standard deviation of each feature (divided by n, as NumPy's std and sklearn's StandardScaler). */
  std(): Float64Array {
    return this.m2.map((v) => (this.count > 0 ? Math.sqrt(v / this.count) : 0));
  }
}
