/**
 * Holes as training noise for inpainting, in the way context encoders are trained (Pathak et al.,
 * "Context Encoders", CVPR 2016: random regions removed, the net asked for what was there):
 * each image loses either one rectangle of random size and place or a random share of scattered
 * pixels, and the missing pixels are set to HOLE_VALUE. Pixels lie in [0, 1], so −1 marks
 * exactly the missing ones: one channel carries both the known values and the mask, and a mask
 * as an input channel of its own would tell the net nothing more.
 */
import type { Prng } from '../util/prng.js';

/** What a missing pixel reads as, to a model trained with holes (and to `aekit inpaint` filling for it). */
export const HOLE_VALUE = -1;

/** The share of images that lose a rectangle unless told (`holes:LARGEST,SHARE`); the others lose scattered pixels. */
export const DEFAULT_RECTANGLE_SHARE = 0.5;
/** The scattered pixels' missing rate is drawn uniformly from this range, per image. */
const SCATTERED_RATE: readonly [number, number] = [0.1, 0.9];

/**
 * The height and width of an example of `shape`: its last two dimensions, or a square for a flat
 * vector of a square number of values (784 → 28x28), else one row.
 * @example
 * imagePlane([1, 28, 28]); // [28, 28]
 */
export function imagePlane(shape: readonly number[]): [number, number] {
  if (shape.length >= 2) return [shape[shape.length - 2], shape[shape.length - 1]];
  const side = Math.round(Math.sqrt(shape[0]));
  return side * side === shape[0] ? [side, side] : [1, shape[0]];
}

/**
 * Draws the holes of a batch as x ⊙ keep + fill (keep 0 and fill HOLE_VALUE where a pixel is
 * missing), the same pixels missing in every channel. A rectangle's height and width are drawn
 * uniformly from a seventh of the image's side up to `largest` of it, its place uniformly
 * among those inside the image.
 * @param shape one example's shape ([channels, height, width], or [features] for a square image)
 * @param largest the largest rectangle side as a share of the image side, in (0, 1]
 * @param rectangleShare the share of images that lose a rectangle rather than scattered pixels, in [0, 1]
 * @example
 * drawHoles(keep, fill, rng, [1, 28, 28], 0.6);
 */
export function drawHoles(keep: Float32Array, fill: Float32Array, rng: Prng, shape: readonly number[], largest: number, rectangleShare = DEFAULT_RECTANGLE_SHARE): void {
  const [h, w] = imagePlane(shape);
  const pixels = h * w;
  const perExample = shape.reduce((a, b) => a * b, 1);
  keep.fill(1);
  fill.fill(0);
  const missing = new Uint8Array(pixels);
  const side = (size: number) => {
    const lo = Math.max(1, Math.round(size / 7));
    const hi = Math.max(lo, Math.min(size, Math.round(largest * size)));
    return lo + rng.int(hi - lo + 1);
  };
  for (let at = 0; at + perExample <= keep.length; at += perExample) {
    missing.fill(0);
    if (rng.uniform() < rectangleShare) {
      const rh = side(h);
      const rw = side(w);
      const y = rng.int(h - rh + 1);
      const x = rng.int(w - rw + 1);
      for (let r = y; r < y + rh; r++) missing.fill(1, r * w + x, r * w + x + rw);
    } else {
      const rate = SCATTERED_RATE[0] + (SCATTERED_RATE[1] - SCATTERED_RATE[0]) * rng.uniform();
      for (let i = 0; i < pixels; i++) missing[i] = rng.uniform() < rate ? 1 : 0;
    }
    for (let c = at; c < at + perExample; c += pixels) {
      for (let i = 0; i < pixels; i++) {
        if (!missing[i]) continue;
        keep[c + i] = 0;
        fill[c + i] = HOLE_VALUE;
      }
    }
  }
}
