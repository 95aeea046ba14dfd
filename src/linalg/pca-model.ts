/**
 * A fitted PCA: the mean, the principal directions and the variance along each, with the
 * projections to and from the component space.
 */
import { UsageError } from '../errors.js';
import type { RowMatrix } from './centred-data.js';

/** Reconstruction errors with aekit's meanings: sse summed over features, averaged over rows; mse = sse / features. */
export interface ReconstructionError {
  sse: number;
  mse: number;
}

/**
 * Principal component analysis, fitted (see `fitPca`): x ≈ mean + Σ_k c_k · component_k, with
 * codes c = components · (x − mean).
 * @example
 * const pca = fitPca(train, { components: 30 });
 * const codes = pca.transform(test);          // n × 30
 * const back = pca.inverseTransform(codes);   // n × 784, in the data's space
 * pca.reconstructionError(test).sse;          // 13.87 on MNIST
 */
export class Pca {
  /**
   * @param mean the training mean per feature (d values).
   * @param components k × d row-major, orthonormal rows, by decreasing variance; each row's
   *   largest-magnitude entry is positive (an eigenvector's sign is arbitrary; this fixes one).
   * @param explainedVariance the variance of the training data along each component (divided by n − 1).
   * @param totalVariance the summed variance of all features (divided by n − 1).
   * @param nSamples the training rows.
   */
  constructor(
    readonly mean: Float64Array,
    readonly components: Float64Array,
    readonly explainedVariance: Float64Array,
    readonly totalVariance: number,
    readonly nSamples: number,
  ) {
    if (components.length !== explainedVariance.length * mean.length) {
      throw new UsageError(`Pca: ${components.length} component values for ${explainedVariance.length} components of ${mean.length} features`);
    }
  }

  /** Features per example (d). */
  get features(): number {
    return this.mean.length;
  }

  /** Number of components (k). */
  get k(): number {
    return this.explainedVariance.length;
  }

  /** The share of the total variance along each component. */
  get explainedVarianceRatio(): Float64Array {
    return this.explainedVariance.map((v) => (this.totalVariance > 0 ? v / this.totalVariance : 0));
  }

  /** The share of the total variance the k components explain together, in [0, 1]. */
  get explainedVarianceRatioTotal(): number {
    return this.explainedVarianceRatio.reduce((a, b) => a + b, 0);
  }

  /** Component i (a view of d values). */
  component(i: number): Float64Array {
    return this.components.subarray(i * this.features, (i + 1) * this.features);
  }

  /**
   * The same PCA keeping only its first k components (nested: PCA's top-k subspaces are).
   * @param k how many to keep, 1..this.k.
   */
  truncate(k: number): Pca {
    if (!(Number.isInteger(k) && k >= 1 && k <= this.k)) throw new UsageError(`Pca.truncate: k must be in 1..${this.k}, got ${k}`);
    return new Pca(this.mean, this.components.slice(0, k * this.features), this.explainedVariance.slice(0, k), this.totalVariance, this.nSamples);
  }

  /** Codes: row i is components · (x_i − mean), computed in float64. */
  transform(data: RowMatrix): RowMatrix {
    this.checkFeatures(data.features, 'transform');
    const { k, features: d } = this;
    const out = new Float32Array(data.n * k);
    const centred = new Float64Array(d);
    for (let r = 0; r < data.n; r++) {
      this.centre(data.x, r, centred);
      for (let j = 0; j < k; j++) out[r * k + j] = dot(this.components, j * d, centred, d);
    }
    return { x: out, n: data.n, features: k };
  }

  /** Points in the data's space from codes: mean + codesᵀ · components. */
  inverseTransform(codes: RowMatrix): RowMatrix {
    if (codes.features !== this.k) throw new UsageError(`Pca.inverseTransform: codes have ${codes.features} values per row, the PCA has ${this.k} components`);
    const { k, features: d } = this;
    const out = new Float32Array(codes.n * d);
    const row = new Float64Array(d);
    for (let r = 0; r < codes.n; r++) {
      row.set(this.mean);
      for (let j = 0; j < k; j++) axpy(codes.x[r * k + j], this.components, j * d, row);
      out.set(row, r * d);
    }
    return { x: out, n: codes.n, features: d };
  }

  /** Projects each row onto the component space and back, in float64; returns the errors. */
  reconstructionError(data: RowMatrix): ReconstructionError {
    this.checkFeatures(data.features, 'reconstructionError');
    const { k, features: d } = this;
    const centred = new Float64Array(d);
    const projected = new Float64Array(d);
    let sse = 0;
    for (let r = 0; r < data.n; r++) {
      this.centre(data.x, r, centred);
      projected.fill(0);
      for (let j = 0; j < k; j++) axpy(dot(this.components, j * d, centred, d), this.components, j * d, projected);
      for (let f = 0; f < d; f++) sse += (centred[f] - projected[f]) ** 2;
    }
    const mean = data.n > 0 ? sse / data.n : 0;
    return { sse: mean, mse: mean / d };
  }

  private centre(x: Float32Array, r: number, out: Float64Array): void {
    const d = this.features;
    for (let f = 0; f < d; f++) out[f] = x[r * d + f] - this.mean[f];
  }

  private checkFeatures(features: number, op: string): void {
    if (features !== this.features) throw new UsageError(`Pca.${op}: rows have ${features} features, the PCA was fitted on ${this.features}`);
  }
}

function dot(a: Float64Array, offset: number, b: Float64Array, d: number): number {
  let s = 0;
  for (let f = 0; f < d; f++) s += a[offset + f] * b[f];
  return s;
}

/** y += alpha · a[offset .. offset + y.length). */
function axpy(alpha: number, a: Float64Array, offset: number, y: Float64Array): void {
  for (let f = 0; f < y.length; f++) y[f] += alpha * a[offset + f];
}

/**
 * Flips each row of a k × d matrix so that its largest-magnitude entry is positive, making the
 * result independent of the solver's arbitrary signs.
 */
export function fixSigns(rows: Float64Array, k: number, d: number): void {
  for (let j = 0; j < k; j++) {
    let big = 0;
    for (let f = 0; f < d; f++) if (Math.abs(rows[j * d + f]) > Math.abs(big)) big = rows[j * d + f];
    if (big < 0) for (let f = 0; f < d; f++) rows[j * d + f] = -rows[j * d + f];
  }
}
