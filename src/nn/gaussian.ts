/**
 * The code layer of a variational autoencoder (Kingma & Welling 2014): two affine maps give the
 * mean μ and the log-variance log σ² of a diagonal Gaussian q(z | x), and while training the layer
 * draws z = μ + σ ⊙ ε, ε ~ N(0, I) (the reparameterisation trick, so gradients reach μ and σ). Its
 * penalty is β · KL(q(z | x) ‖ N(0, I)), the ELBO's second term, in nats per example, with two
 * aids against posterior collapse: free bits (each unit's batch-mean KL counts as at least λ
 * nats, so the optimiser gains nothing by pushing it lower; Kingma et al. 2016) and KL warm-up (β
 * rising linearly from 0 over the first epochs; Sønderby et al. 2016). At inference the code is μ.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import {
  add, addScalar, exp, linear, mul, mulScalar, relu, square, sub, sum, Tensor,
} from '../tensor/index.js';
import type { Prng } from '../util/prng.js';
import { INIT_SCHEMES, initWeight, type InitScheme } from './init.js';
import { expectVector, type ForwardContext, type Layer, type NamedBuffer, type NamedParameter, weightAndBias } from './layer.js';

/** The spec of a Gaussian (reparameterised) code layer. */
export const gaussianSpec = z.object({
  type: z.literal('gaussian'),
  name: z.string().optional(),
  /** Code units: the dimension of z. */
  units: z.number().int().positive().max(1 << 16),
  init: z.enum(INIT_SCHEMES as unknown as [InitScheme, ...InitScheme[]]).default('xavier-uniform'),
  /** The weight of the KL term (β-VAE, Higgins et al. 2017); 1 gives the ELBO. */
  beta: z.number().min(0).default(1),
  /** Free bits λ in nats per unit: a unit's batch-mean KL below λ counts as λ (no gradient). */
  freeBits: z.number().min(0).default(0),
  /** KL warm-up: β is scaled by min(1, epochs done / warmup); 0 for none. */
  warmup: z.number().min(0).default(0),
  /**
   * Importance samples k per example in the training objective: k > 1 trains the k-sample
   * importance-weighted bound of Burda, Grosse & Salakhutdinov (2015) instead of the ELBO (absent: 1).
   */
  samples: z.number().int().min(1).max(1000).optional(),
}).strict();

/** A Gaussian code layer's spec as written. */
export type GaussianSpecInput = z.input<typeof gaussianSpec>;
/** A Gaussian code layer's spec, defaults filled in. */
export type GaussianSpec = z.output<typeof gaussianSpec>;

/** q(z | x) for a batch: mean and log-variance, each [batch, units]. */
export interface GaussianCode {
  mean: Tensor;
  logVariance: Tensor;
}

/**
 * KL(N(μ, σ²) ‖ N(0, 1)) = ½ (μ² + σ² − log σ² − 1) per value, as a tensor [batch, units].
 * @example
 * const kl = gaussianKl(code.mean, code.logVariance); // nats per example and unit
 */
export function gaussianKl(mean: Tensor, logVariance: Tensor): Tensor {
  return mulScalar(addScalar(sub(add(square(mean), exp(logVariance)), logVariance), -1), 0.5);
}

/**
 * A diagonal-Gaussian code with the reparameterisation trick.
 * @example
 * const code = new Gaussian({ type: 'gaussian', units: 50 }, [256], new Prng(1));
 * const z = code.forward(h, { training: true, rng }); // μ + σ ⊙ ε
 * const kl = code.penalty(z);                        // β · mean over the batch of Σ_j KL_j
 */
export class Gaussian implements Layer {
  readonly type = 'gaussian';
  readonly outputShape: readonly number[];
  readonly meanWeight: Tensor;
  readonly meanBias: Tensor;
  readonly logVarianceWeight: Tensor;
  readonly logVarianceBias: Tensor;
  private readonly config: GaussianSpec;
  /** The last training draw, whose KL the penalty of that same output reads. */
  private last: { z: Tensor; code: GaussianCode; epoch: number } | null = null;

