/**
 * `aekit pca`: PCA fitted on a data set's training split and scored on its test split, and the
 * course's claim checked: a linear autoencoder trained with squared error spans the same
 * subspace as the top-K principal components.
 */
import { join } from 'node:path';
import type { Dataset } from '../../data/dataset.js';
import { prepareRunFolder, writeJson } from '../../io/run-folder.js';
import { fitPca, type GemmKernel, type Pca, type PcaSolver, principalAngles, type Subspace } from '../../linalg/index.js';
import { Autoencoder } from '../../models/autoencoder.js';
import { PRESETS } from '../../models/presets.js';
import { UsageError } from '../../errors.js';
import { Dense } from '../../nn/dense.js';
import { TiedDense } from '../../nn/tied-dense.js';
import { getBackend } from '../../tensor/index.js';
import { evaluate } from '../../training/evaluate.js';
import { fit, type TrainingEvent } from '../../training/fit.js';
import { rowsFigure } from '../../viz/figure.js';
import { writeSvgAsPng } from '../../viz/raster.js';
import { loadRunData } from '../../data/data-split.js';
import { imageShape, tileRow, writeImageRows } from '../../run/pictures.js';
import { writeReport } from '../../run/report.js';

/** What `aekit pca` can be told. */
export interface PcaRunOptions {
  /** 'mnist', 'fashion-mnist', a folder of IDX files, or a data file. */
  data?: string;
  /** K, the principal components kept; default 30. */
  components?: number;
  solver?: PcaSolver;
  limit?: number;
  testLimit?: number;
  seed?: number;
  /** Also train a linear autoencoder with a K-unit code and measure its subspace against PCA's. */
  compareLinearAe?: boolean;
  /** Linear autoencoder training (defaults: the `linear` preset's). */
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** A folder for components.png, reconstructions.png and pca.json; nothing is written without it. */
  out?: string;
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
}

/** How close a linear autoencoder came to PCA. */
export interface LinearAeComparison {
  /** The largest principal angle between the decoder's column space and the top-K components. */
  largestAngleDegrees: number;
  /** Mean cos² of the principal angles: 1 when the subspaces coincide. */
  meanCos2: number;
  /** The autoencoder's test sse (PCA's is the least any rank-K linear map can reach). */
  sse: number;
  epochs: number;
  seconds: number;
}

/** What `aekit pca` reports. */
export interface PcaRunResult {
  components: number;
  test: { sse: number; mse: number };
  /** The share of the training data's variance the K components explain, in (0, 1]. */
  explainedVarianceRatio: number;
  /** The same per component, largest first. */
  componentRatios: number[];
  solver: PcaSolver;
  /** The data spec, as given. */
  data: string;
  train: number;
  testExamples: number;
  features: number;
  seconds: number;
  backend: string;
  linearAe?: LinearAeComparison;
  outDir?: string;
}

/**
 * The GEMM for PCA's big products: the native backend's, which is fast; with the reference
 * backend linalg's own float64 loops, which skip zero pixels and beat a plain-TS GEMM by far.
 * @example
 * const pca = fitPca(train, { components: 30, kernel: pcaKernel() });
 */
export function pcaKernel(): GemmKernel | undefined {
  const backend = getBackend();
  return backend.name === 'native' ? backend : undefined;
}

/**
 * Fits PCA on the training split, scores it on the test split, and optionally compares a
 * linear autoencoder with it.
 * @example
 * const result = await pcaRun({ data: 'mnist', components: 30 }); // result.test.sse ≈ 13.87
 */
export async function pcaRun(options: PcaRunOptions = {}): Promise<PcaRunResult> {
  const k = options.components ?? 30;
  const solver = options.solver ?? 'exact';
  const data = options.data ?? 'mnist';
  if (options.out) prepareRunFolder(options.out, options.force ?? false);
  // PCA has no hyper-parameters to validate, so it learns from every training example.
  const { train, test } = loadRunData({ data, limit: options.limit, testLimit: options.testLimit, validationFraction: 0, seed: options.seed ?? 0 });
  const started = performance.now();
  const pca = fitPca(train, { components: k, solver, kernel: pcaKernel(), seed: options.seed, signal: options.signal });
  const seconds = (performance.now() - started) / 1000;
  const result: PcaRunResult = {
    components: k,
    test: pca.reconstructionError(test),
    explainedVarianceRatio: pca.explainedVarianceRatioTotal,
    componentRatios: [...pca.explainedVarianceRatio],
    solver,
    data,
    train: train.n,
    testExamples: test.n,
    features: train.features,
    seconds,
    backend: getBackend().name,
  };
  if (options.compareLinearAe) {
    result.linearAe = await compareLinearAutoencoder(train, test, pca, options);
  }
  if (options.out) {
    writePcaPictures(options.out, pca, test);
    writeJson(join(options.out, 'pca.json'), result);
    await writeReport(options.out);
    result.outDir = options.out;
  }
  return result;
}

