/**
 * The training terms of a hashing autoencoder beyond reconstruction (the `hashing` block of a
 * model config): the bits' balance and decorrelation over each batch, and self-augmented
 * consistency, where a jittered view of each input must give the bits of the original (IMSAT,
 * Hu et al. 2017). They act on soft bits: the probability that each code unit reads 1.
 *
 * The code is the hash preset's: … → dense → [gaussian noise σ] → sigmoid, read as bits at 0.5,
 * so a unit reads 1 when its pre-activation a is above 0; under the noise it reads 1 with
 * probability Φ(a/σ), which σ(1.702·a/σ) matches within 0.01 (the logistic approximation of the
 * normal CDF), so the soft bits are the sigmoid of a scaled by 1.702/σ, or of a itself without noise.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { ActivationLayer } from '../nn/activation.js';
import { bitBalancePenalty, bitDecorrelationPenalty, viewConsistencyPenalty } from '../nn/bit-penalties.js';
import type { ForwardContext } from '../nn/layer.js';
import { NoiseLayer } from '../nn/noise.js';
import type { Sequential } from '../nn/sequential.js';
import { mulScalar, sigmoid, Tensor } from '../tensor/index.js';
import { imageSize, jitterImages } from './image-jitter.js';

/** Φ(t) ≈ σ(1.702 t) (Bowling et al. 2009: the largest error is under 0.01). */
const PROBIT_TO_LOGIT = 1.702;

/** The schema of `config.hashing`; each term is off at weight 0. */
export const hashingSchema = z.object({
  /** The jitter of the augmented view: shift in pixels, rotation in degrees, relative scale; each drawn within ±. */
  augment: z.object({
    shift: z.number().min(0).max(100).default(2),
    rotate: z.number().min(0).max(180).default(10),
    scale: z.number().min(0).max(0.5).default(0.1),
  }).strict().default({ shift: 2, rotate: 10, scale: 0.1 }),
  /** λ of the cross-entropy of the augmented view's bits against the original's (the original a fixed target). */
  consistency: z.number().min(0).default(0),
  /** λ of Σ_k (log 2 − H(mean bit k)): each bit set for half of a batch. */
  balance: z.number().min(0).default(0),
  /** λ of the bits' squared off-diagonal covariances (as ±1), over the number of bits. */
  decorrelation: z.number().min(0).default(0),
}).strict();

/** A validated hashing block. */
export type HashingConfig = z.output<typeof hashingSchema>;

/** Where the code's logits are: the encoder layer whose output they are, and the factor that makes them soft bits. */
interface CodeLogits {
  layer: number;
  factor: number;
}

/**
 * Finds the code's logits in an encoder that ends … → [gaussian noise] → sigmoid activation.
 * @throws UsageError for another layout
 */
export function codeLogits(encoder: Sequential): CodeLogits {
  const layers = encoder.layers;
  const last = layers.at(-1);
  if (!(last instanceof ActivationLayer) || last.spec().activation !== 'sigmoid' || layers.length < 2) {
    throw new UsageError('model config: hashing: the terms act on a code that ends in a sigmoid activation layer (… → dense → [noise gaussian:σ] → activation sigmoid, as the hash preset)');
  }
  const before = layers[layers.length - 2];
  if (before instanceof NoiseLayer) {
    if (before.noise.kind !== 'gaussian' || layers.length < 3) throw new UsageError('model config: hashing: only gaussian noise may stand before the code\'s sigmoid');
    const sigma = before.noise.sigma;
    return { layer: layers.length - 3, factor: sigma > 0 ? PROBIT_TO_LOGIT / sigma : 1 };
  }
  return { layer: layers.length - 2, factor: 1 };
}

/**
 * The hashing terms for a training batch x, whose encoder outputs (from `trace`) are `hidden`:
 * each asked-for penalty, as scalars to add to the loss. The augmented view runs through the
 * encoder once more, up to the code's logits.
 * @example
 * const terms = hashingTerms(config.hashing, model.encoder, x, hidden, ctx);
 */
export function hashingTerms(config: HashingConfig, encoder: Sequential, x: Tensor, hidden: readonly Tensor[], ctx: ForwardContext): Tensor[] {
  const where = codeLogits(encoder);
  const toBits = (pre: Tensor) => (where.factor === 1 ? pre : mulScalar(pre, where.factor));
  const logits = toBits(hidden[where.layer]);
  const bits = sigmoid(logits);
  const terms: Tensor[] = [];
  if (config.balance > 0) terms.push(bitBalancePenalty(bits, config.balance));
  if (config.decorrelation > 0) terms.push(bitDecorrelationPenalty(bits, config.decorrelation));
  if (config.consistency > 0) {
    if (!ctx.rng) throw new UsageError('hashing: the consistency term draws augmented views and needs the training context\'s random generator');
    const shape = x.shape.slice(1);
    imageSize(shape);
    let view = new Tensor(jitterImages(x.data, shape, ctx.rng, config.augment), x.shape);
    for (const layer of encoder.layers.slice(0, where.layer + 1)) view = layer.forward(view, ctx);
    terms.push(viewConsistencyPenalty(toBits(view), bits, config.consistency));
  }
  return terms;
}
