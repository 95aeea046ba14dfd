/**
 * A few labelled examples out of many: the same number from every class, drawn with a seed, for
 * the semi-supervised case (`aekit classify --labels N`).
 */
import { UsageError } from '../errors.js';
import { Prng } from '../util/prng.js';

/**
 * The indices of `count` examples, `count / classes` of each class, chosen by a seeded shuffle;
 * returned in increasing order. The same labels, count and seed give the same indices.
 * @param labels one class per example, each in 0 .. classes − 1
 * @throws UsageError when `count` is not a positive multiple of `classes`, or a class has too few examples
 * @example
 * balancedSample(train.labels, 1000, 10, 0); // 100 indices of each digit
 */
export function balancedSample(labels: ArrayLike<number>, count: number, classes: number, seed = 0): Uint32Array {
  if (!(Number.isSafeInteger(count) && count > 0 && count % classes === 0)) {
    const below = Math.floor(count / classes) * classes;
    const nearest = below >= classes ? `${below} or ${below + classes}` : `${classes}`;
    throw new UsageError(`--labels ${count}: the labelled examples are balanced over the ${classes} classes, so their number must be a positive multiple of ${classes} (e.g. ${nearest})`);
  }
  const perClass = count / classes;
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) throw new UsageError(`balancedSample: label ${c} of example ${i} is not a class in 0..${classes - 1}`);
    byClass[c].push(i);
  }
  const short = byClass.findIndex((members) => members.length < perClass);
  if (short >= 0) {
    throw new UsageError(`--labels ${count}: class ${short} has ${byClass[short].length} training examples, fewer than the ${perClass} per class that ${count} balanced labels need`);
  }
  // One shuffle over all examples, then the first perClass of each class in that order: a class's
  // choice does not depend on how many of the others are taken.
  const order = new Prng(seed).permutation(labels.length);
  const taken = new Array<number>(classes).fill(0);
  const chosen: number[] = [];
  for (const i of order) {
    const c = labels[i];
    if (taken[c] < perClass) {
      taken[c]++;
      chosen.push(i);
      if (chosen.length === count) break;
    }
  }
  return Uint32Array.from(chosen).sort();
}
