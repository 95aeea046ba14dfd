/**
 * The decoder as a generative network: new examples decoded from draws of a VAE's prior, walks
 * between two examples' codes (spherical for Gaussian codes, whose mass lies near a sphere;
 * straight for a deterministic autoencoder, which has no prior and is labelled so), and for a
 * 2-d code the decoded latent grid of Kingma & Welling (2014, figure 4): codes at the normal
 * quantiles of an even grid, so that each cell holds the same prior mass.
 */
import type { Matrix } from '../data/dataset.js';
import { UsageError } from '../errors.js';
import { type GaussianMixture, sampleGaussianMixture } from '../linalg/gaussian-mixture.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { variationalParts } from '../training/likelihood.js';
import { Prng } from '../util/prng.js';
import { transformRows } from './transform.js';

/** How new examples are drawn. */
export interface SampleOptions {
  count: number;
  /**
   * z ~ N(0, T²I), or from the mixture with its components' standard deviations scaled by T:
   * below 1, more typical and less varied examples; default 1.
   */
  temperature?: number;
  seed?: number;
  /**
   * Draw codes from this density instead of the prior N(0, I): a mixture fitted to the training
   * codes (code-mixture.ts), which also serves a deterministic autoencoder.
   */
  mixture?: GaussianMixture;
}

/**
 * Codes drawn from a VAE's prior N(0, T²I) (or from `options.mixture`), and their decodings (the
 * decoder's mean: the sigmoid's probabilities for a Bernoulli output), in the model's input space.
 * @throws UsageError for a deterministic autoencoder without a mixture: it has no prior to draw from
 * @example
 * const { codes, samples } = sampleFromPrior(vae, { count: 100, temperature: 1, seed: 0 });
 */
export function sampleFromPrior(model: Autoencoder, options: SampleOptions): { codes: Matrix; samples: Matrix } {
  if (!variationalParts(model) && !options.mixture) {
    throw new UsageError('sample: this model is a deterministic autoencoder, which has no prior to draw codes from; draw from a density fitted to its training codes (aekit sample --prior mixture), train a VAE (--preset vae or conv-vae), or use aekit interpolate or decode');
  }
  if (options.mixture && options.mixture.features !== model.codeSize) {
    throw new UsageError(`sample: the mixture is over ${options.mixture.features}-d codes, this model's code has ${model.codeSize} units`);
  }
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0 && Number.isFinite(temperature))) throw new UsageError(`sample: the temperature must be a positive number, got ${temperature}`);
  if (!(Number.isInteger(options.count) && options.count > 0)) throw new UsageError(`sample: the count must be a positive integer, got ${options.count}`);
  const rng = new Prng(options.seed ?? 0);
  const units = model.codeSize;
  let z: Float32Array;
  if (options.mixture) {
    z = sampleGaussianMixture(options.mixture, options.count, rng, temperature);
  } else {
    z = new Float32Array(options.count * units);
    for (let i = 0; i < z.length; i++) z[i] = temperature * rng.normal();
  }
  const codes = { x: z, n: options.count, features: units };
  return { codes, samples: transformRows(model, 'decode', codes) };
}

/** How a walk between two codes goes. */
export type InterpolationKind = 'spherical' | 'linear';

/**
 * The point a fraction t of the way from a to b: along the great circle (slerp; Shoemake 1985,
 * White 2016 for generative models), the magnitudes interpolated linearly, or straight.
 * @example
 * interpolate(Float32Array.of(1, 0), Float32Array.of(0, 1), 0.5, 'spherical'); // [0.7071, 0.7071]
 */