  constructor(spec: GaussianSpecInput, readonly inputShape: readonly number[], rng: Prng) {
    this.config = gaussianSpec.parse(spec);
    if ((this.config.samples ?? 1) > 1 && this.config.freeBits > 0) {
      throw new UsageError(`gaussian: freeBits (${this.config.freeBits}) applies to the ELBO's KL term; with samples ${this.config.samples} (the importance-weighted bound) it must be 0`);
    }
    expectVector('gaussian', inputShape);
    const [inputs] = inputShape;
    const units = this.config.units;
    this.outputShape = [units];
    this.meanWeight = Tensor.zeros([units, inputs], true);
    this.meanBias = Tensor.zeros([units], true);
    this.logVarianceWeight = Tensor.zeros([units, inputs], true);
    this.logVarianceBias = Tensor.zeros([units], true);
    initWeight(this.meanWeight.data, inputs, units, this.config.init, rng);
    initWeight(this.logVarianceWeight.data, inputs, units, this.config.init, rng);
  }

  /** Code units. */
  get units(): number {
    return this.config.units;
  }

  /** μ and log σ² of q(z | x) for a batch h of the layer's inputs. */
  distribution(h: Tensor): GaussianCode {
    return {
      mean: linear(h, this.meanWeight, this.meanBias, 'identity'),
      logVariance: linear(h, this.logVarianceWeight, this.logVarianceBias, 'identity'),
    };
  }

  /**
   * A draw z = μ + σ ⊙ ε when the context has a generator (training, or an estimate that samples),
   * else μ: the code of inference is the posterior mean.
   */
  forward(x: Tensor, ctx?: ForwardContext): Tensor {
    const code = this.distribution(x);
    if (!ctx?.rng) return code.mean;
    const noise = Tensor.empty(code.mean.shape);
    for (let i = 0; i < noise.size; i++) noise.data[i] = ctx.rng.normal();
    const z = add(code.mean, mul(exp(mulScalar(code.logVariance, 0.5)), noise));
    this.last = { z, code, epoch: ctx.epoch ?? Infinity };
    return z;
  }

  /**
   * The mean over the batch of Σ_j KL_j for the draw that gave `output` (β = 1, no free bits: the
   * ELBO's own term), or null for any other tensor.
   * @example
   * const z = code.forward(h, { training: false, rng: new Prng(0) });
   * const kl = code.klOf(z);
   */
  klOf(output: Tensor): Tensor | null {
    if (!this.last || this.last.z !== output) return null;
    const { code } = this.last;
    this.last = null;
    return mulScalar(sum(gaussianKl(code.mean, code.logVariance)), 1 / output.shape[0]);
  }

  parameters(prefix: string): NamedParameter[] {
    return [
      ...weightAndBias(`${prefix}.mean`, this.meanWeight, this.meanBias),
      ...weightAndBias(`${prefix}.logvar`, this.logVarianceWeight, this.logVarianceBias),
    ];
  }

  buffers(): NamedBuffer[] {
    return [];
  }

  spec(): GaussianSpec {
    return { ...this.config };
  }

  /** Importance samples per example in the training objective (1: the ELBO). */
  get samples(): number {
    return this.config.samples ?? 1;
  }

  /** β at `epoch` epochs of training done: warm-up scales it linearly from 0. */
  betaAt(epoch: number): number {
    const { beta, warmup } = this.config;
    return warmup > 0 ? beta * Math.min(1, epoch / warmup) : beta;
  }

  /**
   * β_t · Σ_j max(λ, mean over the batch of KL_j), from the draw that gave `output`; null for any
   * other tensor (an inference pass has no KL term to train).
   */
  penalty(output: Tensor): Tensor | null {
    if (!this.last || this.last.z !== output) return null;
    const { code, epoch } = this.last;
    this.last = null;
    const batch = output.shape[0];
    const beta = this.betaAt(epoch);
    const { freeBits } = this.config;
    const kl = gaussianKl(code.mean, code.logVariance);
    if (freeBits <= 0) return mulScalar(sum(kl), beta / batch);
    // max(λ, k) = relu(k − λ) + λ: below λ the unit's KL gets no gradient.
    const perUnit = mulScalar(sum(kl, 0), 1 / batch);
    return mulScalar(addScalar(sum(relu(addScalar(perUnit, -freeBits))), freeBits * this.units), beta);
  }
}
