/**
 * Inpainting: filling the missing pixels of images with a trained autoencoder. A model trained
 * with holes (the inpaint preset) fills them in one forward pass. For other models, by default
 * the code is fitted to the known pixels, under a Gaussian prior from the training codes,
 * and decoded. Or the model's reconstruction is iterated on the hole while the known pixels stay
 * fixed (it pulls the image towards what the model has learned; on MNIST's centre hole it draws
 * confident strokes that are often wrong, and scores below the mean). Measured by PSNR on the
 * hole beside two baselines run on the same holes: the training mean per pixel, and the same
 * iteration with PCA's projection in place of the model.
 */
import type { Matrix } from '../../data/dataset.js';
import { decodePngGray } from '../../data/png-folder.js';
import { DataError, UsageError } from '../../errors.js';
import { readRegularFile } from '../../io/read-file.js';
import { columnMeans } from '../../linalg/index.js';
import type { Pca } from '../../linalg/pca-model.js';
import type { Autoencoder } from '../../models/autoencoder.js';
import { HOLE_VALUE } from '../../nn/holes.js';
import { parseNoise } from '../../nn/noise.js';
import { reconstructionLoss } from '../../models/output.js';
import { backward, getBackend, mul, noGrad, Tensor, tidy } from '../../tensor/index.js';
import { parseDecimal } from '../../util/decimal.js';
import { Prng } from '../../util/prng.js';
import { psnr } from '../denoise/denoise.js';
import { transformRows } from '../../run/transform.js';

/** Where pixels are missing: a rectangle (x, y from the top-left corner), each pixel with probability p, or the white pixels of a PNG. */
export type MaskSpec =
  | { kind: 'rect'; x: number; y: number; width: number; height: number }
  | { kind: 'random'; p: number }
  | { kind: 'file'; path: string };

/** One flag per value of each example: 1 where the pixel is missing. */
export interface Mask {
  missing: Uint8Array;
  n: number;
  features: number;
}

const MASK_FORMS = 'rect:X,Y,W,H (pixels from the top-left corner), random:P (each pixel missing with probability P) or a PNG file (white = missing)';

/**
 * Parses a mask as written on the command line.
 * @example
 * parseMask('rect:8,8,12,12'); // { kind: 'rect', x: 8, y: 8, width: 12, height: 12 }
 */
export function parseMask(text: string): MaskSpec {
  if (text.startsWith('rect:')) {
    const parts = text.slice(5).split(',');
    const values = parts.map((p) => Number(p.trim()));
    if (parts.length !== 4 || !values.every((v, i) => /^\s*\d+\s*$/.test(parts[i]) && Number.isSafeInteger(v))) {
      throw new UsageError(`mask "${text}": expected rect:X,Y,W,H with four whole numbers`);
    }
    const [x, y, width, height] = values;
    if (width === 0 || height === 0) throw new UsageError(`mask "${text}": the rectangle is empty`);
    return { kind: 'rect', x, y, width, height };
  }
  if (text.startsWith('random:')) {
    const p = parseDecimal(text.slice(7).trim());
    if (!(p > 0 && p < 1)) throw new UsageError(`mask "${text}": the probability must be a number in (0, 1)`);
    return { kind: 'random', p };
  }
  if (text.toLowerCase().endsWith('.png')) return { kind: 'file', path: text };
  throw new UsageError(`mask "${text}": expected ${MASK_FORMS}`);
}

/**
 * The centred square hole of side `size` in an image of `shape` (the target's 12x12 hole on MNIST).
 * @example
 * centreSquare([28, 28], 12); // { kind: 'rect', x: 8, y: 8, width: 12, height: 12 }
 */
export function centreSquare(shape: [number, number], size: number): MaskSpec {
  const [h, w] = shape;
  return { kind: 'rect', x: Math.floor((w - size) / 2), y: Math.floor((h - size) / 2), width: size, height: size };
}

/** The spec's text form, the inverse of `parseMask`. */
export function formatMask(spec: MaskSpec): string {
  switch (spec.kind) {
    case 'rect': return `rect:${spec.x},${spec.y},${spec.width},${spec.height}`;
    case 'random': return `random:${spec.p}`;
    case 'file': return spec.path;
  }
}

