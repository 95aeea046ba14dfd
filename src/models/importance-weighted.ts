/**
 * The training objective of an importance-weighted autoencoder (Burda, Grosse & Salakhutdinov
 * 2015): with k draws z_1..z_k ~ q(z | x) per example and weights w_i = p(x | z_i) p(z_i) / q(z_i | x),
 *
 *   L_k(x) = log (1/k) Σ_i w_i,
 *
 * a lower bound on log p(x) that is the ELBO at k = 1 and tightens as k grows. Its gradient is
 * Σ_i w̃_i ∇ log w_i with the normalised weights w̃_i = w_i / Σ_j w_j held constant (their
 * equation 14), so the objective is built as that weighted sum of per-draw terms, which needs no
 * log-sum-exp in the autograd; its value is then shifted (by a constant, which moves no gradient)
 * to the bound itself, so the reported loss is −L_k in nats per example.
 *
 * During KL warm-up the prior-over-posterior part of log w is scaled by β (as the ELBO's KL term
 * is), which at k = 1 gives back the warmed-up ELBO.
 */
import type { Gaussian } from '../nn/gaussian.js';
import type { ForwardContext, Layer } from '../nn/layer.js';
import type { Sequential } from '../nn/sequential.js';
import { add, addScalar, exp, mul, mulScalar, reshape, rowBceWithLogits, square, sub, sum, Tensor } from '../tensor/index.js';
import type { OutputConfig } from './config.js';
import { UsageError } from '../errors.js';

/** What the objective needs of a VAE: its encoder body and code, its decoder and its likelihood. */
export interface ImportanceWeightedParts {
  body: readonly Layer[];
  code: Gaussian;
  decoder: Sequential;
  output: OutputConfig;
}

/**
 * −L_k for a batch x (the mean over examples, in nats), k = `parts.code.samples`, and the
 * penalties of the other layers (activity regularizers), or null.
 * @throws UsageError for a likelihood other than a Bernoulli one (sigmoid output, `bce`)
 * @example
 * const { loss } = importanceWeightedObjective(parts, x, { training: true, rng, epoch: 3 });
 */
export function importanceWeightedObjective(parts: ImportanceWeightedParts, x: Tensor, ctx: ForwardContext): { loss: Tensor; penalties: Tensor[] } {
  const { body, code, decoder, output } = parts;
  if (output.loss !== 'bce') throw new UsageError(`gaussian: samples > 1 (the importance-weighted bound) is implemented for a Bernoulli likelihood (loss "bce"), not "${output.loss}"`);
  if (!ctx.rng) throw new UsageError('the importance-weighted objective draws codes: it needs the training loop\'s generator');
  const k = code.samples;
  const batch = x.shape[0];
  const units = code.units;

  const hidden: Tensor[] = [];
  let h = x;
  for (const layer of body) hidden.push(h = layer.forward(h, ctx));
  const { mean, logVariance } = code.distribution(h);

  // k draws per example, example-major: rows i·k … i·k + k − 1 belong to example i.
  const noise = Tensor.empty([batch, k, units]);
  const halfNoiseSquares = new Float64Array(batch * k);
  for (let row = 0; row < batch * k; row++) {
    let acc = 0;
    for (let j = 0; j < units; j++) {
      const e = ctx.rng.normal();
      noise.data[row * units + j] = e;
      acc += e * e;
    }
    halfNoiseSquares[row] = 0.5 * acc;
  }
  const mean3 = reshape(mean, [batch, 1, units]);
  const logVariance3 = reshape(logVariance, [batch, 1, units]);
  const z = add(mean3, mul(exp(mulScalar(logVariance3, 0.5)), noise));
  const restored = decoder.trace(reshape(z, [batch * k, units]), ctx);
  const logits = restored[restored.length - 1];

  // The targets, each example repeated for its k draws.
  const example = x.size / batch;
  const targets = new Tensor(new Float32Array(batch * k * example), logits.shape);
  for (let i = 0; i < batch; i++) {
    const row = x.data.subarray(i * example, (i + 1) * example);
    for (let s = 0; s < k; s++) targets.data.set(row, (i * k + s) * example);
  }

  // −log w = −log p(x | z) − β (log p(z) − log q(z | x)), where
  // log p(z) − log q(z | x) = −½‖z‖² + ½‖ε‖² + ½ Σ log σ²; ½‖ε‖² carries no gradient and joins later.
  const beta = code.betaAt(ctx.epoch ?? Infinity);
  const negativeLogLikelihood = reshape(rowBceWithLogits(logits, targets), [batch, k]);
  const ratioWithoutNoise = sub(mulScalar(sum(logVariance3, 2), 0.5), mulScalar(sum(square(z), 2), 0.5));
  const negativeLogWeight = sub(negativeLogLikelihood, mulScalar(ratioWithoutNoise, beta));

  // Normalised weights (held constant) and the bound, per example, by a stable log-sum-exp.
  const normalised = Tensor.empty([batch, k]);
  let bound = 0;
  for (let i = 0; i < batch; i++) {
    let max = -Infinity;
    for (let s = 0; s < k; s++) {
      const logWeight = -negativeLogWeight.data[i * k + s] + beta * halfNoiseSquares[i * k + s];
      normalised.data[i * k + s] = logWeight;
      if (logWeight > max) max = logWeight;
    }
    let total = 0;
    for (let s = 0; s < k; s++) total += (normalised.data[i * k + s] = Math.exp(normalised.data[i * k + s] - max));
    for (let s = 0; s < k; s++) normalised.data[i * k + s] /= total;
    bound += max + Math.log(total / k);
  }
  const surrogate = mulScalar(sum(mul(negativeLogWeight, normalised)), 1 / batch);
  const loss = addScalar(surrogate, -bound / batch - surrogate.data[0]);
  const penalties = [
    ...body.flatMap((layer, i) => layer.penalty(hidden[i]) ?? []),
    ...decoder.penalties(restored),
  ];
  return { loss, penalties };
}
