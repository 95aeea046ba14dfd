/**
 * Fused loss primitives: the value and its gradient come out of one pass over the data, and the
 * binary cross-entropy is taken from logits so it never evaluates log(0).
 */
import { ShapeError } from '../../errors.js';
import { accumulateGrad, isRecording, record } from '../autograd.js';
import { formatShape, sameShape } from '../shape.js';
import { getBackend, Tensor } from '../tensor.js';

type FusedLoss = 'squaredError' | 'bceWithLogits';

function fusedLoss(kind: FusedLoss, input: Tensor, target: Tensor, scale: number): Tensor {
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(`${kind}: prediction ${formatShape(input.shape)} and target ${formatShape(target.shape)} differ`);
  }
  const backend = getBackend();
  // The gradient per unit of upstream gradient, computed now while the data is in cache.
  const unitGrad = input.requiresGrad && isRecording() ? Tensor.empty(input.shape) : null;
  const value = backend[kind](input.data, target.data, unitGrad ? unitGrad.data : null, scale);
  const out = Tensor.empty([]);
  out.data[0] = value;
  return record(out, {
    op: kind,
    inputs: [input],
    backward(g) {
      accumulateGrad(input, (dx, beta) => backend.axpby(unitGrad!.data, g[0], dx, beta));
    },
  });
}

/**
 * scale · Σ (pred − target)². With scale = 1/batch this is the `sse` metric: the mean over
 * examples of each example's summed squared error. The target gets no gradient.
 * @example
 * const loss = squaredError(xHat, x, 1 / batchSize);
 */
export function squaredError(pred: Tensor, target: Tensor, scale = 1): Tensor {
  return fusedLoss('squaredError', pred, target, scale);
}

/**
 * scale · Σ BCE(σ(logits), target), computed stably from the logits. With scale = 1/batch this
 * is the `bce` metric. The target gets no gradient.
 * @example
 * const loss = bceWithLogits(logits, x, 1 / batchSize);
 */
export function bceWithLogits(logits: Tensor, target: Tensor, scale = 1): Tensor {
  return fusedLoss('bceWithLogits', logits, target, scale);
}
