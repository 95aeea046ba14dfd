/**
 * Small random affine moves of images (a shift of a few pixels, a rotation of a few degrees, a
 * slight change of scale), resampled bilinearly: the augmented views whose codes self-augmented
 * training asks to match the originals' (IMSAT, Hu et al. 2017, used such moves on MNIST). A
 * digit moved this little is still the same digit, so its bits should not change.
 */
import { UsageError } from '../errors.js';
import type { Prng } from '../util/prng.js';

/** How far a view may move; every draw is uniform within ± each amount. */
export interface JitterAmounts {
  /** Pixels of shift along each axis. */
  shift: number;
  /** Degrees of rotation about the centre. */
  rotate: number;
  /** Relative change of scale (0.1: from 0.9 to 1.1 times). */
  scale: number;
}

/**
 * The height and width of images stored as `shape` (one example's): [C, H, W], [H, W], or a flat
 * [N] with N a square (MNIST's 784 as 28 x 28).
 * @throws UsageError when the shape is not an image's
 * @example
 * imageSize([784]); // { channels: 1, height: 28, width: 28 }
 */
export function imageSize(shape: readonly number[]): { channels: number; height: number; width: number } {
  if (shape.length === 3) return { channels: shape[0], height: shape[1], width: shape[2] };
  if (shape.length === 2) return { channels: 1, height: shape[0], width: shape[1] };
  const side = Math.round(Math.sqrt(shape[0]));
  if (shape.length === 1 && side * side === shape[0]) return { channels: 1, height: side, width: side };
  throw new UsageError(`augmentation moves images, and an input of shape [${shape.join(', ')}] is not one (expected [C, H, W], [H, W] or a square number of values)`);
}

/** One affine move: rotation (radians, about the centre), scale, then shift (pixels, down and right). */
export interface ImageMove {
  angle: number;
  zoom: number;
  dy: number;
  dx: number;
}

/**
 * A jittered copy of a batch of images `x` (n examples of `shape` one after another): each example
 * gets its own draw of shift, rotation and scale (uniform within ± each amount).
 * @example
 * const views = jitterImages(batch.data, [784], rng, { shift: 2, rotate: 10, scale: 0.1 });
 */
export function jitterImages(x: Float32Array, shape: readonly number[], rng: Prng, amounts: JitterAmounts): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (x.length % size !== 0) throw new UsageError(`jitterImages: ${x.length} values are not whole examples of ${size}`);
  const out = new Float32Array(x.length);
  const within = (amount: number) => (2 * rng.uniform() - 1) * amount;
  for (let at = 0; at < x.length; at += size) {
    const move = { angle: within(amounts.rotate) * Math.PI / 180, zoom: 1 + within(amounts.scale), dy: within(amounts.shift), dx: within(amounts.shift) };
    out.set(moveImage(x.subarray(at, at + size), shape, move), at);
  }
  return out;
}

/**
 * One image (of `shape`, see imageSize) moved: each output pixel is read bilinearly at the point
 * the move takes to it, and pixels that come from outside the image are 0.
 * @example
 * moveImage(digit, [784], { angle: 0, zoom: 1, dy: 0, dx: 1 }); // one pixel to the right
 */
export function moveImage(x: Float32Array, shape: readonly number[], move: ImageMove): Float32Array {
  const { channels, height, width } = imageSize(shape);
  const out = new Float32Array(channels * height * width);
  const cy = (height - 1) / 2;
  const cx = (width - 1) / 2;
  // The inverse map, output pixel → source point: undo the shift, then the rotation and scale.
  const cos = Math.cos(move.angle) / move.zoom;
  const sin = Math.sin(move.angle) / move.zoom;
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        const dy = i - cy - move.dy;
        const dx = j - cx - move.dx;
        out[plane + i * width + j] = bilinear(x, plane, height, width, cos * dy - sin * dx + cy, sin * dy + cos * dx + cx);
      }
    }
  }
  return out;
}

/** The image at `plane` read at the real point (y, x), bilinearly, 0 outside. */
function bilinear(x: Float32Array, plane: number, height: number, width: number, y: number, xx: number): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(xx);
  const fy = y - y0;
  const fx = xx - x0;
  const at = (r: number, c: number): number => (r >= 0 && r < height && c >= 0 && c < width ? x[plane + r * width + c] : 0);
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
}