export function interpolate(a: Float32Array, b: Float32Array, t: number, kind: InterpolationKind): Float32Array {
  const out = new Float32Array(a.length);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  na = Math.sqrt(na);
  nb = Math.sqrt(nb);
  const omega = na > 0 && nb > 0 ? Math.acos(Math.max(-1, Math.min(1, dot / (na * nb)))) : 0;
  // Nearly parallel directions (or a zero code): the straight line is the same walk.
  if (kind === 'linear' || Math.sin(omega) < 1e-6) {
    for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i] + t * b[i];
    return out;
  }
  const wa = Math.sin((1 - t) * omega) / Math.sin(omega);
  const wb = Math.sin(t * omega) / Math.sin(omega);
  const radius = (1 - t) * na + t * nb;
  for (let i = 0; i < a.length; i++) out[i] = radius * (wa * a[i] / na + wb * b[i] / nb);
  return out;
}

/** A walk's codes and decodings, and how it walked. */
export interface Walk {
  kind: InterpolationKind;
  /** True for a VAE (codes are posterior means), false for a deterministic autoencoder. */
  variational: boolean;
  codes: Matrix;
  outputs: Matrix;
}

/**
 * `steps` points from example `from` to example `to` of `data` (both ends included): their codes
 * (a VAE's posterior means), walked spherically for a VAE and straight otherwise, decoded.
 * @throws UsageError for an index outside the data or fewer than 2 steps
 * @example
 * const walk = interpolateExamples(vae, test, 0, 1, 10);
 */
export function interpolateExamples(model: Autoencoder, data: Matrix, from: number, to: number, steps: number): Walk {
  for (const [name, index] of [['--from', from], ['--to', to]] as const) {
    if (!(Number.isInteger(index) && index >= 0 && index < data.n)) throw new UsageError(`interpolate: ${name} ${index} is not an example of the data (0..${data.n - 1})`);
  }
  if (!(Number.isInteger(steps) && steps >= 2)) throw new UsageError(`interpolate: --steps must be an integer of at least 2 (both ends included), got ${steps}`);
  const variational = variationalParts(model) !== null;
  const kind: InterpolationKind = variational ? 'spherical' : 'linear';
  const ends = transformRows(model, 'encode', {
    x: Float32Array.from([...data.x.subarray(from * data.features, (from + 1) * data.features), ...data.x.subarray(to * data.features, (to + 1) * data.features)]),
    n: 2, features: data.features,
  });
  const units = ends.features;
  const a = ends.x.subarray(0, units);
  const b = ends.x.subarray(units);
  const codes = new Float32Array(steps * units);
  for (let s = 0; s < steps; s++) codes.set(interpolate(a, b, s / (steps - 1), kind), s * units);
  const matrix = { x: codes, n: steps, features: units };
  return { kind, variational, codes: matrix, outputs: transformRows(model, 'decode', matrix) };
}

/**
 * Φ⁻¹(p), the standard normal quantile, by bisection on Φ (erf by Abramowitz & Stegun 7.1.26,
 * error below 1.5e-7): exact enough to place grid codes.
 */
export function normalQuantile(p: number): number {
  const cdf = (x: number) => {
    const t = 1 / (1 + 0.3275911 * Math.abs(x) / Math.SQRT2);
    const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x / 2);
    return 0.5 * (1 + Math.sign(x) * erf);
  };
  let low = -10;
  let high = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (cdf(mid) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/**
 * The decoded latent grid of a 2-d code: row r, column c decodes z = (Φ⁻¹((c + ½)/n), Φ⁻¹(1 − (r + ½)/n)),
 * so z₂ grows upwards as on a plot.
 * @throws UsageError unless the code has two units
 * @example
 * const grid = latentGrid(vae2d, 20); // 400 decoded images, row by row
 */
export function latentGrid(model: Autoencoder, size: number): Matrix {
  if (model.codeSize !== 2) throw new UsageError(`the latent grid needs a 2-d code; this model's has ${model.codeSize} units`);
  const z = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      z[(r * size + c) * 2] = normalQuantile((c + 0.5) / size);
      z[(r * size + c) * 2 + 1] = normalQuantile(1 - (r + 0.5) / size);
    }
  }
  return transformRows(model, 'decode', { x: z, n: size * size, features: 2 });
}
