/**
 * The model's output, which the model owns: the decoder ends in an affine layer whose output is
 * the logits, and the output activation and the loss are applied here. So the binary
 * cross-entropy is always taken from logits (it never evaluates log 0), with no special case in
 * the layers.
 */
import { addScalar, bceWithLogits, sigmoid, squaredError, type Tensor } from '../tensor/index.js';
import type { OutputConfig } from './config.js';

/**
 * The reconstruction from the decoder's logits.
 * @example
 * const xHat = activateOutput(logits, { activation: 'sigmoid', loss: 'bce' });
 */
export function activateOutput(logits: Tensor, output: OutputConfig): Tensor {
  return output.activation === 'sigmoid' ? sigmoid(logits) : logits;
}

/**
 * The reconstruction loss scale · Σ loss(x̂, target): BCE from the logits, or squared error.
 * With scale = 1/batch it is the mean over examples of each example's summed loss.
 * @example
 * const loss = reconstructionLoss(logits, x, output, 1 / batchSize);
 */
export function reconstructionLoss(logits: Tensor, target: Tensor, output: OutputConfig, scale = 1): Tensor {
  if (output.loss === 'bce') return bceWithLogits(logits, target, scale);
  if (output.loss === 'mse') return squaredError(activateOutput(logits, output), target, scale);
  // −log N(x; x̂, σ²I) = Σ (x − x̂)² / 2σ² + ½ log(2πσ²) for each value.
  const variance = gaussianVariance(output);
  return addScalar(squaredError(activateOutput(logits, output), target, scale / (2 * variance)), 0.5 * Math.log(2 * Math.PI * variance) * target.size * scale);
}

/** σ² of a Gaussian likelihood (loss "gaussian"; σ defaults to 1). */
export function gaussianVariance(output: OutputConfig): number {
  return (output.sigma ?? 1) ** 2;
}

/**
 * The summed binary cross-entropy of a probabilistic (sigmoid) output, or null when the output
 * is not a probability.
 * @example
 * const bce = outputBce(logits, x, output)?.item() ?? null;
 */
export function outputBce(logits: Tensor, target: Tensor, output: OutputConfig): Tensor | null {
  return output.activation === 'sigmoid' ? bceWithLogits(logits, target) : null;
}
