/**
 * The classic ways to turn real vectors into binary codes, against which learned codes are
 * measured: random-projection LSH (Charikar 2002), the signs of PCA projections (PCAH), and
 * iterative quantisation (ITQ: Gong & Lazebnik, CVPR 2011), which rotates the PCA projections to
 * lose as little as possible to the sign.
 */
import type { Matrix } from '../data/dataset.js';
import { columnMeans } from '../linalg/centred-data.js';
import { fitPca } from '../linalg/pca.js';
import { svd } from '../linalg/svd.js';
import { Prng } from '../util/prng.js';
import { type PackedCodes, packCodes } from './bits.js';

/** A learned map from rows to binary codes. */
export interface Hasher {
  readonly bits: number;
  /** The codes of `rows`. */
  encode(rows: Matrix): PackedCodes;
}

/** Codes from centred rows times a projection (features × bits, row-major) and a sign. */
class ProjectionHasher implements Hasher {
  constructor(readonly bits: number, private readonly mean: Float64Array, private readonly projection: Float64Array) {}

  /** The real projections before the sign: n × bits. */
  project(rows: Matrix): Float64Array {
    const { bits, mean, projection } = this;
    const d = rows.features;
    const out = new Float64Array(rows.n * bits);
    const centred = new Float64Array(d);
    for (let i = 0; i < rows.n; i++) {
      for (let f = 0; f < d; f++) centred[f] = rows.x[i * d + f] - mean[f];
      for (let b = 0; b < bits; b++) {
        let s = 0;
        for (let f = 0; f < d; f++) s += centred[f] * projection[f * bits + b];
        out[i * bits + b] = s;
      }
    }
    return out;
  }

  encode(rows: Matrix): PackedCodes {
    return packCodes(this.project(rows), this.bits, 0);
  }
}

/**
 * Random-projection LSH: the signs of `bits` seeded Gaussian projections of the centred rows.
 * @example
 * const codes = lshHasher(train, 32, 1).encode(test);
 */
export function lshHasher(train: Matrix, bits: number, seed = 0): Hasher {
  const rng = new Prng(seed);
  return new ProjectionHasher(bits, columnMeans(train), Float64Array.from({ length: train.features * bits }, () => rng.normal()));
}

/** PCA's top `bits` directions as a features × bits projection. */
function pcaProjection(train: Matrix, bits: number): { mean: Float64Array; projection: Float64Array } {
  const pca = fitPca(train, { components: bits });
  const projection = new Float64Array(train.features * bits);
  for (let b = 0; b < bits; b++) for (let f = 0; f < train.features; f++) projection[f * bits + b] = pca.components[b * train.features + f];
  return { mean: Float64Array.from(pca.mean), projection };
}

/**
 * PCAH: the signs of the top `bits` principal components.
 * @example
 * const codes = pcaHasher(train, 32).encode(test);
 */
export function pcaHasher(train: Matrix, bits: number): Hasher {
  const { mean, projection } = pcaProjection(train, bits);
  return new ProjectionHasher(bits, mean, projection);
}

/** ITQ's result: the hasher, and its quantisation loss ‖B − V R‖²_F after each iteration. */
export interface Itq {
  hasher: Hasher;
  losses: number[];
  /** The bits × bits rotation R (row-major). */
  rotation: Float64Array;
}

/**
 * ITQ: PCA to `bits` dimensions (V), then alternately B = sign(V R) and the orthogonal R that
 * best maps V onto B (the orthogonal Procrustes problem: from the SVD of Bᵀ V = S Ω Ŝᵀ, R = Ŝ Sᵀ),
 * starting from a seeded random rotation. Each step lowers ‖B − V R‖²_F.
 * @example
 * const { hasher } = itqHasher(train, 32, { iterations: 50, seed: 1 });
 */
export function itqHasher(train: Matrix, bits: number, options: { iterations?: number; seed?: number } = {}): Itq {
  const { mean, projection } = pcaProjection(train, bits);
  const v = new ProjectionHasher(bits, mean, projection).project(train);
  const n = train.n;
  let r = randomRotation(bits, new Prng(options.seed ?? 0));
  const losses: number[] = [];
  const vr = new Float64Array(n * bits);
  for (let it = 0; it < (options.iterations ?? 50); it++) {
    multiply(v, r, vr, n, bits);
    // B = sign(V R); then C = Bᵀ V (bits × bits).
    const c = new Float64Array(bits * bits);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < bits; a++) {
        const b = vr[i * bits + a] >= 0 ? 1 : -1;
        loss += (b - vr[i * bits + a]) ** 2;
        for (let k = 0; k < bits; k++) c[a * bits + k] += b * v[i * bits + k];
      }
    }
    losses.push(loss);
    // ‖B − V R‖² = const − 2 tr(C R): with C = U Σ Wᵀ the trace is largest for R = W Uᵀ
    // (svd's u and v hold the singular vectors as rows).
    const { u, v: w } = svd(c, bits, bits);
    r = orthogonalFactor(w, u, bits);
  }
  const rotated = new Float64Array(projection.length);
  multiply(projection, r, rotated, train.features, bits);
  return { hasher: new ProjectionHasher(bits, mean, rotated), losses, rotation: r };
}

/** out = a (rows × k) · b (k × k), row-major. */
function multiply(a: Float64Array, b: Float64Array, out: Float64Array, rows: number, k: number): void {
  for (let i = 0; i < rows; i++) {
    for (let q = 0; q < k; q++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * k + q];
      out[i * k + q] = s;
    }
  }
}

/** A random orthogonal matrix: the orthogonal factor of a Gaussian one. */
function randomRotation(k: number, rng: Prng): Float64Array {
  const { u, v } = svd(Float64Array.from({ length: k * k }, () => rng.normal()), k, k);
  return orthogonalFactor(u, v, k);
}

/**
 * Aᵀ B for k × k matrices A and B whose rows are orthonormal vectors (as `svd` gives them):
 * with A's rows the vectors a_t and B's the b_t, the orthogonal matrix Σ_t a_t b_tᵀ.
 */
function orthogonalFactor(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const r = new Float64Array(k * k);
  for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += a[t * k + p] * b[t * k + q];
    r[p * k + q] = s;
  }
  return r;
}
