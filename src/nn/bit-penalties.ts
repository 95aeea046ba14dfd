/**
 * Penalties on a batch of soft bits p ∈ (0, 1) (the probability that each code unit reads 1),
 * the terms that unsupervised hashing adds to a code so that its bits carry information:
 *
 * - bit balance: the marginal entropy of each bit over the batch pushed to its maximum, log 2 (the
 *   H(Y) part of IMSAT's mutual information I(X; Y) under independent bits; Hu et al. 2017,
 *   "Learning Discrete Representations via Information Maximizing Self-Augmented Training");
 * - bit decorrelation: the squared off-diagonal covariances of the bits over the batch, so that
 *   bits do not repeat each other (the independence that assumption needs);
 * - view consistency: the cross-entropy of an augmented view's bits against the original's,
 *   taken as a fixed target (IMSAT's self-augmented training).
 *
 * Built from the tensor primitives, so they need no backward of their own; each returns a scalar.
 */
import { UsageError } from '../errors.js';
import {
  add, addScalar, bceWithLogits, clamp, log, matmul, mean, mul, mulScalar, rsubScalar, square, sub, sum, Tensor,
} from '../tensor/index.js';

/** Keeps a bit's batch mean off 0 and 1, where the entropy's logarithms blow up. */
const MEAN_EPS = 1e-6;

/**
 * λ Σ_k (log 2 − H(m_k)): m_k the mean of bit k over the batch's rows, H the binary entropy.
 * Zero exactly when every bit is 1 for half the batch.
 * @param p soft bits [batch, bits], in (0, 1)
 * @example
 * const penalty = bitBalancePenalty(sigmoid(logits), 0.1);
 */
export function bitBalancePenalty(p: Tensor, lambda: number): Tensor {
  const bits = p.shape[p.shape.length - 1];
  const m = clamp(mean(p, 0), MEAN_EPS, 1 - MEAN_EPS);
  // −H(m) = m log m + (1 − m) log(1 − m)
  const one = rsubScalar(m, 1);
  const negEntropy = add(sum(mul(m, log(m))), sum(mul(one, log(one))));
  return mulScalar(addScalar(negEntropy, bits * Math.LN2), lambda);
}

/**
 * λ (1/bits) Σ_{j≠k} C_jk², with C = 4 · cov(p) over the batch: the covariance of the bits read
 * as ±1 (2p − 1), whose entries lie in [−1, 1]. Zero when no two bits co-vary over the batch.
 * @param p soft bits [batch, bits]
 * @example
 * const penalty = bitDecorrelationPenalty(sigmoid(logits), 0.1);
 */
export function bitDecorrelationPenalty(p: Tensor, lambda: number): Tensor {
  if (p.shape.length !== 2) throw new UsageError(`bitDecorrelationPenalty: expected soft bits [batch, bits], got ${p.shape.length} axes`);
  const [rows, bits] = p.shape;
  const centred = sub(p, mean(p, 0));
  const cov = mulScalar(matmul(centred, centred, true, false), 4 / rows);
  const offDiagonal = new Tensor(Float32Array.from({ length: bits * bits }, (_, i) => (i % (bits + 1) === 0 ? 0 : 1)), [bits, bits]);
  return mulScalar(sum(square(mul(cov, offDiagonal))), lambda / bits);
}

/**
 * λ (1/batch) Σ BCE(σ(viewLogits), target): how far an augmented view's bits are from the
 * original's soft bits `target`, which get no gradient (the original view is the teacher).
 * @param viewLogits the augmented view's code logits [batch, bits]
 * @param target the original view's soft bits [batch, bits], in [0, 1]
 * @example
 * const penalty = viewConsistencyPenalty(augmentedLogits, softBits, 1); // softBits get no gradient from it
 */
export function viewConsistencyPenalty(viewLogits: Tensor, target: Tensor, lambda: number): Tensor {
  const fixed = new Tensor(Float32Array.from(target.data), target.shape);
  return bceWithLogits(viewLogits, fixed, lambda / viewLogits.shape[0]);
}
