/**
 * The pictures of a run, each with its title and row labels: test examples above their
 * reconstructions; the first layer's weights as image tiles (dense filters, or convolution
 * kernels with the feature maps of a few test images); for a sparse code, the histogram of its
 * units' mean activations against ρ and the KL penalty's curve; for a VAE, its generative pictures.
 */
import { join } from 'node:path';
import type { Matrix } from '../data/dataset.js';
import { RUN_FILES } from '../io/run-folder.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { Conv2d } from '../nn/conv2d.js';
import { Dense } from '../nn/dense.js';
import { noGrad, Tensor, tidy } from '../tensor/index.js';
import { type Figure, type FigureRow, rowsFigure } from '../viz/figure.js';
import { activationHistogramSpec, klPenaltySpec, renderPlot } from '../viz/plots.js';
import { tileImages, upscale } from '../viz/png.js';
import { writeSvgAsPng } from '../viz/raster.js';
import { writeGenerativePictures } from './generative-pictures.js';
import { transformRows } from './transform.js';
import { writeFileAtomic } from '../io/atomic-write.js';

/** Files a run's pictures may add beside reconstructions.png and filters.png. */
export const PICTURE_FILES = {
  kernels: 'kernels.png',
  featureMaps: 'feature-maps.png',
  codeActivity: 'code-activity.svg',
  klPenalty: 'kl-penalty.svg',
} as const;

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

/** One labelled row of a figure: images of h x w pixels (rows of a matrix) as tiles, enlarged twice. */
export function tileRow(label: string, images: Float32Array, shape: [number, number], cols: number, normalize: 'none' | 'per-tile' = 'none'): FigureRow {
  return { label, image: upscale(tileImages(images, shape[0], shape[1], { cols, normalize }), 2) };
}

/**
 * Writes reconstructions.png: the first test examples above their reconstructions.
 * @returns the file's name, or null when the examples are not images.
 */
export function writeReconstructions(dir: string, model: Autoencoder, test: Matrix & { shape?: readonly number[] }, count = 10): string | null {
  const shape = imageShape(test);
  if (!shape) return null;
  writeSvgAsPng(join(dir, RUN_FILES.reconstructions), rowsFigure(reconstructionsFigure(model, test, shape, count)));
  return RUN_FILES.reconstructions;
}

/**
 * The figure of reconstructions.png: the first `count` test examples above their reconstructions.
 * @example
 * const png = svgToPng(rowsFigure(reconstructionsFigure(model, test, [28, 28])));
 */
export function reconstructionsFigure(model: Autoencoder, test: Matrix, shape: [number, number], count = 10): Figure {
  const rows = Math.min(count, test.n);
  const originals = test.x.subarray(0, rows * test.features);
  return {
    title: `The first ${rows} test examples and their reconstructions`,
    rows: [tileRow('test example', originals, shape, rows), tileRow('reconstruction', reconstructRows(model, test, rows), shape, rows)],
  };
}

/**
 * Writes the pictures of a trained model into its run folder: reconstructions.png; filters.png
 * when the first layer with weights is dense, kernels.png and feature-maps.png when it is a
 * convolution; code-activity.svg and kl-penalty.svg when the code has the KL sparsity penalty.
 * @returns the files written.
 */
export async function writeRunPictures(dir: string, model: Autoencoder, test: Matrix & { shape?: readonly number[] }, count = 10): Promise<string[]> {
  const written: string[] = [];
  const shape = imageShape(test);
  if (writeReconstructions(dir, model, test, count)) written.push(RUN_FILES.reconstructions);
  const first = model.encoder.layers.find((l) => l instanceof Dense || l instanceof Conv2d);
  if (shape && first instanceof Dense && first.inputs === shape[0] * shape[1]) written.push(writeFilters(dir, first, shape));
  if (shape && first instanceof Conv2d && first.inputShape[0] === 1) written.push(...writeConvPictures(dir, first, test, shape));
  written.push(...await writeSparsityPlots(dir, model, test));
  written.push(...await writeGenerativePictures(dir, model, test));
  return written;
}

function writeFilters(dir: string, layer: Dense, shape: [number, number]): string {
  writeSvgAsPng(join(dir, RUN_FILES.filters), rowsFigure(filtersFigure(layer, shape)));
  return RUN_FILES.filters;
}

/**
 * The figure of filters.png: unit i's incoming weights W_i as an image, up to 100 units, ten a
 * row, each tile on its own scale (so it shows W_i / ‖W_i‖, the input that excites unit i most).
 * @example
 * const figure = filtersFigure(model.encoder.layers[0] as Dense, [28, 28]);
 */
