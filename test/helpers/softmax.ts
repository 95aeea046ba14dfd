/**
 * The softmax over classes, worked out by hand in float64 as an independent reference for exported
 * graphs and modules: scores of shape [n, classes, ...positions] (a classifier's [n, classes], a
 * segmenter's [n, classes, h, w]), each position of each example normalized over its classes.
 */
export function softmaxOverClasses(scores: ArrayLike<number>, n: number, classes: number): Float32Array {
  const positions = scores.length / (n * classes);
  const out = new Float32Array(scores.length);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < positions; p++) {
      const at = (c: number) => (i * classes + c) * positions + p;
      let top = -Infinity;
      for (let c = 0; c < classes; c++) top = Math.max(top, scores[at(c)]);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(scores[at(c)] - top);
      for (let c = 0; c < classes; c++) out[at(c)] = Math.exp(scores[at(c)] - top) / sum;
    }
  }
  return out;
}
