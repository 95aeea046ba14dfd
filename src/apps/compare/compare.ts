/**
 * `aekit compare`: compressing examples to K numbers four ways on one split (PCA, logistic PCA,
 * a shallow autoencoder and the deep autoencoder), their test errors side by side, and the
 * pictures of Hinton & Salakhutdinov's Figures 2 and 3 (Science 2006): test digits over each
 * method's reconstructions and, with K = 2, the codes of PCA and the deep autoencoder as
 * scatter plots coloured by digit.
 */
import { join } from 'node:path';
import { type Dataset, takeRows } from '../../data/dataset.js';
import { prepareRunFolder, writeJson } from '../../io/run-folder.js';
import { fitPca, type Pca } from '../../linalg/index.js';
import type { Autoencoder } from '../../models/autoencoder.js';
import { PRESETS } from '../../models/presets.js';
import { getBackend } from '../../tensor/index.js';
import type { TrainingEvent } from '../../training/fit.js';
import { rowsFigure } from '../../viz/figure.js';
import { latentScatterSpec, renderPlot } from '../../viz/plots.js';
import { writeSvgAsPng } from '../../viz/raster.js';
import { DEFAULT_VALIDATION_FRACTION, loadRunData } from '../../data/data-split.js';
import { loadRun } from '../../run/save-load.js';
import { pcaKernel } from '../pca/pca-run.js';
import { imageShape, reconstructRows, tileRow } from '../../run/pictures.js';
import { transformRows } from '../../run/transform.js';
import { trainRun } from '../train/train-run.js';
import { writeReport } from '../../run/report.js';
import { AEKIT_VERSION } from '../../run/version.js';
import { writeFileAtomic } from '../../io/atomic-write.js';

/** The methods, in the order of the table and of the picture's rows. */
export const COMPARE_METHODS = ['pca', 'logistic-pca', 'shallow', 'deep'] as const;

/** A compared method's name. */
export type CompareMethod = (typeof COMPARE_METHODS)[number];

/**
 * The autoencoders compared, by the preset whose model (with a K-unit code) and training
 * settings they use. "shallow" is the basic undercomplete autoencoder: one sigmoid layer.
 */
export const COMPARE_PRESETS = {
  'logistic-pca': 'logistic-pca',
  shallow: 'undercomplete',
  deep: 'deep',
} as const satisfies Record<Exclude<CompareMethod, 'pca'>, keyof typeof PRESETS>;

/** What `aekit compare` can be told. */
export interface CompareOptions {
  data?: string;
  /** K, the code size of every method; default 30. */
  code?: number;
  /** Epochs for every autoencoder; default each preset's own (see COMPARE_PRESETS). */
  epochs?: number;
  limit?: number;
  testLimit?: number;
  seed?: number;
  /** The folder for compare.json, the pictures and one run folder per trained method. */
  out: string;
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: CompareEvent) => void;
}

/** Progress: a method starts, or one of the autoencoders reports from training. */
export type CompareEvent =
  | { type: 'method'; method: CompareMethod; index: number; total: number }
  | { type: 'training'; method: CompareMethod; event: TrainingEvent };

/** One row of the table. */
export interface CompareRow {
  method: CompareMethod;
  /** Test sse: mean over examples of the summed squared error, pixels in [0, 1]. */
  sse: number;
  mse: number;
  /** Test binary cross-entropy for the sigmoid-output autoencoders; null for PCA. */
  bce: number | null;
  seconds: number;
  /** Epochs trained (null for PCA). */
  epochs: number | null;
  /** The method's run folder (null for PCA). */
  runDir: string | null;
}

/** What `aekit compare` reports. */
export interface CompareResult {
  code: number;
  rows: CompareRow[];
  data: string;
  train: number;
  test: number;
  /** True when Ctrl-C stopped it; the rows so far are kept. */
  aborted: boolean;
  pictures: string[];
  outDir: string;
  backend: string;
  /** Which aekit, Node and backend made it, as a run folder's model.json records them. */
  versions: { aekit: string; node: string; backend: string };
}

/**
 * Runs the comparison and writes its folder.
 * @example
 * const { rows } = await compare({ code: 30, epochs: 5, limit: 5000, out: 'runs/compare' });
 * rows.map((r) => `${r.method} ${r.sse.toFixed(2)}`);
 */