/**
 * The missing pixels of n images of `shape` [height, width]: a rectangle and a file mask are the
 * same for every image; a random mask is drawn per image from a PRNG seeded with `seed`.
 * @throws UsageError for a rectangle outside the image; DataError for a mask file of another size or with no white pixel
 */
export function makeMask(spec: MaskSpec, shape: [number, number], n: number, seed = 0): Mask {
  const [h, w] = shape;
  const features = h * w;
  const missing = new Uint8Array(n * features);
  const one = new Uint8Array(features);
  switch (spec.kind) {
    case 'rect': {
      const { x, y, width, height } = spec;
      if (x + width > w || y + height > h) {
        throw new UsageError(`mask ${formatMask(spec)}: reaches outside the ${w}x${h} image (columns ${x}..${x + width - 1}, rows ${y}..${y + height - 1})`);
      }
      for (let r = y; r < y + height; r++) one.fill(1, r * w + x, r * w + x + width);
      break;
    }
    case 'random': {
      const rng = new Prng(seed);
      for (let i = 0; i < missing.length; i++) missing[i] = rng.uniform() < spec.p ? 1 : 0;
      return { missing, n, features };
    }
    case 'file': {
      const image = decodePngGray(readRegularFile(spec.path, 'mask'), spec.path);
      if (image.width !== w || image.height !== h) {
        throw new DataError(`${spec.path}: a ${image.width}x${image.height} mask, but the images are ${w}x${h}`);
      }
      for (let i = 0; i < features; i++) one[i] = image.gray[i] >= 0.5 ? 1 : 0;
      if (!one.includes(1)) throw new DataError(`${spec.path}: no white pixel, so nothing is missing (white marks the pixels to fill)`);
      break;
    }
  }
  for (let i = 0; i < n; i++) missing.set(one, i * features);
  return { missing, n, features };
}

/** `data` with its missing pixels set to `fill` (one value per feature, e.g. the training mean). */
export function fillHoles(data: Matrix, mask: Mask, fill: Float32Array): Matrix {
  checkMask(data, mask);
  const x = data.x.slice();
  const f = data.features;
  for (let i = 0; i < x.length; i++) if (mask.missing[i]) x[i] = fill[i % f];
  return { x, n: data.n, features: f };
}

/**
 * Iterates x ← known pixels of `data`, hole from project(x), starting from `start`: the known
 * pixels never change and the hole converges to a fixed point of the projection.
 * @example
 * const filled = iterateFill(masked, mask, (x) => transformRows(model, 'reconstruct', x), 30);
 */
export function iterateFill(start: Matrix, mask: Mask, project: (x: Matrix) => Matrix, iterations: number): Matrix {
  checkMask(start, mask);
  const current = { ...start, x: start.x.slice() };
  for (let it = 0; it < iterations; it++) {
    const projected = project(current).x;
    for (let i = 0; i < current.x.length; i++) if (mask.missing[i]) current.x[i] = projected[i];
  }
  return current;
}

/** PCA's projection onto its subspace: mean + UUᵀ(x − mean). */
export function pcaProjection(pca: Pca): (x: Matrix) => Matrix {
  return (x) => pca.inverseTransform(pca.transform(x));
}

/** A Gaussian over codes, one mean and variance per code unit: the codes of the training data. */
export interface CodePrior {
  mean: Float32Array;
  variance: Float32Array;
}

/**
 * The mean and variance of each code unit over `train`'s codes.
 * @example
 * const prior = codePrior(model, train);
 */
export function codePrior(model: Autoencoder, train: Matrix): CodePrior {
  const codes = transformRows(model, 'encode', train);
  const k = codes.features;
  const mean = new Float64Array(k);
  const squares = new Float64Array(k);
  for (let i = 0; i < codes.x.length; i++) {
    mean[i % k] += codes.x[i];
    squares[i % k] += codes.x[i] * codes.x[i];
  }
  const variance = new Float32Array(k);
  for (let j = 0; j < k; j++) {
    mean[j] /= codes.n;
    // A unit that never varies would make its term infinitely stiff; it stays where the data put it.
    variance[j] = Math.max(squares[j] / codes.n - mean[j] * mean[j], 1e-6);
  }
  return { mean: Float32Array.from(mean), variance };
}