/**
 * Trains a linear autoencoder (linear encoder and decoder, squared error, centred inputs, code
 * size K) and measures the principal angles between its decoder's column space and PCA's top K.
 *
 * The course normalises the inputs as r_ij = (x_ij − mean_j)/√m. The centring matters: without
 * it the autoencoder must spend its biases on the mean. The 1/√m does not: it scales every input
 * by one constant, which scales the loss by 1/m and leaves its minimisers' subspace where it was
 * (only the codes' scale changes); for gradient descent it changes the effective step size, and
 * Adam normalises that away. So the model's `centerInputs` (subtract the training mean, add it
 * back to the output) is all the normalisation needed.
 * @param train the rows PCA was fitted on.
 * @param test rows to score the autoencoder on.
 * @param pca the fitted PCA, whose K sets the code size.
 * @param options training settings (defaults: the `linear` preset's).
 * @example
 * const { largestAngleDegrees } = await compareLinearAutoencoder(train, test, fitPca(train, { components: 3 }), { epochs: 50 });
 */
export async function compareLinearAutoencoder(train: Dataset, test: Dataset, pca: Pca,
  options: Pick<PcaRunOptions, 'epochs' | 'batchSize' | 'lr' | 'seed' | 'signal' | 'onEvent'> = {}): Promise<LinearAeComparison> {
  const preset = PRESETS.linear;
  const model = Autoencoder.create({ ...preset.model, layers: [train.features, pca.k] }, options.seed ?? 0);
  const result = await fit(model, train, {
    epochs: options.epochs ?? preset.training.epochs,
    batchSize: options.batchSize ?? preset.training.batchSize,
    lr: options.lr ?? preset.training.lr,
    schedule: preset.training.schedule,
    seed: options.seed ?? 0,
    signal: options.signal,
    onEvent: options.onEvent,
  });
  const angles = principalAngles(decoderSubspace(model), { basis: pca.components, dim: pca.features, count: pca.k, layout: 'rows' });
  return {
    largestAngleDegrees: angles.largestAngleDegrees,
    meanCos2: angles.meanCos2,
    sse: evaluate(model, test).sse,
    epochs: result.trainLoss.length,
    seconds: result.seconds,
  };
}

/**
 * The subspace a one-layer linear decoder's outputs lie in (shifted by its bias and the mean):
 * the column space of its [features, code] weight, or, tied, the row space of the encoder's
 * [code, features] weight.
 * @param model an autoencoder whose decoder is one layer.
 * @example
 * principalAngles(decoderSubspace(model), { basis: pca.components, dim: 784, count: 30, layout: 'rows' });
 */
export function decoderSubspace(model: Autoencoder): Subspace {
  const weighted = model.decoder.layers.filter((l) => l instanceof Dense || l instanceof TiedDense);
  const layer = weighted[0];
  if (weighted.length !== 1) throw new UsageError(`decoderSubspace: needs a decoder with one dense layer, this one has ${weighted.length}`);
  if (layer instanceof TiedDense) {
    const w = layer.sharedWeight;
    return { basis: w.data, dim: w.shape[1], count: w.shape[0], layout: 'rows' };
  }
  const w = (layer).weight;
  return { basis: w.data, dim: w.shape[0], count: w.shape[1], layout: 'columns' };
}

/** components.png (the principal directions as images) and reconstructions.png (test digits over PCA's). */
function writePcaPictures(dir: string, pca: Pca, test: Dataset, count = 10): void {
  const shape = imageShape(test);
  if (!shape) return;
  const [h, w] = shape;
  const shown = Math.min(pca.k, 100);
  const components = Float32Array.from(pca.components.subarray(0, shown * pca.features));
  writeSvgAsPng(join(dir, 'components.png'), rowsFigure({
    title: `PCA: the first ${shown} of ${pca.k} principal directions, by variance`,
    rows: [tileRow('', components, [h, w], Math.min(shown, 10), 'per-tile')],
    caption: 'A tile per direction, on its own scale: white its largest value, black its smallest.',
  }));
  const rows = Math.min(count, test.n);
  const originals = { x: test.x.subarray(0, rows * test.features), n: rows, features: test.features };
  writeImageRows(join(dir, 'reconstructions.png'), [h, w], `The first ${rows} test examples and their PCA reconstructions (${pca.k} components)`, [
    { label: 'test example', data: originals }, { label: 'PCA', data: pca.inverseTransform(pca.transform(originals)) },
  ], rows);
}
