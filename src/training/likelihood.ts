/**
 * The likelihood of a variational autoencoder, in nats, as papers report it:
 *
 * - the ELBO, E_q[log p(x | z)] − KL(q(z | x) ‖ p(z)), with the KL in closed form and the
 *   expectation averaged over the same K draws;
 * - the importance-sampled log-likelihood of Burda, Grosse & Salakhutdinov (2015),
 *   log p(x) ≈ log (1/K) Σ_k p(x | z_k) p(z_k) / q(z_k | x), z_k ~ q(z | x), a lower bound that
 *   tightens as K grows and is exact for any K when q is the true posterior; the test NLL is its
 *   negative mean over the examples (K = 5,000 in their paper).
 *
 * log p(x | z) is the model's own likelihood: Bernoulli for a sigmoid output with binary
 * cross-entropy, Gaussian N(x̂, σ²I) for the `gaussian` loss, and for squared error the Gaussian
 * whose negative log-likelihood it is up to a constant (σ² = ½).
 */
import { UsageError } from '../errors.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { activateOutput, gaussianVariance } from '../models/output.js';
import { Gaussian } from '../nn/gaussian.js';
import { INFERENCE, type Layer } from '../nn/layer.js';
import { getBackend, noGrad, Tensor, tidy } from '../tensor/index.js';
import { Prng } from '../util/prng.js';
import type { Matrix } from '../data/dataset.js';

/** The parts of a VAE: the encoder's layers before its Gaussian code, and the code layer. */
export interface VariationalParts {
  body: readonly Layer[];
  code: Gaussian;
}

/**
 * The Gaussian code of `model` when it is a VAE (its encoder ends in a `gaussian` layer), else null.
 * @throws UsageError when a gaussian layer sits elsewhere than at the encoder's end
 * @example
 * const parts = variationalParts(model); // null for a deterministic autoencoder
 */
export function variationalParts(model: Autoencoder): VariationalParts | null {
  const layers = model.encoder.layers;
  const at = layers.findIndex((l) => l instanceof Gaussian);
  if (at < 0) return null;
  if (at !== layers.length - 1) {
    throw new UsageError(`encoder.${at} (gaussian): a VAE's Gaussian code must be the encoder's last layer (sampling, interpolation and the likelihood read z there)`);
  }
  return { body: layers.slice(0, at), code: layers[at] as Gaussian };
}

/**
 * Each code unit's KL(q(z_j | x) ‖ N(0, 1)), the mean over the examples of `data`: a unit near 0
 * carries no information about x (it is "inactive"; Burda et al. 2015 count units by a related
 * activity measure).
 * @example
 * const perUnit = klPerUnit(vae, test); // one value per code unit, in nats
 */
export function klPerUnit(model: Autoencoder, data: Matrix, batchSize = 1000): number[] {
  const parts = variationalParts(model);
  if (!parts) throw new UsageError('the KL per unit is a VAE\'s (an encoder ending in a gaussian code layer); this model is deterministic');
  const units = parts.code.units;
  const totals = new Float64Array(units);
  for (let start = 0; start < data.n; start += batchSize) {
    const rows = Math.min(batchSize, data.n - start);
    noGrad(() => tidy(() => {
      let h = model.asInput(new Tensor(data.x.slice(start * data.features, (start + rows) * data.features), [rows, data.features]));
      for (const layer of parts.body) h = layer.forward(h, INFERENCE);
      const { mean, logVariance } = parts.code.distribution(h);
      for (let i = 0; i < rows * units; i++) {
        const m = mean.data[i];
        const lv = logVariance.data[i];
        totals[i % units] += 0.5 * (m * m + Math.exp(lv) - lv - 1);
      }
    }));
  }
  return Array.from(totals, (v) => v / Math.max(data.n, 1));
}

/** How to estimate. */
export interface LikelihoodOptions {
  /** Importance samples K per example; default 5000 (Burda et al. 2015). */
  samples?: number;
  /** Seeds the draws; default 0. */
  seed?: number;
  /** Decoder rows per pass (examples × their samples); default 5000. */
  rowsPerPass?: number;
  /** Called after each example with the examples done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Stops between examples; the estimate then covers the examples done. */
  signal?: AbortSignal;
}

