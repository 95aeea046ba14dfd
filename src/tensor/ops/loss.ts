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

/**
 * Σ BCE(σ(logits), target) of each example (row) on its own: a tensor [rows] whose gradient
 * reaches each row's logits scaled by that row's upstream gradient. An importance-weighted
 * objective (models/importance-weighted.ts) weighs every row by its normalised importance weight.
 * The target gets no gradient.
 * @example
 * const perExample = rowBceWithLogits(logits, x); // [batch]: −log p(x_i | z_i) for a Bernoulli output
 */
export function rowBceWithLogits(logits: Tensor, target: Tensor): Tensor {
  if (!sameShape(logits.shape, target.shape) || logits.shape.length < 1) {
    throw new ShapeError(`rowBceWithLogits: logits ${formatShape(logits.shape)} and target ${formatShape(target.shape)} differ`);
  }
  const backend = getBackend();
  const rows = logits.shape[0];
  const width = rows > 0 ? logits.size / rows : 0;
  const unitGrad = logits.requiresGrad && isRecording() ? Tensor.empty(logits.shape) : null;
  const out = Tensor.empty([rows]);
  for (let r = 0; r < rows; r++) {
    const at = r * width;
    out.data[r] = backend.bceWithLogits(logits.data.subarray(at, at + width), target.data.subarray(at, at + width),
      unitGrad ? unitGrad.data.subarray(at, at + width) : null, 1);
  }
  return record(out, {
    op: 'rowBceWithLogits',
    inputs: [logits],
    backward(g) {
      accumulateGrad(logits, (dx, beta) => {
        for (let r = 0; r < rows; r++) {
          const at = r * width;
          backend.axpby(unitGrad!.data.subarray(at, at + width), g[r], dx.subarray(at, at + width), beta);
        }
      });
    },
  });
}

/** How softmaxCrossEntropy weighs and averages. */
export interface SoftmaxCrossEntropyOptions {
  /** A weight per class, multiplying the loss of each position whose label is that class (default all 1). */
  classWeights?: ArrayLike<number>;
}

/**
 * The layout of class scores [n, classes, …positions] against labels, one per example and
 * position, as the losses over classes take them, and the labels as the backends take them, each
 * checked to be a class before a kernel indexes by it.
 * @param op the loss's name, for the message
 * @throws ShapeError when the scores have no class axis, the label count does not fit them, or a
 *   label is not an integer class
 */
export function classScoreLayout(op: string, logits: Tensor, labels: ArrayLike<number>): { n: number; classes: number; positions: number; labelValues: Float32Array } {
  if (logits.shape.length < 2) throw new ShapeError(`${op}: expected scores [batch, classes, …], got ${formatShape(logits.shape)}`);
  const [n, classes] = logits.shape;
  const positions = logits.size / (n * classes);
  if (labels.length !== n * positions) {
    throw new ShapeError(`${op}: ${labels.length} labels for scores ${formatShape(logits.shape)} (expected ${n * positions}: one per example and position)`);
  }
  const labelValues = labels instanceof Float32Array ? labels : Float32Array.from(labels);
  for (let i = 0; i < labelValues.length; i++) {
    const label = labelValues[i];
    if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
      throw new ShapeError(`${op}: label ${label} at example ${Math.floor(i / positions)}, position ${i % positions} is not a class in 0..${classes - 1}`);
    }
  }
  return { n, classes, positions, labelValues };
}

/**
 * The softmax cross-entropy of class scores against labels, fused: log-softmax and the negative
 * log-likelihood in one pass, its gradient (softmax − one-hot, weighted) computed alongside.
 * logits are [n, classes, …positions] (a class score per pixel for segmentation, or [n, classes]
 * for classification) and labels hold one class per example and position. The value is the
 * weighted mean over positions: Σ w_label · (−log p_label) / Σ w_label.
 * @example
 * const loss = softmaxCrossEntropy(scores, labelMap); // scores [batch, 11, 64, 64], labels 64·64 per scene
 */
export function softmaxCrossEntropy(logits: Tensor, labels: ArrayLike<number>, options: SoftmaxCrossEntropyOptions = {}): Tensor {
  const { n, classes, positions, labelValues } = classScoreLayout('softmaxCrossEntropy', logits, labels);
  const weights = options.classWeights;
  if (weights && weights.length !== classes) throw new ShapeError(`softmaxCrossEntropy: ${weights.length} class weights for ${classes} classes`);
  const backend = getBackend();
  const unitGrad = logits.requiresGrad && isRecording() ? Tensor.empty(logits.shape) : null;
  const [total, weightSum] = backend.softmaxCrossEntropy(logits.data, labelValues, n, classes, positions,
    weights ? Float32Array.from(weights) : null, unitGrad?.data ?? null);
  const norm = weightSum > 0 ? 1 / weightSum : 0;
  const out = Tensor.empty([]);
  out.data[0] = total * norm;
  return record(out, {
    op: 'softmaxCrossEntropy',
    inputs: [logits],
    backward(g) {
      accumulateGrad(logits, (dx, beta) => backend.axpby(unitGrad!.data, g[0] * norm, dx, beta));
    },
  });
}
