/**
 * The rows a trained run is scored on, found again from what its model.json records: its own
 * splits as it trained on them, or another source scaled as its data was.
 */
import { existsSync } from 'node:fs';
import type { Dataset } from '../data/dataset.js';
import { loadRunData, readWithLabelColumn, type RunData, wholeOrTestSplit } from '../data/data-split.js';
import { DEFAULT_VALIDATION_FRACTION } from '../training/settings.js';
import { applyScaling } from '../data/scaling.js';
import { DataError, UsageError } from '../errors.js';
import { fixedBinarization } from '../training/binarize-data.js';
import type { RunRecord } from './run-record.js';
import { openStreamData, shouldStream } from './stream-data.js';

/**
 * The examples a trained model is scored on (eval, denoise). With `data`, that source's test
 * split when it has one (MNIST, IDX folders) and otherwise every example of the file, less its
 * `labelColumn` (default: the run's). Without,
 * the test split of the run's own data: for a single file, the seeded sixth it held out when it
 * trained. Data that has moved since is named, with what to do.
 * @param dir the run folder, for messages
 * @example
 * const test = evaluationData(record, 'runs/deep', { testLimit: 1000 });
 */
export function evaluationData(record: RunRecord, dir: string, options: { data?: string; labelColumn?: string; testLimit?: number }): Dataset {
  if (options.data !== undefined) {
    const { data, testLimit } = options;
    const rows = readWithLabelColumn(data, { named: options.labelColumn, run: record.data?.labelColumn }, (labelColumn) => wholeOrTestSplit(data, testLimit, labelColumn));
    return binarizedLikeRun(record, applyScaling(rows, record.data?.scale ?? null), 'test');
  }
  const streamed = streamedSpec(record, dir);
  if (streamed !== null) {
    // The rows it held out are found again by the same scan, in the same memory budget.
    const { maxMemory, batchSize, validationFraction = DEFAULT_VALIDATION_FRACTION, seed, limit } = record.training!;
    const stream = openStreamData({
      data: streamed, maxMemory: maxMemory!, batchSize, validationFraction, seed, limit, testLimit: options.testLimit ?? record.training!.testLimit, labelColumn: record.data!.labelColumn,
    });
    stream.close();
    return binarizedLikeRun(record, applyScaling(stream.test, record.data!.scale), 'test');
  }
  return recordedData(record, dir, { testLimit: options.testLimit, remedy: 'pass --data to say what to score it on' }).test;
}

/**
 * Held-out rows as a run with dynamic binarisation saw them: binarised once with the split's
 * fixed seed (see binarize-data.ts); other runs' rows unchanged.
 * @example
 * const test = binarizedLikeRun(record, scaledTest, 'test');
 */
export function binarizedLikeRun(record: RunRecord, data: Dataset, split: 'validation' | 'test'): Dataset {
  return record.training?.binarize === 'dynamic' ? fixedBinarization(data, split) : data;
}

/** The data file of a run that trained by streaming it (and would again, in its budget), else null. */
function streamedSpec(record: RunRecord, dir: string): string | null {
  if (!record.data || !record.training?.maxMemory) return null;
  const spec = record.data.path ?? record.data.spec;
  if (!existsSync(spec)) throw new DataError(`${spec}: the data ${dir} was trained on is not there any more (moved or deleted?); pass --data with its new place`);
  return shouldStream(spec, record.training.maxMemory) ? spec : null;
}

/**
 * A run's own splits, as it trained on them (the recorded limit, validation share and seed, and
 * scaling). Data that has moved since is named, with what to do.
 * @param dir the run folder, for messages
 * @param options.remedy what the user can do when the run's rows cannot be had (a command's own
 *   flags; the default names --data and --input)
 * @example
 * const { train, test } = recordedData(record, 'runs/deep');
 */
export function recordedData(record: RunRecord, dir: string, options: { testLimit?: number; remedy?: string } = {}): RunData {
  const remedy = options.remedy ?? 'pass --data (or --input) to name the rows to use';
  if (!record.data || !record.training) {
    throw new UsageError(`${dir} records no training data (it was saved with saveModel); ${remedy}`);
  }
  if (streamedSpec(record, dir) !== null) {
    throw new UsageError(`${dir} was trained by streaming its data (--max-memory), so its training rows are not held in memory; ${remedy}`);
  }
  const spec = record.data.path ?? record.data.spec;
  const named = spec === 'mnist' || spec === 'fashion-mnist';
  if (!named && !existsSync(spec)) {
    throw new DataError(`${spec}: the data ${dir} was trained on is not there any more (moved or deleted?); pass --data with its new place`);
  }
  const { limit, validationFraction = DEFAULT_VALIDATION_FRACTION, seed } = record.training;
  const splits = loadRunData({ data: spec, limit, testLimit: options.testLimit, validationFraction, seed, labelColumn: record.data.labelColumn });
  const scale = (ds: Dataset) => applyScaling(ds, record.data!.scale);
  return {
    source: splits.source, train: scale(splits.train),
    validation: binarizedLikeRun(record, scale(splits.validation), 'validation'), test: binarizedLikeRun(record, scale(splits.test), 'test'),
  };
}
