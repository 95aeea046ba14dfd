/**
 * One-class anomaly detection on a labelled image set (MNIST's protocol in Ruff et al., "Deep
 * One-Class Classification", ICML 2018): for each chosen class, an autoencoder trains on that
 * class's training images only, then scores the whole test set by reconstruction error, that
 * class being normal and every other an anomaly; ROC-AUC and PR-AUC measure how well the scores
 * separate them.
 */
import { join } from 'node:path';
import { type Dataset, expectRowsFit, partName, takeRows } from '../../data/dataset.js';
import { loadData } from '../../data/load-data.js';
import { DataError } from '../../errors.js';
import { prepareRunFolder, writeJson } from '../../io/run-folder.js';
import { fitPca } from '../../linalg/pca.js';
import { Autoencoder } from '../../models/autoencoder.js';
import { getBackend } from '../../tensor/index.js';
import { fit, type TrainingEvent } from '../../training/fit.js';
import { anomalyScores, type ErrorMetric } from './anomaly.js';
import { prAuc, rocAuc, rocCurve } from './anomaly-metrics.js';
import { pcaKernel } from '../pca/pca-run.js';
import { imageShape, writeImageRows } from '../../run/pictures.js';
import { saveModel } from '../../run/save-load.js';
import { presetByName } from '../../training/presets.js';
import { writeReport } from '../../run/report.js';
import { renderPlot, type SeriesPoint, unitCurveSpec } from '../../viz/plots.js';
import { writeFileAtomic } from '../../io/atomic-write.js';

/** The preset `aekit anomaly --one-class` trains unless told otherwise. */
export const ONE_CLASS_PRESET = 'anomaly';

/**
 * The score `aekit anomaly --one-class` uses unless told otherwise: relative-sse, chosen on
 * held-out training digits (README, "Anomaly scores"), where plain sse called the boldest
 * normal digits anomalies.
 */
export const ONE_CLASS_METRIC: ErrorMetric = 'relative-sse';

/** What a one-class run can be told. */
export interface OneClassOptions {
  /** A labelled image set with a test split: 'mnist' (default), 'fashion-mnist' or an IDX folder. */
  data?: string;
  /** The classes to take in turn as normal; default every class of the training labels. */
  classes?: number[];
  /** The preset whose model and training settings are used (default ONE_CLASS_PRESET). */
  preset?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** Train on at most the first N training images of the normal class. */
  limit?: number;
  /** Score only the first N test images (default all). */
  testLimit?: number;
  /** The reconstruction error that scores an image (default ONE_CLASS_METRIC). */
  metric?: ErrorMetric;
  seed?: number;
  /** Also score by PCA's reconstruction error, with as many components as the model's code (default true). */
  baselines?: boolean;
  /** The folder for anomaly.json, anomaly.png and a model folder per class (class-D). */
  out: string;
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: OneClassEvent) => void;
}

/** Progress: a class starts training, or its training reports. */
export type OneClassEvent =
  | { type: 'class'; digit: number; index: number; total: number; train: number }
  | { type: 'training'; digit: number; event: TrainingEvent };

/** One normal class's result. */
export interface OneClassScore {
  /** The normal class (a digit on MNIST). */
  digit: number;
  /** ROC-AUC of the scores, anomalies (the other classes) as positives. */
  auc: number;
  /** PR-AUC (average precision), anomalies as positives. */
  prAuc: number;
  /** The same two for PCA fitted on the same images (null without baselines). */
  pca: { auc: number; prAuc: number; components: number } | null;
  /** Training images of the class. */
  train: number;
  /** Epochs trained (fewer when stopped). */
  epochs: number;
  /** Training and scoring time. */
  seconds: number;
  /** The trained model's folder. */
  model: string;
}

/** What a one-class run reports (`aekit anomaly --one-class … --json`). */
export interface OneClassResult {
  perDigit: OneClassScore[];
  /** Mean ROC-AUC over the classes run. */
  meanAuc: number;
  meanPrAuc: number;
  /** PCA's mean ROC-AUC over the same classes (null without baselines). */
  meanPcaAuc: number | null;
  preset: string;
  metric: ErrorMetric;
  data: string;
  /** Test images scored. */
  test: number;
  seconds: number;
  /** True when Ctrl-C stopped it; the classes finished so far are kept. */
  aborted: boolean;
  /** The picture: per class, its 10 least and 10 most anomalous test images. */
  picture: string | null;
  out: string;
  backend: string;
}

/**
 * Trains one autoencoder per normal class and scores the test set with each.
 * @example
 * const { perDigit, meanAuc } = await oneClass({ classes: [1], limit: 600, epochs: 2, out: 'runs/one-class' });
 */
