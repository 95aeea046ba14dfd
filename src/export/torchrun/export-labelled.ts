/**
 * `aekit export torchrun --model` for nets that learn from labels: a classifier run (`aekit
 * classify`, fine-tuned or with its encoder frozen) and a segment folder (`aekit segment`). The job
 * goes on from the folder's weights with its settings; its rows are the very rows the net learned
 * and was scored on (the classifier's labelled examples, the segmenter's scenes), made here by
 * aekit's own code and written to the job's `data/` as NPY with their labels, since they are a
 * selection (balanced labels) or generated (scenes) and not a file the job could read.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { balancedSample } from '../../data/balanced-sample.js';
import { type Dataset, takeRows } from '../../data/dataset.js';
import { loadData } from '../../data/load-data.js';
import { writeNpy } from '../../data/npy.js';
import { makeScenes, SCENE_CLASSES, sceneDigitsWithValidation } from '../../data/scenes.js';
import { UsageError } from '../../errors.js';
import type { Classifier } from '../../models/classifier.js';
import type { Segmenter } from '../../models/segmenter.js';
import { CLASSIFIER_FORMAT } from '../../run/classifier-record.js';
import { loadClassifier, runFormat } from '../../run/classifier-run.js';
import { classCount, labelledSplits } from '../../run/labelled-data.js';
import type { RunRecord } from '../../run/run-record.js';
import { loadSegmenter } from '../../run/segmenter-run.js';
import { AEKIT_VERSION } from '../../run/version.js';
import { SEGNET } from '../../training/presets.js';
import type { RunTrainingSettings } from '../../training/settings.js';

/** The rows a labelled job trains and is scored on, written by aekit (see TorchrunJob['data']['prepared']). */
export interface PreparedRows {
  train: { x: string; labels: string };
  test: { x: string; labels: string };
}

/** A classifier or segmenter folder, as a job: its net (with the folder's weights), settings, rows and record. */
export interface LabelledJobPlan {
  net: Classifier | Segmenter;
  training: NonNullable<RunRecord['training']>;
  train: Dataset;
  test: Dataset;
  /** What the job writes to run/ (model.json of a classifier, segment.json of a segmenter), completed there. */
  record: Record<string, unknown> & { format: string; versions: { aekit: string } };
  recordFile: 'model.json' | 'segment.json';
  name: string;
}

/** Settings that `--epochs` and the like override. */
export type LabelledOverrides = Partial<Pick<RunTrainingSettings, 'epochs' | 'batchSize' | 'lr' | 'weightDecay' | 'schedule' | 'optimizer'>>;

/** Whether `dir` is a folder this module exports: a classifier run or a segment folder. */
export function isLabelledFolder(dir: string): boolean {
  return existsSync(join(dir, 'segment.json')) || (existsSync(join(dir, 'model.json')) && runFormat(dir) === CLASSIFIER_FORMAT);
}

const versions = () => ({ aekit: AEKIT_VERSION, node: process.version, backend: 'torch (torchrun job)' });

/**
 * The job of a classifier run or a segment folder.
 * @throws UsageError for a classifier that learned from `--data` rows it did not record, or with shifted images
 * @example
 * const plan = labelledJobPlan('runs/classify', { epochs: 5 });
 */
export function labelledJobPlan(dir: string, overrides: LabelledOverrides): LabelledJobPlan {
  return existsSync(join(dir, 'segment.json')) ? segmenterPlan(dir, overrides) : classifierPlan(dir, overrides);
}

