/**
 * The pictures of a run: test examples above their reconstructions, and the first layer's
 * weights as image tiles (the learned filters).
 */
import { join } from 'node:path';
import type { Matrix } from '../data/dataset.js';
import { RUN_FILES } from '../io/run-folder.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { Dense } from '../nn/dense.js';
import { noGrad, Tensor, tidy } from '../tensor/index.js';
import { tileImages, upscale, writePng } from '../viz/png.js';

/**
 * The height and width of examples drawn as grayscale images: a one-channel image shape, or a
 * square number of features; null when they are not images.
 * @example
 * imageShape({ shape: [1, 28, 28], features: 784 }); // [28, 28]
 */
export function imageShape(data: { shape?: readonly number[]; features: number }): [number, number] | null {
  const s = data.shape;
  if (s?.length === 3 && s[0] === 1) return [s[1], s[2]];
  if (s?.length === 2) return [s[0], s[1]];
  if (s && s.length > 1) return null;
  const side = Math.round(Math.sqrt(data.features));
  return side * side === data.features ? [side, side] : null;
}

/** The reconstructions of the first `count` rows of `data`. */
export function reconstructRows(model: Autoencoder, data: Matrix, count: number): Float32Array {
  const rows = Math.min(count, data.n);
  const input = new Tensor(data.x.slice(0, rows * data.features), [rows, data.features]);
  return noGrad(() => tidy(() => model.reconstruct(input).data.slice()));
}

/**
 * Writes reconstructions.png and, when the first encoder layer with weights is dense,
 * filters.png into `dir` when the data are images; returns the files written.
 */
export function writeRunPictures(dir: string, model: Autoencoder, test: Matrix & { shape?: readonly number[] }, count = 10): string[] {
  const shape = imageShape(test);
  if (!shape) return [];
  const [h, w] = shape;
  const rows = Math.min(count, test.n);
  const originals = test.x.subarray(0, rows * test.features);
  const reconstructions = reconstructRows(model, test, rows);
  const grid = new Float32Array(2 * rows * test.features);
  grid.set(originals);
  grid.set(reconstructions, originals.length);
  writePng(join(dir, RUN_FILES.reconstructions), upscale(tileImages(grid, h, w, { cols: rows }), 2));

  const first = model.encoder.layers.find((l): l is Dense => l instanceof Dense);
  if (!first || first.inputs !== h * w) return [RUN_FILES.reconstructions];
  const weight = first.weight;
  const units = Math.min(weight.shape[0], 100);
  const filters = tileImages(weight.data.subarray(0, units * weight.shape[1]), h, w, { normalize: 'per-tile', cols: Math.min(units, 10) });
  writePng(join(dir, RUN_FILES.filters), upscale(filters, 2));
  return [RUN_FILES.reconstructions, RUN_FILES.filters];
}

/**
 * Writes the first `count` examples of each matrix as one row of tiles (e.g. clean, noisy and
 * denoised; or masked, filled and truth), all rows the same examples.
 */
export function writeImageRows(path: string, shape: [number, number], rows: Matrix[], count = 10): void {
  const n = Math.min(count, rows[0].n);
  const f = rows[0].features;
  const grid = new Float32Array(rows.length * n * f);
  rows.forEach((m, i) => grid.set(m.x.subarray(0, n * f), i * n * f));
  writePng(path, upscale(tileImages(grid, shape[0], shape[1], { cols: n }), 2));
}
