/**
 * A Gaussian mixture with diagonal covariances, fitted by expectation-maximisation (Dempster,
 * Laird & Rubin 1977): the density that aekit fits to an autoencoder's training codes to draw new
 * codes from (ex-post density estimation, Ghosh et al. 2020, "From variational to deterministic
 * autoencoders"). Small and seeded: k-means++ seeding (Arthur & Vassilvitskii 2007), then EM in
 * float64 with log-sum-exp responsibilities, so that far-away points do not underflow.
 */
import { UsageError } from '../errors.js';
import { Prng } from '../util/prng.js';

/** Rows of numbers: n rows of `features` values, row-major. */
export interface MixtureData {
  x: ArrayLike<number>;
  n: number;
  features: number;
}

/** A mixture of K Gaussians in R^d with diagonal covariances. */
export interface GaussianMixture {
  /** K mixing weights, summing to 1. */
  weights: number[];
  /** K · d component means, component by component. */
  means: number[];
  /** K · d component variances (the covariances' diagonals). */
  variances: number[];
  components: number;
  features: number;
}

/** How a mixture is fitted. */
export interface MixtureFitOptions {
  components: number;
  seed?: number;
  /** EM stops after this many iterations at most; default 100 (scikit-learn's too). */
  maxIterations?: number;
  /** EM stops when the mean log-likelihood per row gains less than this; default 1e-3 nats (scikit-learn's tol). */
  tolerance?: number;
  /**
   * Smallest variance of a component along feature j, as a fraction of the data's variance along
   * j (default 1e-4): a component on a few near-equal points would otherwise collapse to a spike
   * of unbounded density. A constrained maximum, so EM's ascent is kept.
   */
  varianceFloor?: number;
  /** Called after each iteration with its number and the mean log-likelihood before its M-step. */
  onIteration?: (iteration: number, meanLogLikelihood: number) => void;
}

/** A fitted mixture and how EM went. */
export interface MixtureFit {
  mixture: GaussianMixture;
  /** The mean log-likelihood per row at each iteration's start: never decreasing. */
  logLikelihoods: number[];
  /** The mean log-likelihood per row of the data under the returned mixture. */
  meanLogLikelihood: number;
  iterations: number;
  converged: boolean;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Responsibilities below this are left out of the M-step's sums: with many components most rows
 * are far from most components, and skipping them makes the M-step several times faster while
 * moving a component's mass by at most n · 1e-16 rows.
 */
const NEGLIGIBLE = 1e-16;

/**
 * Fits a K-component diagonal Gaussian mixture to the rows of `data` by EM.
 * @throws UsageError for fewer rows than components, or a non-integer K
 * @example
 * const { mixture } = fitGaussianMixture({ x: codes, n: 1000, features: 2 }, { components: 10, seed: 0 });
 */
export function fitGaussianMixture(data: MixtureData, options: MixtureFitOptions): MixtureFit {
  const { n, features: d } = data;
  const k = options.components;
  if (!(Number.isInteger(k) && k >= 1)) throw new UsageError(`fitGaussianMixture: the number of components must be a positive integer, got ${k}`);
  if (n < k) throw new UsageError(`fitGaussianMixture: ${n} rows cannot be fitted with ${k} components (need at least one row each)`);
  const x = Float64Array.from(data.x);
  const spread = featureVariances(x, n, d);
  const fraction = options.varianceFloor ?? 1e-4;
  const floor = spread.map((v) => Math.max(fraction * v, 1e-12));
  const mixture = seedMixture(x, n, d, k, spread, floor, new Prng(options.seed ?? 0));
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-3;
  const responsibilities = new Float64Array(n * k);
  const logLikelihoods: number[] = [];
  let converged = false;
  let iterations = 0;
  while (iterations < maxIterations) {
    const mean = expectation(mixture, x, n, responsibilities);
    iterations++;
    options.onIteration?.(iterations, mean);
    const previous = logLikelihoods.at(-1);
    logLikelihoods.push(mean);
    if (previous !== undefined && mean - previous < tolerance) {
      converged = true;
      break;
    }
    maximisation(mixture, x, n, responsibilities, floor);
  }
  // The last M-step's mixture has not been scored yet unless EM stopped on convergence.
  const meanLogLikelihood = converged ? logLikelihoods.at(-1)! : expectation(mixture, x, n, responsibilities);
  return { mixture, logLikelihoods, meanLogLikelihood, iterations, converged };
}

/**
 * log p(x) of each row under the mixture, by log-sum-exp over its components.
 * @example
 * const perRow = mixtureLogDensity(mixture, { x: validationCodes, n: 500, features: 50 });
 */
export function mixtureLogDensity(mixture: GaussianMixture, data: MixtureData): Float64Array {
  if (data.features !== mixture.features) throw new UsageError(`mixtureLogDensity: rows of ${data.features} values for a mixture in R^${mixture.features}`);
  const out = new Float64Array(data.n);
  const joint = new Float64Array(mixture.components);
  const x = Float64Array.from(data.x);
  const terms = componentTerms(mixture);
  for (let i = 0; i < data.n; i++) out[i] = rowLogDensity(mixture, terms, x, i, joint);
  return out;
}

/**
 * `count` rows drawn from the mixture: a component by its weight, then its Gaussian with the
 * standard deviations scaled by `temperature` (1: the mixture itself).
 * @example
 * const z = sampleGaussianMixture(mixture, 100, new Prng(0)); // 100 · d values
 */
export function sampleGaussianMixture(mixture: GaussianMixture, count: number, rng: Prng, temperature = 1): Float32Array {
  const { components: k, features: d, weights, means, variances } = mixture;
  const out = new Float32Array(count * d);
  for (let i = 0; i < count; i++) {
    let u = rng.uniform();
    let c = 0;
    // Walk the cumulative weights; rounding leaves a sliver above the last one, which is c = K − 1.
    while (c < k - 1 && u >= weights[c]) u -= weights[c++];
    for (let j = 0; j < d; j++) out[i * d + j] = means[c * d + j] + temperature * Math.sqrt(variances[c * d + j]) * rng.normal();
  }
  return out;
}

/** The data's variance along each feature. */
function featureVariances(x: Float64Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  const spread = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) spread[j] += (x[i * d + j] - mean[j]) ** 2 / n;
  return spread;
}

