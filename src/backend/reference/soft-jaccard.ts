/**
 * The reference backend's soft Jaccard loss and its gradient (native/soft_jaccard.cc): the
 * specification the native and wasm kernels are tested against. The loss is Rahman & Wang's
 * ("Optimizing Intersection-Over-Union in Deep Neural Networks for Image Segmentation", ISVC 2016):
 * each class's intersection over union computed with the softmax probabilities in place of the
 * hard prediction, averaged over the classes present in the labels.
 */
import type { Backend } from '../backend.js';

/** Per-class sums over the whole batch, in float64. */
interface ClassSums {
  intersection: Float64Array;
  probabilitySum: Float64Array;
  labelCount: Float64Array;
  present: number;
}

/** The soft Jaccard kernel of the Backend interface. */
export const softJaccardKernels: Pick<Backend, 'softJaccard'> = {
  softJaccard(logits, labels, n, classes, positions, grad): number {
    for (let i = 0; i < n * positions; i++) {
      const l = labels[i];
      if (!(Number.isInteger(l) && l >= 0 && l < classes)) throw new RangeError(`softJaccard: label ${l} at ${i} is not a class`);
    }
    // p holds the softmax probabilities, and later (jaccardGradient) the gradient in their place.
    const p = grad ?? new Float32Array(n * classes * positions);
    const sums = softmaxClassSums(logits, labels, n, classes, positions, p);
    let iouSum = 0;
    for (let c = 0; c < classes; c++) {
      if (sums.labelCount[c] === 0) continue;
      iouSum += sums.intersection[c] / (sums.probabilitySum[c] + sums.labelCount[c] - sums.intersection[c]);
    }
    if (grad) jaccardGradient(grad, labels, n, classes, positions, sums);
    return sums.present > 0 ? 1 - iouSum / sums.present : 0;
  },
};

/** Writes the softmax over classes of z into p and returns the per-class sums. */
function softmaxClassSums(z: Float32Array, labels: Float32Array, n: number, classes: number, positions: number, p: Float32Array): ClassSums {
  const intersection = new Float64Array(classes);
  const probabilitySum = new Float64Array(classes);
  const labelCount = new Float64Array(classes);
  const top = new Float32Array(positions);
  const inverseTotal = new Float32Array(positions);
  for (let i = 0; i < n; i++) {
    const labelBase = i * positions;
    for (let q = 0; q < positions; q++) labelCount[labels[labelBase + q]]++;
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
  for (let c = 0; c < classes; c++) if (labelCount[c] > 0) present++;
  return { intersection, probabilitySum, labelCount, present };
}

/**
 * Overwrites the probabilities p with d loss / d logits. With U_c = S_c − I_c + L_c,
 * d(I_c/U_c)/dp_c = ([y = c]·U_c − I_c·(1 − [y = c])) / U_c² at each position; the loss's
 * derivative in p, g_c = −(1/K)·that (0 for absent classes), goes through the softmax as
 * p_k · (g_k − Σ_c p_c g_c).
 */
function jaccardGradient(p: Float32Array, labels: Float32Array, n: number, classes: number, positions: number, sums: ClassSums): void {
  const onTrue = new Float64Array(classes);
  const onOther = new Float64Array(classes);
  for (let c = 0; c < classes; c++) {
    if (sums.labelCount[c] === 0) continue;
    const union = sums.probabilitySum[c] + sums.labelCount[c] - sums.intersection[c];
    onTrue[c] = -1 / (sums.present * union);
    onOther[c] = sums.intersection[c] / (sums.present * union * union);
  }
  // The gradient overwrites p in place, position by position once their dot product is known.
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
      for (let q = 0; q < positions; q++) p[at + q] = p[at + q] * (other - dot[q]);
    }
    for (let q = 0; q < positions; q++) p[base + labels[labelBase + q] * positions + q] += onLabel[q];
  }
}
