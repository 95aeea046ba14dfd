/**
 * The reference backend's part for losses with their gradients in the same pass (native/losses.cc).
 * Plain TypeScript written to be obviously right: the specification the native kernels are tested against.
 */
import type { Backend } from '../backend.js';
import { sigmoid } from './elementwise.js';

/** The losses kernels of the Backend interface. */
export const lossesKernels: Pick<Backend, 'squaredError' | 'bceWithLogits' | 'softmaxCrossEntropy'> = {
  squaredError(pred, target, grad, scale): number {
    let acc = 0;
    for (let i = 0; i < pred.length; i++) {
      const d = pred[i] - target[i];
      acc += d * d;
      if (grad) grad[i] = 2 * scale * d;
    }
    return scale * acc;
  },

  bceWithLogits(logits, target, grad, scale): number {
    let acc = 0;
    for (let i = 0; i < logits.length; i++) {
      const z = logits[i];
      const t = target[i];
      acc += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
      if (grad) grad[i] = scale * (sigmoid(z) - t);
    }
    return scale * acc;
  },

  softmaxCrossEntropy(logits, labels, n, classes, positions, weights, grad): [number, number] {
    let loss = 0;
    let weightSum = 0;
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < positions; p++) {
        const label = labels[i * positions + p];
        if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
          throw new RangeError(`softmaxCrossEntropy: label ${label} at ${i * positions + p} is not a class`);
        }
        const at = (c: number) => (i * classes + c) * positions + p;
        let max = -Infinity;
        for (let c = 0; c < classes; c++) max = Math.max(max, logits[at(c)]);
        let sumExp = 0;
        for (let c = 0; c < classes; c++) sumExp += Math.exp(logits[at(c)] - max);
        const w = weights ? weights[label] : 1;
        loss += w * (max + Math.log(sumExp) - logits[at(label)]);
        weightSum += w;
        if (grad) {
          for (let c = 0; c < classes; c++) grad[at(c)] = w * (Math.exp(logits[at(c)] - max) / sumExp - (c === label ? 1 : 0));
        }
      }
    }
    return [loss, weightSum];
  },
};
