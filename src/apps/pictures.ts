/**
 * The pictures of a run: test examples above their reconstructions, and the first layer's
 * weights as image tiles (the learned filters).
 */
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { RUN_FILES } from '../io/run-folder.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { noGrad, Tensor, tidy } from '../tensor/index.js';
import { tileImages, upscale, writePng } from '../viz/png.js';

/** The image shape of a data set's rows, or null when they are not square-ish images. */
export function imageShape(data: Dataset): [number, number] | null {
  if (data.shape) return data.shape;
  const side = Math.round(Math.sqrt(data.features));
  return side * side === data.features ? [side, side] : null;
}

/** The reconstructions of the first `count` rows of `data`. */
export function reconstructRows(model: Autoencoder, data: Dataset, count: number): Float32Array {
  const rows = Math.min(count, data.n);
  const input = new Tensor(data.x.slice(0, rows * data.features), [rows, data.features]);
  return noGrad(() => tidy(() => model.reconstruct(input).data.slice()));
}

/**
 * Writes reconstructions.png and filters.png into `dir` when the data are images; returns the
 * files written.
 */
export function writeRunPictures(dir: string, model: Autoencoder, test: Dataset, count = 10): string[] {
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

  const first = model.encoder[0].weight;
  const units = Math.min(first.shape[0], 100);
  const filters = tileImages(first.data.subarray(0, units * first.shape[1]), h, w, { normalize: 'per-tile', cols: Math.min(units, 10) });
  writePng(join(dir, RUN_FILES.filters), upscale(filters, 2));
  return [RUN_FILES.reconstructions, RUN_FILES.filters];
}
