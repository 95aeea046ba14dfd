/**
 * Segmentation scenes made from MNIST digits: a square canvas with one to three digits at seeded
 * random places, no two of their 28x28 boxes overlapping, and a label per pixel: 0 for the
 * background, 1 + d for a pixel of digit d (where the digit's intensity is above one half).
 * Training scenes come from training digits and test scenes from test digits, so a model is
 * scored on digits it never saw.
 */
import { UsageError } from '../errors.js';
import { Prng } from '../util/prng.js';
import { type Dataset, makeDataset, partName, splitValidation } from './dataset.js';

/** The classes of a scene's pixels: background, then the ten digits. */
export const SCENE_CLASSES = ['background', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** How scenes are made. */
export interface SceneOptions {
  /** The canvas's side in pixels (default 64; at least 28). */
  size?: number;
  /** Digits per scene, drawn uniformly from minDigits..maxDigits (default 1..3). */
  minDigits?: number;
  maxDigits?: number;
  seed?: number;
}

/**
 * `count` scenes from the digits of `digits` (images [1, h, w] with a class label each).
 * @example
 * const train = makeScenes(loadData('mnist', { split: 'train' }), 10000, { seed: 1 }); // shape [1, 64, 64], labelShape [64, 64]
 */
export function makeScenes(digits: Dataset, count: number, options: SceneOptions = {}): Dataset {
  const { size = 64, minDigits = 1, maxDigits = 3, seed = 0 } = options;
  const [channels, h, w] = digits.shape;
  if (digits.shape.length !== 3 || channels !== 1 || !digits.labels || (digits.labelShape ?? []).length > 0) {
    throw new UsageError(`${digits.name}: scenes are made of one-channel digit images with a class label each`);
  }
  if (!(Number.isInteger(size) && size >= Math.max(h, w))) throw new UsageError(`scenes: the canvas must be at least ${Math.max(h, w)} pixels wide, got ${size}`);
  if (!(Number.isInteger(minDigits) && minDigits >= 1 && Number.isInteger(maxDigits) && maxDigits >= minDigits)) {
    throw new UsageError(`scenes: digits per scene must be whole numbers with 1 ≤ min ≤ max, got ${minDigits}..${maxDigits}`);
  }
  const rng = new Prng(seed);
  const pixels = size * size;
  const x = new Float32Array(count * pixels);
  const labels = new Uint8Array(count * pixels);
  for (let s = 0; s < count; s++) {
    const wanted = minDigits + Math.floor(rng.uniform() * (maxDigits - minDigits + 1));
    const boxes: { top: number; left: number }[] = [];
    // Rejection sampling of places; a crowded canvas settles for the digits that fit.
    for (let tries = 0; boxes.length < wanted && tries < 100 * wanted; tries++) {
      const top = Math.floor(rng.uniform() * (size - h + 1));
      const left = Math.floor(rng.uniform() * (size - w + 1));
      if (boxes.every((b) => Math.abs(b.top - top) >= h || Math.abs(b.left - left) >= w)) boxes.push({ top, left });
    }
    for (const { top, left } of boxes) {
      const d = Math.floor(rng.uniform() * digits.n);
      const label = 1 + digits.labels[d];
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) {
          const v = digits.x[d * h * w + r * w + c];
          const at = s * pixels + (top + r) * size + left + c;
          x[at] = v;
          if (v > 0.5) labels[at] = label;
        }
      }
    }
  }
  return makeDataset({ x, n: count, features: pixels, shape: [1, size, size], labels, labelShape: [size, size], name: partName(digits.name, `scenes ${size}x${size}`) });
}

/** Digits of a training split held out for validation scenes (see sceneDigitsWithValidation). */
export const VALIDATION_DIGITS = 5000;

/**
 * Training digits split for scenes with a validation set: VALIDATION_DIGITS of them drawn with
 * `seed` for the validation scenes, the rest for the training scenes, so that settings can be chosen
 * without the test scenes. `aekit segment --validation-scenes` and the torchrun export of its folder
 * both split this way, so the job trains on the scenes aekit trained on.
 * @example
 * const { train, validation } = sceneDigitsWithValidation(loadData('mnist', { split: 'train' }), 0);
 */
export function sceneDigitsWithValidation(digits: Dataset, seed: number): { train: Dataset; validation: Dataset } {
  return splitValidation(digits, Math.min(VALIDATION_DIGITS, digits.n - 1) / digits.n, seed);
}
