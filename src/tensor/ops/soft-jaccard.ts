/**
 * The soft Jaccard loss of class scores against labels (Rahman & Wang, "Optimizing
 * Intersection-Over-Union in Deep Neural Networks for Image Segmentation", ISVC 2016): the
 * intersection over union of each class computed with the softmax probabilities in place of the
 * hard prediction, so that it has a gradient, and one minus their mean. Pixel accuracy rewards the
 * background, which fills most pixels; this term weighs every class's overlap alike, as mean IoU
 * does. Fused: the value and its gradient come out of one pass, in float64 sums.
 */
import { ShapeError } from '../../errors.js';
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
  const { n, classes, positions } = classScoreLayout('softJaccard', logits, labels);
  const z = logits.data;
  // p holds the softmax probabilities, and later (jaccardGradient) the gradient in their place.
  const p = new Float32Array(logits.size);
  const intersection = new Float64Array(classes);
  const probabilitySum = new Float64Array(classes);
  const labelCount = new Float64Array(classes);
  const top = new Float32Array(positions);
  const inverseTotal = new Float32Array(positions);
  for (let i = 0; i < n; i++) {
    const labelBase = i * positions;
    for (let q = 0; q < positions; q++) {
      const l = labels[labelBase + q];
      if (!(Number.isInteger(l) && l >= 0 && l < classes)) {
        throw new ShapeError(`softJaccard: label ${l} at example ${i}, position ${q} is not a class in 0..${classes - 1}`);
      }
      labelCount[l]++;
    }
    // Class by class over contiguous positions: the scores of one class lie together.
    const base = i * classes * positions;
    top.set(z.subarray(base, base + positions));
    for (let c = 1; c < classes; c++) {
      const at = base + c * positions;
      for (let q = 0; q < positions; q++) if (z[at + q] > top[q]) top[q] = z[at + q];
    }
    inverseTotal.fill(0);
    for (let c = 0; c < classes; c++) {
      const at = base + c * positions;
      for (let q = 0; q < positions; q++) {
        const e = Math.exp(z[at + q] - top[q]);
        p[at + q] = e;
        inverseTotal[q] += e;
      }
    }
    for (let q = 0; q < positions; q++) inverseTotal[q] = 1 / inverseTotal[q];
    for (let c = 0; c < classes; c++) {
      const at = base + c * positions;
      let sum = 0;
      for (let q = 0; q < positions; q++) {
        const probability = p[at + q] * inverseTotal[q];
        p[at + q] = probability;
        sum += probability;
      }
      probabilitySum[c] += sum;
    }
    for (let q = 0; q < positions; q++) {
      const l = labels[labelBase + q];
      intersection[l] += p[base + l * positions + q];
    }
  }
  let present = 0;
  let iouSum = 0;
  for (let c = 0; c < classes; c++) {
    if (labelCount[c] === 0) continue;
    present++;
    iouSum += intersection[c] / (probabilitySum[c] + labelCount[c] - intersection[c]);
  }
  const out = Tensor.empty([]);
  out.data[0] = present > 0 ? 1 - iouSum / present : 0;
  const unitGrad = logits.requiresGrad && isRecording() && present > 0
    ? jaccardGradient(p, labels, n, classes, positions, { intersection, probabilitySum, labelCount, present })
    : null;
  return record(out, {
    op: 'softJaccard',
    inputs: [logits],
    backward(g) {
      if (!unitGrad) return;
      accumulateGrad(logits, (dx, beta) => getBackend().axpby(unitGrad, g[0], dx, beta));
    },
  });
}

interface ClassSums {
  intersection: Float64Array;
  probabilitySum: Float64Array;
  labelCount: Float64Array;
  present: number;
}

/**
 * d loss / d logits. With U_c = S_c − I_c, d(I_c/U_c)/dp_c = ([y = c]·U_c − I_c·(1 − [y = c])) / U_c²
 * at each position; the loss's derivative in p, g_c = −(1/K)·that (0 for absent classes), goes
 * through the softmax as p_k · (g_k − Σ_c p_c g_c).
 */
function jaccardGradient(p: Float32Array, labels: ArrayLike<number>, n: number, classes: number, positions: number, sums: ClassSums): Float32Array {
  const onTrue = new Float64Array(classes);
  const onOther = new Float64Array(classes);
  for (let c = 0; c < classes; c++) {
    if (sums.labelCount[c] === 0) continue;
    const union = sums.probabilitySum[c] + sums.labelCount[c] - sums.intersection[c];
    onTrue[c] = -1 / (sums.present * union);
    onOther[c] = sums.intersection[c] / (sums.present * union * union);
  }
  // The gradient overwrites p in place, position by position once their dot product is known.
  const grad = p;
  const dot = new Float64Array(positions);
  const onLabel = new Float64Array(positions);
  for (let i = 0; i < n; i++) {
    const base = i * classes * positions;
    const labelBase = i * positions;
    // g_c at every position: onOther[c], or onTrue[c] where the label is c.
    dot.fill(0);
    for (let c = 0; c < classes; c++) {
      const at = base + c * positions;
      const other = onOther[c];
      for (let q = 0; q < positions; q++) dot[q] += p[at + q] * other;
    }
    for (let q = 0; q < positions; q++) {
      const l = labels[labelBase + q];
      onLabel[q] = p[base + l * positions + q] * (onTrue[l] - onOther[l]);
      dot[q] += onLabel[q];
    }
    for (let c = 0; c < classes; c++) {
      const at = base + c * positions;
      const other = onOther[c];
      for (let q = 0; q < positions; q++) grad[at + q] = p[at + q] * (other - dot[q]);
    }
    for (let q = 0; q < positions; q++) grad[base + labels[labelBase + q] * positions + q] += onLabel[q];
  }
  return grad;
}