export async function oneClass(options: OneClassOptions): Promise<OneClassResult> {
  const started = performance.now();
  const data = options.data ?? 'mnist';
  const presetName = options.preset ?? ONE_CLASS_PRESET;
  const preset = presetByName(presetName);
  const metric = options.metric ?? ONE_CLASS_METRIC;
  const seed = options.seed ?? 0;
  const train = loadData(data, { split: 'train' });
  const trainLabels = classLabels(train);
  const test = loadData(data, { split: 'test', limit: options.testLimit });
  const testLabels = classLabels(test);
  const present = [...new Set(trainLabels)].sort((a, b) => a - b);
  const classes = options.classes ?? present;
  for (const c of classes) {
    if (!present.includes(c)) throw new DataError(`${train.name}: no training example of class ${c} (its classes: ${present.join(', ')})`);
  }
  const shape = imageShape(test);
  // A preset in the short form takes the data's width; one written as layer specs must fit it.
  const config = 'layers' in preset.model ? { ...preset.model, layers: [train.features, ...preset.model.layers.slice(1)] } : preset.model;
  const inputSize = Autoencoder.create(config, seed).inputSize;
  expectRowsFit(train, inputSize, { size: `the input size of the ${presetName} preset's model` });
  prepareRunFolder(options.out, options.force ?? false);

  const perDigit: OneClassScore[] = [];
  const pictureRows: Dataset[] = [];
  const curves: SeriesPoint[] = [];
  let aborted = false;
  for (const [index, digit] of classes.entries()) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    const t0 = performance.now();
    const normal = classRows(train, trainLabels, digit, options.limit);
    options.onEvent?.({ type: 'class', digit, index: index + 1, total: classes.length, train: normal.n });
    const model = Autoencoder.create(config, seed);
    const fitted = await fit(model, normal, {
      epochs: options.epochs ?? preset.training.epochs, batchSize: options.batchSize ?? preset.training.batchSize,
      lr: options.lr ?? preset.training.lr, schedule: preset.training.schedule, weightDecay: preset.training.weightDecay,
      seed, signal: options.signal, onEvent: (event) => options.onEvent?.({ type: 'training', digit, event }),
    });
    if (fitted.aborted) aborted = true;
    if (fitted.trainLoss.length === 0) break;
    const scores = anomalyScores(model, test, metric);
    const isAnomaly = Uint8Array.from(testLabels, (l) => (l === digit ? 0 : 1));
    const dir = join(options.out, `class-${digit}`);
    saveModel(model, dir);
    const pca = options.baselines === false ? null : pcaScores(normal, test, model.codeSize);
    perDigit.push({
      digit, auc: rocAuc(scores, isAnomaly), prAuc: prAuc(scores, isAnomaly),
      pca: pca && { auc: rocAuc(pca.scores, isAnomaly), prAuc: prAuc(pca.scores, isAnomaly), components: pca.components },
      train: normal.n, epochs: fitted.trainLoss.length,
      seconds: (performance.now() - t0) / 1000, model: dir,
    });
    curves.push(...rocCurve(scores, isAnomaly).map(({ fpr, tpr }) => ({ series: `digit ${digit} (AUC ${perDigit.at(-1)!.auc.toFixed(3)})`, x: fpr, y: tpr })));
    const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b] || a - b);
    pictureRows.push(takeRows(test, order.slice(0, 10)), takeRows(test, order.slice(-10).reverse()));
    if (aborted) break;
  }

  const picture = shape && pictureRows.length > 0 ? join(options.out, 'anomaly.png') : null;
  if (picture && shape) {
    const rows = pictureRows.map((data, i) => ({ label: `digit ${perDigit[i >> 1].digit}: ${i % 2 === 0 ? 'most normal' : 'most anomalous'}`, data }));
    writeImageRows(picture, shape, `One-class anomaly scores (${metric}): each digit's model, least and most anomalous test images`, rows, 10,
      'A model trained on one digit\'s training images scores every test image; the top row of a pair has the lowest scores, the bottom row the highest.');
  }
  const mean = (values: number[]) => (values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length);
  const result: OneClassResult = {
    perDigit, meanAuc: mean(perDigit.map((d) => d.auc)), meanPrAuc: mean(perDigit.map((d) => d.prAuc)),
    meanPcaAuc: options.baselines === false ? null : mean(perDigit.map((d) => d.pca!.auc)), preset: presetName, metric, data,
    test: test.n, seconds: (performance.now() - started) / 1000, aborted, picture, out: options.out, backend: getBackend().name,
  };
  writeJson(join(options.out, 'anomaly.json'), result);
  if (curves.length > 0) {
    const title = `ROC of the one-class anomaly scores (${metric}), one curve per normal digit`;
    writeFileAtomic(join(options.out, 'roc.svg'), await renderPlot(unitCurveSpec(curves, title, ['false positive rate', 'true positive rate'])));
  }
  await writeReport(options.out);
  return result;
}

/** Each test example's squared error of reconstruction by PCA fitted on the normal examples. */
function pcaScores(normal: Dataset, test: Dataset, code: number): { scores: Float64Array; components: number } {
  const components = Math.min(code, normal.features, normal.n);
  const pca = fitPca(normal, { components, kernel: pcaKernel() });
  const restored = pca.inverseTransform(pca.transform(test)).x;
  const f = test.features;
  const scores = new Float64Array(test.n);
  for (let i = 0; i < test.n; i++) {
    let sum = 0;
    for (let j = i * f; j < (i + 1) * f; j++) sum += (restored[j] - test.x[j]) ** 2;
    scores[i] = sum;
  }
  return { scores, components };
}

/** The class of each example, checked to be one label per example. */
function classLabels(ds: Dataset): Uint8Array | Int32Array {
  if (!ds.labels || (ds.labelShape ?? []).length > 0) {
    throw new DataError(`${ds.name}: one-class anomaly detection needs a class label per example (normal = one class, anomalies = the others), and this data has none`);
  }
  return ds.labels;
}

/** The first `limit` training examples of class `digit`. */
function classRows(ds: Dataset, labels: ArrayLike<number>, digit: number, limit = Infinity): Dataset {
  const rows: number[] = [];
  for (let i = 0; i < ds.n && rows.length < limit; i++) if (labels[i] === digit) rows.push(i);
  return takeRows(ds, rows, partName(ds.name, `class ${digit}`));
}