export async function compare(options: CompareOptions): Promise<CompareResult> {
  const k = options.code ?? 30;
  const data = options.data ?? 'mnist';
  const seed = options.seed ?? 0;
  const validationFraction = DEFAULT_VALIDATION_FRACTION;
  prepareRunFolder(options.out, options.force ?? false);
  // The split trainRun makes from the same arguments, so PCA learns from the same examples.
  const { train, test } = loadRunData({ data, limit: options.limit, testLimit: options.testLimit, validationFraction, seed });
  const total = COMPARE_METHODS.length;
  const rows: CompareRow[] = [];
  const models = new Map<CompareMethod, Autoencoder>();

  options.onEvent?.({ type: 'method', method: 'pca', index: 1, total });
  const started = performance.now();
  const pca = fitPca(train, { components: k, kernel: pcaKernel(), signal: options.signal });
  const pcaError = pca.reconstructionError(test);
  rows.push({ method: 'pca', sse: pcaError.sse, mse: pcaError.mse, bce: null, seconds: (performance.now() - started) / 1000, epochs: null, runDir: null });

  let aborted = false;
  for (const [i, method] of (['logistic-pca', 'shallow', 'deep'] as const).entries()) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    options.onEvent?.({ type: 'method', method, index: i + 2, total });
    const runDir = join(options.out, method);
    // The preset itself with the code size changed, so its run records the preset's name.
    const run = await trainRun({
      preset: COMPARE_PRESETS[method],
      modelOverrides: { inputWidth: train.features, code: k },
      data, epochs: options.epochs, limit: options.limit, testLimit: options.testLimit, validationFraction, seed,
      out: runDir, force: options.force, signal: options.signal,
      onEvent: (event) => options.onEvent?.({ type: 'training', method, event }),
    });
    rows.push({ method, sse: run.test.sse, mse: run.test.mse, bce: run.test.bce, seconds: run.seconds, epochs: run.epochs, runDir });
    models.set(method, loadRun(runDir).model);
    if (run.aborted) {
      aborted = true;
      break;
    }
  }

  const pictures = await writeComparePictures(options.out, test, k, pca, models);
  const result: CompareResult = {
    code: k, rows, data, train: train.n, test: test.n, aborted, pictures, outDir: options.out, backend: getBackend().name,
    versions: { aekit: AEKIT_VERSION, node: process.version, backend: getBackend().name },
  };
  writeJson(join(options.out, 'compare.json'), result);
  await writeReport(options.out);
  return result;
}

/**
 * The test rows shown: the first of each class when there are labels (as Figure 2), else the first ten.
 * @param test the test set.
 * @param count how many rows (classes) at most.
 * @example
 * const shown = takeRows(test, showcaseRows(test)); // one 0, one 1, …, one 9
 */
export function showcaseRows(test: Dataset, count = 10): number[] {
  if (!test.labels) return Array.from({ length: Math.min(count, test.n) }, (_, i) => i);
  const first = new Map<number, number>();
  for (let i = 0; i < test.n && first.size < count; i++) if (!first.has(test.labels[i])) first.set(test.labels[i], i);
  return [...first.entries()].sort(([a], [b]) => a - b).map(([, i]) => i);
}

/**
 * compare.png: the shown test examples, then one row of reconstructions per method in table
 * order; with K = 2 also codes.png: PCA's two components and the deep code, coloured by class.
 */
async function writeComparePictures(dir: string, test: Dataset, k: number, pca: Pca, models: Map<CompareMethod, Autoencoder>): Promise<string[]> {
  const shape = imageShape(test);
  const written: string[] = [];
  if (shape) {
    const shown = takeRows(test, showcaseRows(test));
    const rows = [tileRow('test example', shown.x, shape, shown.n), tileRow('pca', pca.inverseTransform(pca.transform(shown)).x, shape, shown.n)];
    for (const method of COMPARE_METHODS) {
      const model = models.get(method);
      if (model) rows.push(tileRow(method, reconstructRows(model, shown, shown.n), shape, shown.n));
    }
    writeSvgAsPng(join(dir, 'compare.png'), rowsFigure({ title: `Reconstructions from ${k}-dimensional codes, one row per method`, rows }));
    written.push('compare.png');
  }
  const deep = models.get('deep');
  if (k === 2 && deep) {
    const labels = test.labels;
    const svg = await renderPlot(latentScatterSpec([
      { title: 'PCA: the first two components', points: pca.transform(test).x },
      { title: 'deep autoencoder: its 2-unit code', points: transformRows(deep, 'encode', test).x },
    ], labels));
    writeFileAtomic(join(dir, 'codes.svg'), svg);
    writeSvgAsPng(join(dir, 'codes.png'), svg);
    written.push('codes.png', 'codes.svg');
  }
  return written;
}