export function filtersFigure(layer: Dense, shape: [number, number]): Figure {
  const [units, inputs] = layer.weight.shape;
  const shown = Math.min(units, 100);
  return {
    title: `First-layer filters: the weights into ${shown === units ? 'each hidden unit' : `the first ${shown} of ${units} hidden units`}`,
    rows: [tileRow('', layer.weight.data.subarray(0, shown * inputs), shape, Math.min(shown, 10), 'per-tile')],
    caption: 'A tile per unit, on its own scale: white its largest weight, black its smallest.',
  };
}

/** kernels.png (the first convolution's kernels) and feature-maps.png (its outputs for three test images). */
function writeConvPictures(dir: string, layer: Conv2d, test: Matrix, shape: [number, number]): string[] {
  const [filters, , kh, kw] = layer.weight.shape;
  writeSvgAsPng(join(dir, PICTURE_FILES.kernels), rowsFigure({
    title: `First convolution's ${filters} kernels (${kh}x${kw})`,
    rows: [{ label: '', image: upscale(tileImages(layer.weight.data, kh, kw, { cols: Math.min(filters, 16), normalize: 'per-tile' }), 6) }],
    caption: 'Each kernel stretched to its own range: white is its largest weight, black its smallest.',
  }));
  const images = Math.min(3, test.n);
  const [, oh, ow] = layer.outputShape;
  const maps = noGrad(() => tidy(() => layer.forward(new Tensor(test.x.slice(0, images * test.features), [images, 1, ...shape])).data.slice()));
  const shown = Math.min(filters, 16);
  const rows: FigureRow[] = [];
  for (let i = 0; i < images; i++) {
    rows.push(tileRow(`test image ${i + 1}`, test.x.subarray(i * test.features, (i + 1) * test.features), shape, 1));
    rows.push(tileRow(`its ${shown} maps`, maps.subarray(i * filters * oh * ow, (i * filters + shown) * oh * ow), [oh, ow], shown, 'per-tile'));
  }
  writeSvgAsPng(join(dir, PICTURE_FILES.featureMaps), rowsFigure({
    title: `Feature maps of the first convolution (${shown} of ${filters} channels, ${oh}x${ow})`,
    rows,
    caption: 'Each map stretched to its own range.',
  }));
  return [PICTURE_FILES.kernels, PICTURE_FILES.featureMaps];
}

/** code-activity.svg and kl-penalty.svg for a code layer with the KL sparsity penalty. */
async function writeSparsityPlots(dir: string, model: Autoencoder, test: Matrix): Promise<string[]> {
  const rho = sparsityTarget(model);
  if (rho === null || test.n === 0) return [];
  const codes = transformRows(model, 'encode', test).x;
  const units = codes.length / test.n;
  const means = new Float64Array(units);
  for (let r = 0; r < test.n; r++) for (let j = 0; j < units; j++) means[j] += codes[r * units + j] / test.n;
  writeFileAtomic(join(dir, PICTURE_FILES.codeActivity), await renderPlot(activationHistogramSpec(means, rho)));
  writeFileAtomic(join(dir, PICTURE_FILES.klPenalty), await renderPlot(klPenaltySpec(rho)));
  return [PICTURE_FILES.codeActivity, PICTURE_FILES.klPenalty];
}

/** ρ of the KL sparsity penalty on the code layer (the encoder's last layer with weights), or null. */
function sparsityTarget(model: Autoencoder): number | null {
  for (const spec of [...model.config.encoder].reverse()) {
    if (spec.type !== 'dense') continue;
    return (spec as { activityRegularizer?: { kl?: { rho: number } } }).activityRegularizer?.kl?.rho ?? null;
  }
  return null;
}

/**
 * Writes a figure of labelled image rows, the first `count` examples of each matrix, all rows
 * the same examples (e.g. clean, noisy and denoised; or masked, filled and truth).
 * @param path the PNG file.
 * @param shape each example's height and width.
 * @param title the figure's title.
 * @param rows a label and a matrix per row.
 * @param count examples per row; default 10.
 * @example
 * writeImageRows('denoise.png', [28, 28], 'Denoising, masking noise q = 0.5', [{ label: 'clean', data: test }, { label: 'noisy', data: noisy }]);
 */
export function writeImageRows(path: string, shape: [number, number], title: string, rows: { label: string; data: Matrix }[], count = 10, caption?: string): void {
  const n = Math.min(count, ...rows.map((r) => r.data.n));
  const f = rows[0].data.features;
  writeSvgAsPng(path, rowsFigure({ title, rows: rows.map((r) => tileRow(r.label, r.data.x.subarray(0, n * f), shape, n)), caption }));
}
