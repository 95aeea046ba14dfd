/**
 * Penalty terms for regularized autoencoders, built from the tensor primitives (so they need no
 * backward of their own): L2 weight decay, the sparsity KL penalty, the L1 activity penalty and
 * the contractive penalty. Each returns a scalar tensor to add to the reconstruction loss.
 *
 * Scale: the reconstruction loss is a mean over the batch's examples, so the per-example
 * penalties (L1 activity, contractive) are means over the batch too; the weight and sparsity
 * penalties are per batch by definition (ρ̂ is a batch statistic).
 */
import { z } from 'zod';
import type { Activation } from '../backend/backend.js';
import { UsageError } from '../errors.js';
import {
  abs, add, addScalar, clamp, log, mean, mul, mulScalar, relu, rsubScalar, square, sum, type Tensor, unary,
} from '../tensor/index.js';

/** A coupled L2 penalty λ‖θ‖² on a layer's kernel or bias (Keras's `kernel_regularizer=l2(λ)`, without its ½). */
export const l2Schema = z.object({ l2: z.number().min(0) }).strict();

/** Penalties on a layer's output (Keras's `activity_regularizer`). */
export const activityRegularizerSchema = z.object({
  /** β Σ_l KL(ρ ‖ ρ̂_l) on the units' batch-mean activations (sigmoid units). */
  kl: z.object({
    rho: z.number().gt(0).lt(1).default(0.05),
    beta: z.number().min(0).default(3),
  }).strict().optional(),
  /** λ of the L1 activity penalty λ·mean_rows Σ|h|. */
  l1: z.number().min(0).optional(),
}).strict();

/** A layer's activity regularizers, defaults filled in. */
export type ActivityRegularizer = z.output<typeof activityRegularizerSchema>;

/**
 * The activity penalties `reg` asks for on a layer's output h, in a fixed order (KL, then L1);
 * empty when there are none.
 * @example
 * const terms = activityPenalties(code, { kl: { rho: 0.05, beta: 3 } });
 */
export function activityPenalties(h: Tensor, reg: ActivityRegularizer | undefined): Tensor[] {
  const terms: Tensor[] = [];
  if (reg?.kl && reg.kl.beta > 0) terms.push(sparsityPenalty(h, reg.kl.rho, reg.kl.beta));
  if (reg?.l1) terms.push(l1ActivityPenalty(h, reg.l1));
  return terms;
}

/** The sum of penalty terms, or null when there are none. */
export function sumTerms(terms: readonly Tensor[]): Tensor | null {
  return terms.length === 0 ? null : terms.reduce((a, b) => add(a, b));
}

/** Keeps ρ̂ away from 0 and 1, where the KL's logarithms blow up; clamp passes no gradient there. */
const RHO_HAT_EPS = 1e-6;

/** 1 where x > 0, 0 at 0, −1 below; its gradient is zero. */
const sign = (x: Tensor): Tensor => unary('sign', x);

/**
 * λ Σ_t ‖t‖², the L2 weight penalty over `tensors`. Convention: λ multiplies the plain squared
 * norm (no ½), so the gradient with respect to each weight θ is 2λθ.
 * @example
 * const penalty = l2Penalty(model.parameters().filter((p) => p.kind === 'weight').map((p) => p.tensor), 1e-4);
 */
export function l2Penalty(tensors: readonly Tensor[], lambda: number): Tensor {
  if (tensors.length === 0) throw new UsageError('l2Penalty: no tensors to penalize');
  let total = sum(square(tensors[0]));
  for (const t of tensors.slice(1)) total = add(total, sum(square(t)));
  return mulScalar(total, lambda);
}

/**
 * β Σ_l KL(ρ ‖ ρ̂_l), the sparsity penalty: ρ̂_l is the mean activation of unit l over the batch
 * (rows of `h`, which must lie in (0, 1): sigmoid units), and
 * KL(ρ ‖ ρ̂) = ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)), zero exactly when ρ̂ = ρ.
 * @param h activations [batch, units]
 * @param rho the target mean activation, in (0, 1)
 * @param beta the penalty's weight
 * @example
 * const penalty = sparsityPenalty(code, 0.05, 3);
 */
export function sparsityPenalty(h: Tensor, rho: number, beta: number): Tensor {
  if (!(rho > 0 && rho < 1)) throw new UsageError(`sparsityPenalty: rho must be in (0, 1), got ${rho}`);
  const units = h.shape[h.shape.length - 1];
  const rhoHat = clamp(mean(h, 0), RHO_HAT_EPS, 1 - RHO_HAT_EPS);
  // Σ_l KL = units·(ρ log ρ + (1−ρ) log(1−ρ)) − ρ Σ log ρ̂ − (1−ρ) Σ log(1−ρ̂)
  const constant = units * (rho * Math.log(rho) + (1 - rho) * Math.log(1 - rho));
  const cross = add(mulScalar(sum(log(rhoHat)), rho), mulScalar(sum(log(rsubScalar(rhoHat, 1))), 1 - rho));
  return mulScalar(addScalar(mulScalar(cross, -1), constant), beta);
}

/**
 * λ · (1/batch) Σ |h|, the L1 activity penalty: Keras's `activity_regularizer=l1(λ)`, which
 * also divides by the batch size. Pushes activations (not weights) to exact zeros.
 * @param h activations [batch, units]
 * @example
 * const penalty = l1ActivityPenalty(code, 1e-3);
 */
export function l1ActivityPenalty(h: Tensor, lambda: number): Tensor {
  return mulScalar(sum(abs(h)), lambda / h.shape[0]);
}

/**
 * act'(a) for a dense layer's pre-activation a, written through its output h = act(a) (every
 * supported activation allows it) so the penalty needs no second forward pass.
 */
function derivativeFromOutput(h: Tensor, activation: Activation, slope: number): Tensor | null {
  switch (activation) {
    case 'identity': return null;
    case 'sigmoid': return mul(h, rsubScalar(h, 1)); // h(1 − h)
    case 'tanh': return rsubScalar(square(h), 1); // 1 − h²
    // Piecewise constant: sign() carries no gradient, which is the true derivative here.
    case 'relu': return sign(h);
    case 'leaky_relu': return addScalar(mulScalar(sign(relu(h)), 1 - slope), slope);
  }
}

/**
 * λ · (1/batch) Σ_rows ‖J(x)‖²_F, the contractive penalty of one dense layer h = act(x·Wᵀ + b):
 * its Jacobian is J_ji = act'(a_j) W_ji, so ‖J‖²_F = Σ_j act'(a_j)² Σ_i W_ji². For a sigmoid layer
 * that is the closed form Σ_j (h_j(1 − h_j))² Σ_i W_ji² (Rifai et al. 2011); tanh, relu, leaky relu
 * and identity use their own act' (identity: ‖W‖²_F, the same for every row).
 * @param h the layer's output [batch, out]
 * @param weight its weight [out, in]
 * @example
 * const penalty = contractivePenalty(h, layer.weight, 'sigmoid', 0.1);
 */
export function contractivePenalty(h: Tensor, weight: Tensor, activation: Activation, lambda: number, slope = 0.01): Tensor {
  const d = derivativeFromOutput(h, activation, slope);
  if (!d) return mulScalar(sum(square(weight)), lambda);
  const rowNorms = sum(square(weight), 1); // Σ_i W_ji², one per unit j
  return mulScalar(sum(mul(square(d), rowNorms)), lambda / h.shape[0]);
}