/** How `fitCodes` fits. */
export interface FitCodeOptions {
  /** The Gaussian over codes that keeps the fit among codes the data has (from `codePrior`). */
  prior: CodePrior;
  /** The weight w of the prior's term (w/2)·Σ (h − mean)² / variance against each image's loss on its known pixels; default 0.5. */
  priorWeight?: number;
  /** Adam steps; default 200. */
  steps?: number;
  /** Adam's step size; default 0.05. */
  lr?: number;
  batchSize?: number;
}

/**
 * Fits the code of each image to its known pixels, and decodes it: the hole is what the decoder
 * draws for the most probable code given what is there, the MAP code under a Gaussian prior
 * fitted to the training codes. Known pixels alone do not pin the code down: fitted to them
 * without the prior, even from the true image's code, a code drifts along the codes that draw
 * the known pixels equally well and the hole with it. Adam on the code, from the code of
 * `start`; the known pixels are kept.
 * @example
 * const filled = fitCodes(model, fillHoles(test, mask, mean), mask, { prior: codePrior(model, train) });
 */
export function fitCodes(model: Autoencoder, start: Matrix, mask: Mask, options: FitCodeOptions): Matrix {
  checkMask(start, mask);
  const { prior, priorWeight = 0.5, steps = 200, lr = 0.05, batchSize = 1000 } = options;
  const codes = transformRows(model, 'encode', start);
  const out = start.x.slice();
  const f = start.features;
  const k = codes.features;
  const backend = getBackend();
  const parameters = model.parameters().map((p) => p.tensor);
  const recording = parameters.map((p) => p.requiresGrad);
  // Only the codes learn here: without this, every step would also compute the weights' gradients.
  parameters.forEach((p) => { p.requiresGrad = false; });
  try {
    for (let from = 0; from < start.n; from += batchSize) {
      const rows = Math.min(batchSize, start.n - from);
      const h = new Tensor(codes.x.slice(from * k, (from + rows) * k), [rows, k], { requiresGrad: true });
      const known = new Tensor(Float32Array.from(mask.missing.subarray(from * f, (from + rows) * f), (m) => 1 - m), [rows, f]);
      const target = new Tensor(start.x.slice(from * f, (from + rows) * f), [rows, f]);
      for (let i = 0; i < target.data.length; i++) target.data[i] *= known.data[i];
      const m = new Float32Array(h.size);
      const v = new Float32Array(h.size);
      const scale = priorWeight / rows; // the loss is a mean over the batch's images
      for (let step = 1; step <= steps; step++) {
        tidy(() => {
          h.zeroGrad();
          // Zeroing the logits on the hole (and the target there) leaves a constant loss with no gradient.
          backward(reconstructionLoss(mul(model.logits(h), known), target, model.output, 1 / rows));
        });
        const grad = h.grad!;
        for (let i = 0; i < grad.length; i++) grad[i] += (scale * (h.data[i] - prior.mean[i % k])) / prior.variance[i % k];
        backend.adamStep(h.data, grad, m, v, { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, step, l2: 0, weightDecay: 0 });
      }
      const drawn = noGrad(() => tidy(() => model.decode(h).data.slice()));
      for (let i = 0; i < rows * f; i++) if (mask.missing[from * f + i]) out[from * f + i] = drawn[i];
    }
  } finally {
    parameters.forEach((p, i) => { p.requiresGrad = recording[i]; });
  }
  return { x: out, n: start.n, features: f };
}

/**
 * PSNR (dB, peak 1) over the missing pixels only, their squared errors pooled over every image.
 * @example
 * holePsnr(test, filled, mask); // 15.2
 */
export function holePsnr(truth: Matrix, filled: Matrix, mask: Mask): number {
  checkMask(truth, mask);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < truth.x.length; i++) {
    if (!mask.missing[i]) continue;
    const d = truth.x[i] - filled.x[i];
    sum += d * d;
    count++;
  }
  if (count === 0) throw new UsageError('holePsnr: the mask hides no pixel');
  return psnr(sum / count);
}

