/**
 * Pictures as PNG files: float images with values in [0, 1], and a grid layout of many small
 * images (digits over their reconstructions, first-layer filters). Knows nothing of models.
 */
import { PNG } from 'pngjs';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';

/** A float image: row-major pixels, channels interleaved (gray or RGB), values in [0, 1]. */
export interface Image {
  width: number;
  height: number;
  channels: 1 | 3;
  /** height * width * channels values; outside [0, 1] is clamped when encoded. */
  data: Float32Array;
}

/** How tileImages lays tiles out and scales their values. */
export interface TileOptions {
  /** Tiles per row; default ceil(sqrt(count)). */
  cols?: number;
  /** Pixels between tiles and around the border; default 1. */
  pad?: number;
  /** Gray level of the padding in [0, 1]; default 0.5, visible on black and on white. */
  padValue?: number;
  /**
   * 'per-tile' maps each tile's own min..max to 0..1 (filters), 'global' maps the min..max over
   * all tiles (so tiles stay comparable), 'none' (default) clamps to [0, 1] (pixels).
   */
  normalize?: 'per-tile' | 'global' | 'none';
}

/**
 * Encodes an image as PNG bytes: 8-bit gray for one channel, 8-bit RGB for three.
 * @param image the image; values are clamped to [0, 1] and NaN becomes 0.
 * @example
 * const bytes = encodePng({ width: 2, height: 1, channels: 1, data: Float32Array.of(0, 1) });
 */
export function encodePng(image: Image): Buffer {
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) {
    throw new UsageError(`encodePng: a ${width}x${height}x${channels} image needs ${width * height * channels} values, found ${data.length}`);
  }
  const png = new PNG({ width, height });
  // pngjs takes RGBA input whatever the output colour type, so expand here and let it pack.
  for (let p = 0; p < width * height; p++) {
    const r = toByte(data[p * channels]);
    png.data[4 * p] = r;
    png.data[4 * p + 1] = channels === 3 ? toByte(data[p * 3 + 1]) : r;
    png.data[4 * p + 2] = channels === 3 ? toByte(data[p * 3 + 2]) : r;
    png.data[4 * p + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: channels === 3 ? 2 : 0, inputHasAlpha: true });
}

/**
 * Writes an image to a PNG file.
 * @param path the file to write.
 * @param image the image, values in [0, 1].
 * @example
 * writePng('reconstructions.png', tileImages([...originals, ...recons], 28, 28, { cols: 10 }));
 */
export function writePng(path: string, image: Image): void {
  writeFileAtomic(path, encodePng(image));
}

/**
 * Lays grayscale tiles of h x w pixels out in a grid, left to right then top to bottom.
 * @param images one Float32Array per tile, or one row-major matrix whose rows are tiles.
 * @param h tile height.
 * @param w tile width.
 * @param options columns, padding and normalisation.
 * @example
 * // Ten test digits in the top row, their reconstructions below them:
 * const grid = tileImages([...digits, ...reconstructions], 28, 28, { cols: 10 });
 * // First-layer weights, one 28x28 tile per hidden unit, each on its own scale:
 * const filters = tileImages(weightsRows, 28, 28, { cols: 16, normalize: 'per-tile' });
 */
export function tileImages(images: Float32Array[] | Float32Array, h: number, w: number, options: TileOptions = {}): Image {
  const size = h * w;
  const tiles = Array.isArray(images) ? images : splitRows(images, size);
  for (const [i, t] of tiles.entries()) {
    if (t.length !== size) throw new UsageError(`tileImages: tile ${i} has ${t.length} values, expected ${h}x${w} = ${size}`);
  }
  const count = tiles.length;
  const cols = Math.max(1, options.cols ?? Math.ceil(Math.sqrt(count)));
  const rows = Math.max(1, Math.ceil(count / cols));
  const pad = options.pad ?? 1;
  const width = cols * w + (cols + 1) * pad;
  const height = rows * h + (rows + 1) * pad;
  const data = new Float32Array(width * height).fill(options.padValue ?? 0.5);
  const mode = options.normalize ?? 'none';
  const globalRange = mode === 'global' ? range(tiles) : undefined;
  for (let t = 0; t < count; t++) {
    const [lo, hi] = mode === 'per-tile' ? range([tiles[t]]) : globalRange ?? [0, 1];
    const top = pad + Math.floor(t / cols) * (h + pad);
    const left = pad + (t % cols) * (w + pad);
    const src = tiles[t];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = src[y * w + x];
        // A flat tile has no contrast to stretch: show it mid-gray rather than divide by zero.
        data[(top + y) * width + left + x] = hi > lo ? (v - lo) / (hi - lo) : mode === 'none' ? v : 0.5;
      }
    }
  }
  return { width, height, channels: 1, data };
}

/**
 * Enlarges an image by an integer factor, each pixel becoming a factor x factor block.
 * @param image the image.
 * @param factor a positive integer.
 * @example
 * writePng('filters.png', upscale(filters, 2));
 */
export function upscale(image: Image, factor: number): Image {
  if (!(Number.isInteger(factor) && factor >= 1)) throw new UsageError(`upscale: factor must be a positive integer, found ${factor}`);
  const { width, height, channels } = image;
  const W = width * factor;
  const out = new Float32Array(W * height * factor * channels);
  for (let y = 0; y < height * factor; y++) {
    for (let x = 0; x < W; x++) {
      const s = ((Math.floor(y / factor) * width) + Math.floor(x / factor)) * channels;
      for (let c = 0; c < channels; c++) out[(y * W + x) * channels + c] = image.data[s + c];
    }
  }
  return { width: W, height: height * factor, channels, data: out };
}

function splitRows(matrix: Float32Array, size: number): Float32Array[] {
  if (size <= 0 || matrix.length % size !== 0) {
    throw new UsageError(`tileImages: a matrix of ${matrix.length} values is not whole rows of ${size}`);
  }
  return Array.from({ length: matrix.length / size }, (_, i) => matrix.subarray(i * size, (i + 1) * size));
}

/** Min and max over the tiles, NaN ignored; [0, 1] when there is no number at all. */
function range(tiles: Float32Array[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of tiles) {
    for (let i = 0; i < t.length; i++) {
      const v = t[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

function toByte(v: number): number {
  // NaN fails both comparisons and lands on 0.
  return v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
}
