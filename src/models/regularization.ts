/**
 * The regularization block of the short-form config: the short way to write the regularizers
 * that attach to layers (`expandShortForm` in config.ts puts each on its layer).
 *
 * Which layer each term looks at: the sparsity and L1 activity penalties act on the code (the
 * last encoder layer's output); the contractive penalty on the first encoder layer's Jacobian,
 * which is the whole encoder's when the encoder has one layer (the classic contractive
 * autoencoder; in deeper stacks it regularizes the layer that sees the input, as in the greedy
 * layer-wise recipe of Rifai et al. 2011).
 */
import { z } from 'zod';
import { noiseText } from '../nn/noise.js';

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
  noise: noiseText.optional(),
}).strict();

/** A validated regularization config. */
export type RegularizationConfig = z.output<typeof regularizationSchema>;
