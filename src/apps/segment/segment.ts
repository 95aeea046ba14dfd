/**
 * Segmentation as an application: scenes of MNIST digits (training scenes from training digits,
 * test scenes from test digits), the segnet preset trained on them with the per-pixel softmax
 * cross-entropy, and its pixel accuracy and intersection over union per class on the test scenes,
 * with a picture of inputs, truths and predictions.
 */
import { join } from 'node:path';
import type { Dataset } from '../../data/dataset.js';
import { loadData } from '../../data/load-data.js';
import { makeScenes, SCENE_CLASSES, sceneDigitsWithValidation } from '../../data/scenes.js';
import { prepareRunFolder } from '../../io/run-folder.js';
import { SEGNET, segnetModel } from '../../training/presets.js';
import { balancedClassWeights, Segmenter, segmentationScores, type SegmentationScores } from '../../models/segmenter.js';
import { getBackend, Tensor } from '../../tensor/index.js';
import { fit, type TrainingEvent } from '../../training/fit.js';
import { saveSegmenter } from '../../run/segmenter-run.js';
import { writeImageRows } from '../../run/pictures.js';
import { writeReport } from '../../run/report.js';

/** What `aekit segment` can be told. */
export interface SegmentOptions {
  /** Training scenes (default SEGNET.scenes, 18,000) and test scenes (default 1,000). */
  scenes?: number;
  testScenes?: number;
  /** The canvas's side (default 64). */
  size?: number;
  epochs?: number;
  batchSize?: number;
  /** Adam's learning rate (default SEGNET.training.lr). */
  lr?: number;
  /**
   * Validation scenes (default 0: none). When some are asked for, 5,000 of the 60,000 training
   * digits are held out (a seeded draw) and the validation scenes are made from them, the training
   * scenes from the rest, so that settings can be chosen without looking at the test scenes.
   */
  validationScenes?: number;
  /** The net's and loss's settings, for sweeps (default SEGNET's). */
  settings?: Partial<SegnetSettings>;
  seed?: number;
  out: string;
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
}

/** What a sweep may change about the segnet preset. */
export interface SegnetSettings {
  /** Filters of the encoder's blocks, and the blocks followed by a pooling. */
  filters: readonly number[];
  pooledAfter: readonly number[];
  /** The power of the class balancing (see balancedClassWeights). */
  balancePower: number;
  /** The weight of the soft Jaccard term beside the cross-entropy (0: none). */
  jaccardWeight: number;
}

/** The test scores, and what the run was. */
export interface SegmentResult extends SegmentationScores {
  classes: readonly string[];
  scenes: number;
  testScenes: number;
  epochs: number;
  lr: number;
  /** The scores on the validation scenes, when there were some. */
  validation?: SegmentationScores & { scenes: number };
  /** The seed of the scenes, weights and shuffles, and the scenes per step: what a torchrun job of the folder needs. */
  seed: number;
  batchSize: number;
  seconds: number;
  samplesPerSecond: number;
  aborted: boolean;
  out: string;
  backend: string;
}

/**
 * Makes the scenes, trains the segnet preset on them and scores it on the test scenes.
 * @example
 * const { meanIoU } = await segment({ scenes: 2000, epochs: 2, out: 'runs/segnet' });
 */
export async function segment(options: SegmentOptions): Promise<SegmentResult> {
  const { scenes = SEGNET.scenes, testScenes = 1000, size = 64, seed = 0, out } = options;
  const { epochs = SEGNET.training.epochs, batchSize = SEGNET.training.batchSize, lr = SEGNET.training.lr, validationScenes = 0 } = options;
  const settings: SegnetSettings = { ...SEGNET.settings, ...options.settings };
  const trainDigits = loadData('mnist', { split: 'train' });
  const held = validationScenes > 0 ? sceneDigitsWithValidation(trainDigits, seed) : null;
  const train = makeScenes(held ? held.train : trainDigits, scenes, { size, seed });
  const validation = held ? makeScenes(held.validation, validationScenes, { size, seed: seed + 2 }) : null;
  const test = makeScenes(loadData('mnist', { split: 'test' }), testScenes, { size, seed: seed + 1 });
  // Only once the request is known to be good is an earlier output replaced.
  prepareRunFolder(out, options.force ?? false);
  const model = segnetModel(settings.filters, settings.pooledAfter, SEGNET.model.classes, size);
  const classWeights = balancedClassWeights(train.labels!, model.classes, settings.balancePower);
  const net = Segmenter.create({ ...model, classWeights, ...(settings.jaccardWeight > 0 ? { jaccardWeight: settings.jaccardWeight } : {}) }, seed);
  const fitted = await fit(net, train, {
    epochs, batchSize, lr, schedule: SEGNET.training.schedule, seed, signal: options.signal, onEvent: options.onEvent,
  });
  const predicted = predictAll(net, test, batchSize);
  const scores = segmentationScores(predicted, test.labels!, net.classes);
  const validationScores = validation
    ? { ...segmentationScores(predictAll(net, validation, batchSize), validation.labels!, net.classes), scenes: validation.n }
    : undefined;
  // Labels drawn as gray levels: the background black, digit d at (d + 1) / 10.
  const asImage = (labels: ArrayLike<number>) => ({ x: Float32Array.from(labels, (l) => l / (net.classes - 1)), n: test.n, features: test.features });
  writeImageRows(join(out, 'segmentation.png'), [size, size], `Segmentation of test scenes (mean IoU ${scores.meanIoU.toFixed(3)})`, [
    { label: 'scene', data: test }, { label: 'true classes', data: asImage(test.labels!) }, { label: 'predicted', data: asImage(predicted) },
  ], 8, 'Classes as gray levels: background black, digit d at (d + 1) / 10 of white.');
  const result: SegmentResult = {
    ...scores, classes: SCENE_CLASSES, scenes, testScenes, epochs: fitted.trainLoss.length, lr, ...(validationScores ? { validation: validationScores } : {}), seed, batchSize, seconds: fitted.seconds,
    samplesPerSecond: fitted.samplesPerSecond, aborted: fitted.aborted, out, backend: getBackend().name,
  };
  saveSegmenter(net, out, result);
  await writeReport(out);
  return result;
}

/** The predicted class of every pixel of every scene, in batches. */
function predictAll(net: Segmenter, scenes: Dataset, batchSize: number): Uint8Array {
  const out = new Uint8Array(scenes.n * scenes.features);
  for (let from = 0; from < scenes.n; from += batchSize) {
    const rows = Math.min(batchSize, scenes.n - from);
    const x = new Tensor(scenes.x.subarray(from * scenes.features, (from + rows) * scenes.features), [rows, ...scenes.shape]);
    out.set(net.predict(x), from * scenes.features);
  }
  return out;
}
