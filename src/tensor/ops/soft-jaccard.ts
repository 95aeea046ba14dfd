/**
 * The soft Jaccard loss of class scores against labels (Rahman & Wang, "Optimizing
 * Intersection-Over-Union in Deep Neural Networks for Image Segmentation", ISVC 2016): the
 * intersection over union of each class computed with the softmax probabilities in place of the
 * hard prediction, so that it has a gradient, and one minus their mean. Pixel accuracy rewards the
 * background, which fills most pixels; this term weighs every class's overlap alike, as mean IoU
 * does. Fused in the backend (Backend.softJaccard): the value and its gradient come out of one
 * call, in float64 sums.
 */
import { accumulateGrad, isRecording, record } from '../autograd.js';
import { getBackend, Tensor } from '../tensor.js';
import { classScoreLayout } from './loss.js';

/**
 * 1 − (1/K) Σ_c I_c / U_c over the K classes that occur in `labels`, with I_c = Σ p_c·[y = c] and
 * U_c = Σ p_c + Σ [y = c] − I_c summed over every example and position of the batch (p the
 * softmax over classes). logits are [n, classes, …positions]; labels one class per example and
 * position. Classes absent from the labels are left out, as their IoU would be 0 whatever the net
 * does (the cross-entropy beside this term still pushes their probabilities down).
 * @example
 * const loss = softJaccard(scores, labelMap); // scores [batch, 11, 64, 64]
 */
export function softJaccard(logits: Tensor, labels: ArrayLike<number>): Tensor {
  const { n, classes, positions, labelValues } = classScoreLayout('softJaccard', logits, labels);
  const backend = getBackend();
  const unitGrad = logits.requiresGrad && isRecording() ? Tensor.empty(logits.shape) : null;
  const out = Tensor.empty([]);
  out.data[0] = backend.softJaccard(logits.data, labelValues, n, classes, positions, unitGrad?.data ?? null);
  return record(out, {
    op: 'softJaccard',
    inputs: [logits],
    backward(g) {
      accumulateGrad(logits, (dx, beta) => backend.axpby(unitGrad!.data, g[0], dx, beta));
    },
  });
}