/**
 * The start: K rows chosen by k-means++ (each next mean drawn with probability proportional to
 * its squared distance from the nearest mean so far, so that the means spread over the data),
 * equal weights, and the data's variances.
 */
function seedMixture(x: Float64Array, n: number, d: number, k: number, spread: Float64Array, floor: Float64Array, rng: Prng): GaussianMixture {
  const means: number[] = [];
  const nearest = new Float64Array(n).fill(Infinity);
  let chosen = rng.int(n);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) means.push(x[chosen * d + j]);
    let total = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[i * d + j] - x[chosen * d + j]) ** 2;
      if (s < nearest[i]) nearest[i] = s;
      total += nearest[i];
    }
    if (total === 0) {
      chosen = rng.int(n); // every row is already a mean: any row will do
      continue;
    }
    let u = rng.uniform() * total;
    chosen = n - 1;
    for (let i = 0; i < n; i++) {
      u -= nearest[i];
      if (u < 0) {
        chosen = i;
        break;
      }
    }
  }
  const variances: number[] = [];
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) variances.push(Math.max(spread[j], floor[j]));
  return { weights: new Array<number>(k).fill(1 / k), means, variances, components: k, features: d };
}

/** Per component: log w_k − ½ Σ_j log(2π σ²_kj), and the precisions 1/σ²_kj. */
function componentTerms(mixture: GaussianMixture): { constants: Float64Array; precisions: Float64Array } {
  const { components: k, features: d } = mixture;
  const constants = new Float64Array(k);
  const precisions = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    let s = Math.log(mixture.weights[c]);
    for (let j = 0; j < d; j++) {
      const v = mixture.variances[c * d + j];
      s -= 0.5 * (LOG_2PI + Math.log(v));
      precisions[c * d + j] = 1 / v;
    }
    constants[c] = s;
  }
  return { constants, precisions };
}

/** log p(row i), leaving log w_k + log N(x_i | μ_k, Σ_k) in `joint`. */
function rowLogDensity(mixture: GaussianMixture, terms: { constants: Float64Array; precisions: Float64Array }, x: Float64Array, i: number, joint: Float64Array): number {
  const { components: k, features: d, means } = mixture;
  const { constants, precisions } = terms;
  let top = -Infinity;
  for (let c = 0; c < k; c++) {
    let q = 0;
    for (let j = 0; j < d; j++) {
      const r = x[i * d + j] - means[c * d + j];
      q += r * r * precisions[c * d + j];
    }
    joint[c] = constants[c] - 0.5 * q;
    if (joint[c] > top) top = joint[c];
  }
  let sum = 0;
  for (let c = 0; c < k; c++) sum += Math.exp(joint[c] - top);
  return top + Math.log(sum);
}

/** The E-step: responsibilities r_ik = p(k | x_i), and the mean log-likelihood per row. */
function expectation(mixture: GaussianMixture, x: Float64Array, n: number, responsibilities: Float64Array): number {
  const k = mixture.components;
  const terms = componentTerms(mixture);
  const joint = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const logDensity = rowLogDensity(mixture, terms, x, i, joint);
    total += logDensity;
    for (let c = 0; c < k; c++) responsibilities[i * k + c] = Math.exp(joint[c] - logDensity);
  }
  return total / n;
}

/**
 * The M-step: weights, means and variances maximising the expected complete log-likelihood,
 * variances held at their floors. A component that lost every row keeps its mean and variances
 * with weight 0 (re-seeding it would break EM's ascent).
 */
function maximisation(mixture: GaussianMixture, x: Float64Array, n: number, responsibilities: Float64Array, floor: Float64Array): void {
  const { components: k, features: d, means, variances, weights } = mixture;
  const mass = new Float64Array(k);
  const sums = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = responsibilities[i * k + c];
      // Far from this component: its share of the sums is below a float64's resolution of them.
      if (r < NEGLIGIBLE) continue;
      mass[c] += r;
      for (let j = 0; j < d; j++) sums[c * d + j] += r * x[i * d + j];
    }
  }
  for (let c = 0; c < k; c++) {
    weights[c] = mass[c] / n;
    if (mass[c] > 0) for (let j = 0; j < d; j++) means[c * d + j] = sums[c * d + j] / mass[c];
  }
  // Second pass about the new means (not E[x²] − μ², which loses digits when σ ≪ |μ|).
  sums.fill(0);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = responsibilities[i * k + c];
      if (r < NEGLIGIBLE) continue;
      for (let j = 0; j < d; j++) sums[c * d + j] += r * (x[i * d + j] - means[c * d + j]) ** 2;
    }
  }
  for (let c = 0; c < k; c++) {
    if (mass[c] > 0) for (let j = 0; j < d; j++) variances[c * d + j] = Math.max(sums[c * d + j] / mass[c], floor[j]);
  }
}
