/**
 * Segmentation as an application: scenes of MNIST digits (training scenes from training digits,
 * test scenes from test digits), the segnet preset trained on them with the per-pixel softmax
 * cross-entropy, and its pixel accuracy and intersection over union per class on the test scenes,
 * with a picture of inputs, truths and predictions.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { loadData } from '../data/load-data.js';
import { makeScenes, SCENE_CLASSES } from '../data/scenes.js';
import { DataError } from '../errors.js';
import { prepareRunFolder, writeJson, writeTensorsFile } from '../io/run-folder.js';
import { readSafetensors } from '../io/safetensors.js';
import { SEGNET } from '../models/presets.js';
import { balancedClassWeights, Segmenter, segmentationScores, type SegmentationScores, type SegmenterSpecInput } from '../models/segmenter.js';
import { getBackend, Tensor } from '../tensor/index.js';
import { fit, type TrainingEvent } from '../training/fit.js';
import { copyTensors } from './classifier-run.js';
import { writeImageRows } from './pictures.js';
import { writeReport } from './report.js';

/** What `aekit segment` can be told. */
export interface SegmentOptions {
  /** Training scenes (default SEGNET.scenes, 8,000) and test scenes (default 1,000). */
  scenes?: number;
  testScenes?: number;
  /** The canvas's side (default 64). */
  size?: number;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  out: string;
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
}

/** The test scores, and what the run was. */
export interface SegmentResult extends SegmentationScores {
  classes: readonly string[];
  scenes: number;
  testScenes: number;
  epochs: number;
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
  const { epochs = SEGNET.training.epochs, batchSize = SEGNET.training.batchSize } = options;
  const train = makeScenes(loadData('mnist', { split: 'train' }), scenes, { size, seed });
  const test = makeScenes(loadData('mnist', { split: 'test' }), testScenes, { size, seed: seed + 1 });
  // Only once the request is known to be good is an earlier output replaced.
  prepareRunFolder(out, options.force ?? false);
  const classWeights = balancedClassWeights(train.labels!, SEGNET.model.classes, SEGNET.balancePower);
  const net = Segmenter.create({ ...SEGNET.model, input: [1, size, size], classWeights }, seed);
  const fitted = await fit(net, train, {
    epochs, batchSize, lr: SEGNET.training.lr, schedule: SEGNET.training.schedule, seed, signal: options.signal, onEvent: options.onEvent,
  });
  const predicted = predictAll(net, test, batchSize);
  const scores = segmentationScores(predicted, test.labels!, net.classes);
  // Labels drawn as gray levels: the background black, digit d at (d + 1) / 10.
  const asImage = (labels: ArrayLike<number>) => ({ x: Float32Array.from(labels, (l) => l / (net.classes - 1)), n: test.n, features: test.features });
  writeImageRows(join(out, 'segmentation.png'), [size, size], `Segmentation of test scenes (mean IoU ${scores.meanIoU.toFixed(3)})`, [
    { label: 'scene', data: test }, { label: 'true classes', data: asImage(test.labels!) }, { label: 'predicted', data: asImage(predicted) },
  ], 8, 'Classes as gray levels: background black, digit d at (d + 1) / 10 of white.');
  const result: SegmentResult = {
    ...scores, classes: SCENE_CLASSES, scenes, testScenes, epochs: fitted.trainLoss.length, seconds: fitted.seconds,
    samplesPerSecond: fitted.samplesPerSecond, aborted: fitted.aborted, out, backend: getBackend().name,
  };
  saveSegmenter(net, out, result);
  await writeReport(out);
  return result;
}

/**
 * Writes a segmenter's weights (model.safetensors) and segment.json (`record` with the model's
 * spec) into the folder `out`, which exists.
 * @example
 * saveSegmenter(net, 'runs/segnet', result);
 */
export function saveSegmenter(net: Segmenter, out: string, record: object): void {
  const tensors = [...net.parameters(), ...net.buffers()].map((p) => ({ name: p.name, shape: [...p.tensor.shape], data: p.tensor.data }));
  writeTensorsFile(join(out, 'model.safetensors'), tensors, { format: 'aekit-segmenter' });
  writeJson(join(out, 'segment.json'), { ...record, model: net.spec });
}

/**
 * The net of a folder written by `aekit segment`: segment.json's model spec, and the weights of
 * model.safetensors.
 * @throws DataError naming the file when the folder is not a segment folder or its files do not fit
 * @example
 * const net = loadSegmenter('runs/segnet');
 */
export function loadSegmenter(dir: string): Segmenter {
  const recordPath = join(dir, 'segment.json');
  if (!existsSync(recordPath)) throw new DataError(`${dir}: not a segment folder (no segment.json); expected the --out folder of aekit segment`);
  let record: { model?: SegmenterSpecInput } | null;
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8')) as { model?: SegmenterSpecInput } | null;
  } catch (error) {
    throw new DataError(`${recordPath}: not valid JSON (${(error as Error).message})`);
  }
  if (!record?.model) throw new DataError(`${recordPath}: records no model spec; run aekit segment again`);
  const net = Segmenter.create(record.model);
  const weights = join(dir, 'model.safetensors');
  const arrays = [...readSafetensors(weights).tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
  copyTensors([...net.parameters(), ...net.buffers()], arrays, weights);
  return net;
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