/** The estimate, in nats per example (means over the examples). */
export interface LikelihoodResult {
  /** −log p(x), importance-sampled with `samples` draws. */
  nll: number;
  /** The evidence lower bound (≤ log p(x)), its expectation averaged over the same draws. */
  elbo: number;
  /** KL(q(z | x) ‖ N(0, I)), in closed form. */
  kl: number;
  /** −E_q[log p(x | z)]. */
  reconstruction: number;
  samples: number;
  examples: number;
  /** The KL of each code unit (mean over examples): which units the model uses. */
  klPerUnit: number[];
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Estimates the test NLL and ELBO of a VAE on `data` (rows in the model's input space).
 * @throws UsageError when the model is not a VAE or K is not a positive integer
 * @example
 * const { nll, elbo } = await estimateLikelihood(model, test, { samples: 5000 });
 */
export async function estimateLikelihood(model: Autoencoder, data: Matrix, options: LikelihoodOptions = {}): Promise<LikelihoodResult> {
  const parts = variationalParts(model);
  if (!parts) throw new UsageError('the likelihood is estimated for a VAE (an encoder ending in a gaussian code layer); this model is deterministic');
  const samples = options.samples ?? 5000;
  if (!Number.isInteger(samples) || samples < 1) throw new UsageError(`importance samples: expected a positive integer, got ${samples}`);
  const rng = new Prng(options.seed ?? 0);
  const units = parts.code.units;
  const features = data.features;
  const perPass = Math.max(1, Math.floor((options.rowsPerPass ?? 5000) / samples)) || 1;
  const chunk = Math.min(samples, options.rowsPerPass ?? 5000);
  const rowLogLikelihood = likelihoodOf(model, features);
  const totals = { logPx: 0, reconstruction: 0, kl: 0, examples: 0 };
  const klPerUnit = new Float64Array(units);
  let lastYield = performance.now();

  for (let start = 0; start < data.n; start += perPass) {
    if (options.signal?.aborted) break;
    const rows = Math.min(perPass, data.n - start);
    const x = data.x.subarray(start * features, (start + rows) * features);
    const { mean, logVariance } = noGrad(() => tidy(() => {
      let h = model.asInput(new Tensor(x.slice(), [rows, features]));
      for (const layer of parts.body) h = layer.forward(h, INFERENCE);
      const code = parts.code.distribution(h);
      return { mean: code.mean.data.slice(), logVariance: code.logVariance.data.slice() };
    }));
    for (let r = 0; r < rows; r++) {
      const mu = mean.subarray(r * units, (r + 1) * units);
      const logVar = logVariance.subarray(r * units, (r + 1) * units);
      const target = x.subarray(r * features, (r + 1) * features);
      let kl = 0;
      for (let j = 0; j < units; j++) {
        const unitKl = 0.5 * (mu[j] * mu[j] + Math.exp(logVar[j]) - logVar[j] - 1);
        kl += unitKl;
        klPerUnit[j] += unitKl;
      }
      // log-mean-exp of the log weights, kept as a running maximum and a sum scaled to it.
      let max = -Infinity;
      let scaled = 0;
      let meanLogLikelihood = 0;
      for (let done = 0; done < samples; done += chunk) {
        const k = Math.min(chunk, samples - done);
        const z = new Float32Array(k * units);
        const logPriorOverPosterior = new Float64Array(k);
        for (let s = 0; s < k; s++) {
          let acc = 0;
          for (let j = 0; j < units; j++) {
            const eps = rng.normal();
            const value = mu[j] + Math.exp(0.5 * logVar[j]) * eps;
            z[s * units + j] = value;
            // log N(z; 0, 1) − log N(z; μ, σ²) = −½ z² + ½ ε² + ½ log σ².
            acc += 0.5 * (eps * eps - value * value + logVar[j]);
          }
          logPriorOverPosterior[s] = acc;
        }
        const logLikelihoods = rowLogLikelihood(z, k, target);
        for (let s = 0; s < k; s++) {
          meanLogLikelihood += logLikelihoods[s] / samples;
          const logWeight = logLikelihoods[s] + logPriorOverPosterior[s];
          if (logWeight > max) {
            scaled = scaled * Math.exp(max - logWeight) + 1;
            max = logWeight;
          } else {
            scaled += Math.exp(logWeight - max);
          }
        }
      }
      totals.logPx += max + Math.log(scaled / samples);
      totals.reconstruction -= meanLogLikelihood;
      totals.kl += kl;
      totals.examples++;
      options.onProgress?.(totals.examples, data.n);
    }
    if (performance.now() - lastYield > 50) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
  }
  const n = Math.max(totals.examples, 1);
  return {
    nll: -totals.logPx / n,
    elbo: -(totals.reconstruction + totals.kl) / n,
    kl: totals.kl / n,
    reconstruction: totals.reconstruction / n,
    samples,
    examples: totals.examples,
    klPerUnit: Array.from(klPerUnit, (v) => v / n),
  };
}

/**
 * log p(x | z) for each of k codes against one example `target`: the decoder's output, read by the
 * model's likelihood, in float64 per row.
 */
function likelihoodOf(model: Autoencoder, features: number): (z: Float32Array, k: number, target: Float32Array) => Float64Array {
  const backend = getBackend();
  const output = model.output;
  return (z, k, target) => noGrad(() => tidy(() => {
    const logits = model.logits(new Tensor(z, [k, z.length / k]));
    const out = new Float64Array(k);
    if (output.loss === 'bce') {
      for (let s = 0; s < k; s++) out[s] = -backend.bceWithLogits(logits.data.subarray(s * features, (s + 1) * features), target, null, 1);
      return out;
    }
    const mean = activateOutput(logits, output).data;
    // Squared error is the Gaussian likelihood with σ² = ½ (its negative log is sse + ½ log π a value).
    const variance = output.loss === 'gaussian' ? gaussianVariance(output) : 0.5;
    const constant = features * (HALF_LOG_2PI + 0.5 * Math.log(variance));
    for (let s = 0; s < k; s++) {
      out[s] = -backend.squaredError(mean.subarray(s * features, (s + 1) * features), target, null, 1) / (2 * variance) - constant;
    }
    return out;
  }));
}
