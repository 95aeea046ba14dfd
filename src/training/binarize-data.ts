/**
 * Stochastic binarisation of grey values in [0, 1], as the likelihood papers prepare MNIST
 * (Salakhutdinov & Murray 2008; "dynamic binarisation", Burda et al. 2015): each value becomes 1
 * with probability equal to it. Drawn afresh for every training batch (so the model never sees
 * one binary image twice), and once with a fixed seed for validation and test examples, so that
 * their likelihoods are of fixed binary data.
 */
import { Prng } from '../util/prng.js';

/** How training data is binarised: `dynamic`, a fresh draw each time a batch is made; `none`. */
export type Binarization = 'dynamic' | 'none';

/**
 * Replaces every value v of `x` by 1 with probability v, else 0, drawing from `rng`.
 * @example
 * binarizeInPlace(batch.x.data, rng);
 */
export function binarizeInPlace(x: Float32Array, rng: Prng): void {
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform() < x[i] ? 1 : 0;
}

/**
 * A binarised copy of `data`'s values, drawn from `rng`; the rest of `data` as it was.
 * @example
 * const fixedTest = binarizedCopy(test, new Prng(seed));
 */
export function binarizedCopy<T extends { x: Float32Array }>(data: T, rng: Prng): T {
  const x = data.x.slice();
  binarizeInPlace(x, rng);
  return { ...data, x };
}

/**
 * The fixed seeds of held-out data's one binarisation: the same for every run, so that two runs'
 * test likelihoods are of the very same binary images and compare.
 */
export const FIXED_BINARIZATION_SEEDS = { validation: 2015, test: 2016 } as const;

/**
 * `data` binarised once with the fixed seed of its split (the first N examples of a split are
 * binarised the same whatever N is: one generator runs through them in order).
 * @example
 * const test = fixedBinarization(loadedTest, 'test');
 */
export function fixedBinarization<T extends { x: Float32Array }>(data: T, split: keyof typeof FIXED_BINARIZATION_SEEDS): T {
  return binarizedCopy(data, new Prng(FIXED_BINARIZATION_SEEDS[split]));
}