/**
 * True when the model was trained to fill holes (a `holes` noise layer on its way in, as in the
 * inpaint preset): it then fills a hole in one forward pass.
 * @example
 * trainedForHoles(loadRun('runs/inpaint').model); // true
 */
export function trainedForHoles(model: Autoencoder): boolean {
  return model.config.encoder.some((spec) => spec.type === 'noise' && parseNoise(spec.spec).kind === 'holes');
}

/**
 * One forward pass of a model trained with holes: the missing pixels set to HOLE_VALUE, as in its
 * training, the image reconstructed, and its missing pixels taken from the reconstruction; the
 * known pixels are kept.
 * @example
 * const filled = onePassFill(loadRun('runs/inpaint').model, test, makeMask(parseMask('rect:8,8,12,12'), [28, 28], test.n));
 */
export function onePassFill(model: Autoencoder, images: Matrix, mask: Mask): Matrix {
  checkMask(images, mask);
  const input = images.x.slice();
  for (let i = 0; i < input.length; i++) if (mask.missing[i]) input[i] = HOLE_VALUE;
  const drawn = transformRows(model, 'reconstruct', { x: input, n: images.n, features: images.features }).x;
  const out = images.x.slice();
  for (let i = 0; i < out.length; i++) if (mask.missing[i]) out[i] = drawn[i];
  return { x: out, n: images.n, features: images.features };
}

/** How the model fills the hole: one forward pass (a model trained with holes), a fitted code, or iterated reconstruction. */
export type InpaintMethod = 'one-pass' | 'iterate' | 'fit-code';

/** The method a model fills with unless told: one pass for a model trained with holes, else fit-code. */
export function defaultInpaintMethod(model: Autoencoder): InpaintMethod {
  return trainedForHoles(model) ? 'one-pass' : 'fit-code';
}

/** PSNR on the hole of each way of filling it, and the filled images. */
export interface InpaintResult {
  psnr: { model: number; mean: number; pca: number };
  filled: { model: Matrix; mean: Matrix; pca: Matrix };
  /** Missing pixels over all images. */
  missing: number;
}

/**
 * Fills the holes of `truth` with the model (by default in one pass when it was trained with
 * holes, else by fit-code) and with both baselines (the training mean; PCA
 * with as many components as the model's code, iterated as many times), and scores each on the hole.
 * @example
 * const result = inpaintEval(model, train, test, mask, pca);
 * result.psnr.model > result.psnr.pca;
 */
export function inpaintEval(model: Autoencoder, train: Matrix, truth: Matrix, mask: Mask, pca: Pca,
  options: { method?: InpaintMethod; iterations?: number; steps?: number; priorWeight?: number } = {}): InpaintResult {
  const { method = defaultInpaintMethod(model), iterations = 5 } = options;
  const mean = columnMeans(train);
  const meanFill = fillHoles(truth, mask, Float32Array.from(mean));
  const reconstruct = (x: Matrix) => transformRows(model, 'reconstruct', x);
  const modelFill = method === 'one-pass' ? onePassFill(model, truth, mask)
    : method === 'iterate' ? iterateFill(meanFill, mask, reconstruct, iterations)
      : fitCodes(model, meanFill, mask, { prior: codePrior(model, train), steps: options.steps, priorWeight: options.priorWeight });
  const pcaFill = iterateFill(meanFill, mask, pcaProjection(pca), iterations);
  return {
    psnr: { model: holePsnr(truth, modelFill, mask), mean: holePsnr(truth, meanFill, mask), pca: holePsnr(truth, pcaFill, mask) },
    filled: { model: modelFill, mean: meanFill, pca: pcaFill },
    missing: mask.missing.reduce((a, b) => a + b, 0),
  };
}

function checkMask(data: Matrix, mask: Mask): void {
  if (mask.n !== data.n || mask.features !== data.features) {
    throw new UsageError(`inpaint: a mask for ${mask.n} images of ${mask.features} pixels, but ${data.n} of ${data.features}`);
  }
}
