/**
 * The regularization part of an autoencoder config, and what it turns into: the penalty added
 * to each batch's objective, the optimizer's weight decay, and the input corruption.
 *
 * Which layer each term looks at: the sparsity and L1 activity penalties act on the code (the
 * last encoder layer's output); the contractive penalty on the first encoder layer's Jacobian,
 * which is the whole encoder's when the encoder has one layer (the classic contractive
 * autoencoder; in deeper stacks it regularizes the layer that sees the input, as in the greedy
 * layer-wise recipe of Rifai et al. 2011).
 */
import { z } from 'zod';
import type { Activation } from '../backend/backend.js';
import type { Dense } from '../nn/dense.js';
import { type NoiseSpec, parseNoise } from '../nn/noise.js';
import { contractivePenalty, l1ActivityPenalty, sparsityPenalty } from '../nn/regularizers.js';
import { add, type Tensor } from '../tensor/index.js';

/** The schema of `config.regularization`; every term is off when absent. */
export const regularizationSchema = z.object({
  /** λ of the L2 penalty λ‖θ‖² on weights (gradient 2λθ; no ½). */
  l2: z.number().min(0).optional(),
  /** Also decay biases under `l2` (off by default, as biases do not overfit the same way). */
  l2Biases: z.boolean().optional(),
  /** β Σ_l KL(ρ ‖ ρ̂_l) on the code units' batch-mean activations (needs a sigmoid code). */
  sparsity: z.object({
    rho: z.number().gt(0).lt(1).default(0.05),
    beta: z.number().min(0).default(3),
  }).strict().optional(),
  /** λ of the L1 activity penalty λ·mean_rows Σ|h| on the code. */
  l1Activity: z.number().min(0).optional(),
  /** λ of the contractive penalty λ‖J_f(x)‖²_F on the first encoder layer. */
  contractive: z.number().min(0).optional(),
  /** Input corruption for a denoising autoencoder: mask:Q, gaussian:SIGMA or salt-pepper:P. */
  noise: z.string().superRefine((text, ctx) => {
    try {
      parseNoise(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }).optional(),
}).strict();

/** A validated regularization config. */
export type RegularizationConfig = z.output<typeof regularizationSchema>;

/**
 * The optimizer settings that realise `l2`: the optimizers add `weightDecay · θ` to the gradient
 * (PyTorch's convention), which is the gradient of (weightDecay/2)‖θ‖², so λ‖θ‖² needs
 * weightDecay = 2λ. This is exactly the gradient of `l2Penalty`, without its extra passes.
 * @example
 * optimizerDecay({ l2: 1e-4 }); // { weightDecay: 2e-4, decayBiases: false }
 */
export function optimizerDecay(reg: RegularizationConfig | undefined): { weightDecay: number; decayBiases: boolean } {
  return { weightDecay: 2 * (reg?.l2 ?? 0), decayBiases: reg?.l2Biases ?? false };
}

/** The corruption a config asks for, or null. */
export function noiseOf(reg: RegularizationConfig | undefined): NoiseSpec | null {
  return reg?.noise ? parseNoise(reg.noise) : null;
}

/** What the activity penalties read from one forward pass. */
export interface ForwardTrace {
  /** The encoder's layers. */
  encoder: readonly Dense[];
  /** Each encoder layer's output, the last being the code. */
  hidden: readonly Tensor[];
}

/**
 * The sum of the activity penalties a config asks for (sparsity, L1 activity, contractive) for
 * one batch's forward pass, or null when there are none. L2 is applied by the optimizer.
 * @example
 * const penalty = activityPenalty(config.regularization, { encoder, hidden });
 */
export function activityPenalty(reg: RegularizationConfig | undefined, trace: ForwardTrace): Tensor | null {
  if (!reg) return null;
  const code = trace.hidden[trace.hidden.length - 1];
  const terms: Tensor[] = [];
  if (reg.sparsity && reg.sparsity.beta > 0) terms.push(sparsityPenalty(code, reg.sparsity.rho, reg.sparsity.beta));
  if (reg.l1Activity) terms.push(l1ActivityPenalty(code, reg.l1Activity));
  if (reg.contractive) {
    const first = trace.encoder[0];
    terms.push(contractivePenalty(trace.hidden[0], first.weight, first.activation as Activation, reg.contractive, first.leakySlope));
  }
  return terms.length === 0 ? null : terms.reduce((a, b) => add(a, b));
}
