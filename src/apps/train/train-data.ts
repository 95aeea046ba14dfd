/**
 * A training run's rows: loaded (or opened as a stream over a file too large for memory), checked
 * against the model and, on resume, against the data the run began with, and scaled.
 */
import { loadRunData } from '../../data/data-split.js';
import { DEFAULT_VALIDATION_FRACTION } from '../../training/settings.js';
import { type Dataset, expectRowsFit } from '../../data/dataset.js';
import { FeatureStats } from '../../data/feature-stats.js';
import { applyScaling, type Scaling, scaledRange, scaleRowsInPlace, scalingFromStats } from '../../data/scaling.js';
import { DataError, UsageError } from '../../errors.js';
import type { Autoencoder } from '../../models/autoencoder.js';
import { checkOutputRange } from '../../models/output-range.js';
import { dataDescriptionOf, fingerprint } from '../../run/data-description.js';
import type { RunRecord } from '../../run/run-record.js';
import { openStreamData, shouldStream } from '../../run/stream-data.js';
import type { BatchSource, TrainingData } from '../../training/batches.js';
import { fixedBinarization } from '../../training/binarize-data.js';
import type { Plan } from './plan.js';

/** A run's rows, scaled, in memory or streamed, with the record of what they are. */
export interface PreparedData {
  /** The model, made for the data's shape. */
  model: Autoencoder;
  train: TrainingData | BatchSource;
  validation: Dataset;
  test: Dataset;
  dataDescription: Omit<NonNullable<RunRecord['data']>, 'scale'>;
  scaling: Scaling | null;
}

/**
 * Loads (or opens a stream over) the plan's data, makes the model for its shape, checks the two
 * against each other and the run, and scales the data.
 * @param makeModel the model for examples of `shape` (a preset follows the data's width)
 */
export function runData(plan: Plan, makeModel: (shape: readonly number[]) => Autoencoder, expectedFingerprint: string | undefined): PreparedData {
  const { training, out } = plan;
  let model!: Autoencoder;
  const check = (name: string, features: number, shape: readonly number[], fingerprintNow: string) => {
    model = makeModel(shape.reduce((a, b) => a * b, 1) === features ? shape : [features]);
    expectRowsFit({ name, features }, model.inputSize, { shape: model.inputShape });
    if (expectedFingerprint !== undefined && expectedFingerprint !== fingerprintNow) {
      throw new DataError(`${plan.data}: is not the data ${out} trained on (its fingerprint is ${fingerprintNow}, the run's ${expectedFingerprint}); resume it with the same data`);
    }
  };
  const validationFraction = training.validationFraction ?? DEFAULT_VALIDATION_FRACTION;
  if (shouldStream(plan.data, training.maxMemory)) {
    if (training.greedy) throw new UsageError(`${plan.data}: greedy layer-wise pretraining (the ${plan.preset} preset) reads its data in memory; raise --max-memory or use another preset`);
    const stream = openStreamData({
      data: plan.data, maxMemory: training.maxMemory!, batchSize: training.batchSize, validationFraction, seed: training.seed,
      limit: training.limit, testLimit: training.testLimit, labelColumn: plan.labelColumn,
    });
    check(stream.source, stream.train.features, stream.shape, stream.fingerprint);
    const scaling = scalingFromStats(training.scale ?? 'none', stream.stats);
    checkOutputRange({ name: stream.source, range: scaledRange(stream.stats, scaling) }, model.output, training.scale);
    stream.setScaling(scaling);
    // The stream cannot be looked at whole: a centring layer gets the training mean from the scan.
    const mean = Float32Array.from(stream.stats.mean());
    if (scaling) scaleRowsInPlace(mean, mean.length, scaling);
    model.prepare({ x: mean, n: 1, features: mean.length });
    const description = {
      ...dataDescriptionOf(plan.data, stream.source, { n: stream.train.n, features: stream.train.features, shape: stream.shape }, stream.validation.n, stream.test.n),
      fingerprint: stream.fingerprint,
    };
    return {
      model, train: stream.train, validation: heldOut(training, applyScaling(stream.validation, scaling), 'validation'),
      test: heldOut(training, applyScaling(stream.test, scaling), 'test'), dataDescription: description, scaling,
    };
  }
  const loaded = loadRunData({
    data: plan.data, limit: training.limit, testLimit: training.testLimit, validationFraction, seed: training.seed, labelColumn: plan.labelColumn,
  });
  const fingerprintNow = fingerprint(loaded.train.x);
  check(loaded.train.name, loaded.train.features, loaded.train.shape, fingerprintNow);
  const stats = FeatureStats.of(loaded.train);
  const scaling = scalingFromStats(training.scale ?? 'none', stats);
  const [train, validation, test] = [loaded.train, loaded.validation, loaded.test].map((d) => applyScaling(d, scaling));
  checkOutputRange({ name: loaded.source, range: scaledRange(stats, scaling) }, model.output, training.scale);
  const description = { ...dataDescriptionOf(plan.data, loaded.source, loaded.train, loaded.validation.n, loaded.test.n), fingerprint: fingerprintNow };
  return { model, train, validation: heldOut(training, validation, 'validation'), test: heldOut(training, test, 'test'), dataDescription: description, scaling };
}

/** Held-out rows as the run scores them: binarised once with a fixed seed when training binarises dynamically. */
function heldOut(training: Plan['training'], data: Dataset, split: 'validation' | 'test'): Dataset {
  return training.binarize === 'dynamic' ? fixedBinarization(data, split) : data;
}