function classifierPlan(dir: string, o: LabelledOverrides): LabelledJobPlan {
  const { model, record } = loadClassifier(dir);
  if (!record.data || !record.split) {
    throw new UsageError(`${dir}: this classifier learned from rows given with --data, which its record does not keep; the torchrun job needs the run's own data (classify a run folder without --data)`);
  }
  const t = record.training;
  // All of the test split, as aekit classify and aekit eval score a classifier.
  const { train, test } = labelledSplits(record, dir);
  const classes = classCount(train, test);
  // classify takes a balanced sample when --labels was fewer than the training rows (in increasing order: all of them is the split itself)
  const labelled = t.labels === train.n ? train : takeRows(train, balancedSample(train.labels!, t.labels, classes, t.seed));
  // A classifier saved from a frozen encoder (no --finetune) trained its head alone: so does the job.
  model.frozenEncoder = !t.finetune;
  const training = {
    epochs: o.epochs ?? t.epochs, batchSize: o.batchSize ?? t.batchSize, lr: o.lr ?? t.lr, schedule: o.schedule ?? t.schedule,
    weightDecay: o.weightDecay ?? 0, optimizer: o.optimizer ?? 'adam' as const, seed: t.seed, validationFraction: 0,
  };
  const jobRecord = { ...record, status: 'done', training: { ...t, epochs: training.epochs, batchSize: training.batchSize, lr: training.lr, schedule: training.schedule }, versions: versions() };
  delete (jobRecord as { metrics?: unknown }).metrics;
  return { net: model, training, train: labelled, test, record: jobRecord, recordFile: 'model.json', name: `the classifier of ${dir}` };
}

function segmenterPlan(dir: string, o: LabelledOverrides): LabelledJobPlan {
  const net = loadSegmenter(dir);
  const saved = JSON.parse(readFileSync(join(dir, 'segment.json'), 'utf8')) as {
    scenes?: number; testScenes?: number; epochs?: number; batchSize?: number; seed?: number; lr?: number; validation?: unknown;
  };
  const scenes = saved.scenes ?? SEGNET.scenes;
  const testScenes = saved.testScenes ?? 1000;
  // Folders written before segment.json kept its seed and batch size had aekit segment's defaults.
  const seed = saved.seed ?? 0;
  const size = net.inputShape[1];
  // A run with validation scenes trained on scenes of the digits they did not hold out.
  const trainDigits = loadData('mnist', { split: 'train' });
  const train = makeScenes(saved.validation ? sceneDigitsWithValidation(trainDigits, seed).train : trainDigits, scenes, { size, seed });
  const test = makeScenes(loadData('mnist', { split: 'test' }), testScenes, { size, seed: seed + 1 });
  const training = {
    epochs: o.epochs ?? saved.epochs ?? SEGNET.training.epochs, batchSize: o.batchSize ?? saved.batchSize ?? SEGNET.training.batchSize,
    lr: o.lr ?? saved.lr ?? SEGNET.training.lr, schedule: o.schedule ?? SEGNET.training.schedule, weightDecay: o.weightDecay ?? 0, optimizer: o.optimizer ?? 'adam' as const,
    seed, validationFraction: 0,
  };
  const record = {
    format: 'aekit-segmenter', classes: [...SCENE_CLASSES], scenes, testScenes, epochs: training.epochs, batchSize: training.batchSize, seed,
    backend: 'torch (torchrun job)', versions: versions(), model: net.spec,
  };
  return { net, training, train, test, record, recordFile: 'segment.json', name: `the segmenter of ${dir}` };
}

/**
 * Writes the plan's training and test rows, with their labels, as float32 NPY files in `out/data`.
 * @example
 * const prepared = writePreparedRows('jobs/classify', plan);
 */
export function writePreparedRows(out: string, plan: Pick<LabelledJobPlan, 'train' | 'test'>): PreparedRows {
  mkdirSync(join(out, 'data'), { recursive: true });
  const write = (part: 'train' | 'test', rows: Dataset) => {
    const x = `data/${part}.npy`;
    const labels = `data/${part}-labels.npy`;
    writeNpy(join(out, x), rows.x, [rows.n, ...rows.shape]);
    writeNpy(join(out, labels), Float32Array.from(rows.labels!), [rows.n, ...(rows.labelShape ?? [])]);
    return { x, labels };
  };
  return { train: write('train', plan.train), test: write('test', plan.test) };
}
