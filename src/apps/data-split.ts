/**
 * The train, validation and test rows of a run, from a data spec; and the examples a trained
 * model is scored on.
 */
import { existsSync } from 'node:fs';
import { assertFinite, type Dataset, firstRows, partName, splitValidation } from '../data/dataset.js';
import { loadData } from '../data/load-data.js';
import { isTableFile, loadInputFile } from '../data/load-input.js';
import { DataError, MissingColumnError, UsageError } from '../errors.js';
import type { RunRecord } from './run-record.js';
import { applyScaling } from './scaling.js';
import { openStreamData, shouldStream } from './stream-data.js';

/** The share of the training examples held out for validation unless a run says otherwise. */
export const DEFAULT_VALIDATION_FRACTION = 1 / 12;

/** The three splits of a run. */
export interface RunData {
  /** The source's name before splitting (e.g. "mnist (train)" or the file's path). */
  source: string;
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

/** How to split. */
export interface SplitOptions {
  /** 'mnist', 'fashion-mnist', a folder of IDX files, or a data file. */
  data: string;
  /** Keep the first N training examples (before the validation split). */
  limit?: number;
  /** Keep the first N test examples. */
  testLimit?: number;
  /** Share of the training examples held out for validation. */
  validationFraction: number;
  seed: number;
  /** A CSV or Arrow column to read as the labels. */
  labelColumn?: string;
}

/**
 * Loads the splits. A data set with a test split (MNIST, IDX folders) uses it; a single data
 * file gives up a seeded sixth of its rows as the test set.
 * @example
 * const { train, validation, test } = loadRunData({ data: 'mnist', validationFraction: 1 / 12, seed: 0 });
 */
export function loadRunData(options: SplitOptions): RunData {
  let trainAll = loadData(options.data, { split: 'train', limit: options.limit, labelColumn: options.labelColumn });
  const source = trainAll.name;
  let test: Dataset;
  try {
    test = loadData(options.data, { split: 'test', limit: options.testLimit, labelColumn: options.labelColumn });
  } catch (error) {
    if (!(error instanceof DataError) || !/no test split/.test(error.message)) throw error;
    const parts = splitValidation(trainAll, 1 / 6, options.seed + 1);
    trainAll = { ...parts.train, name: source };
    test = { ...firstRows(parts.validation, options.testLimit), name: partName(source, 'test') };
  }
  assertFinite(trainAll, trainAll.name);
  assertFinite(test, test.name);
  if (trainAll.features !== test.features) {
    throw new DataError(`${test.name}: test examples have ${test.features} features, training examples ${trainAll.features}`);
  }
  const { train, validation } = splitValidation(trainAll, options.validationFraction, options.seed);
  return { source, train, validation, test };
}

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
    return applyScaling(rows, record.data?.scale ?? null);
  }
  const streamed = streamedSpec(record, dir);
  if (streamed !== null) {
    // The rows it held out are found again by the same scan, in the same memory budget.
    const { maxMemory, batchSize, validationFraction = DEFAULT_VALIDATION_FRACTION, seed, limit } = record.training!;
    const stream = openStreamData({
      data: streamed, maxMemory: maxMemory!, batchSize, validationFraction, seed, limit, testLimit: options.testLimit ?? record.training!.testLimit, labelColumn: record.data!.labelColumn,
    });
    stream.close();
    return applyScaling(stream.test, record.data!.scale);
  }
  return recordedData(record, dir, { testLimit: options.testLimit }).test;
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
 * @example
 * const { train, test } = recordedData(record, 'runs/deep');
 */
export function recordedData(record: RunRecord, dir: string, options: { testLimit?: number } = {}): RunData {
  if (!record.data || !record.training) {
    throw new UsageError(`${dir} records no training data (it was saved with saveModel); pass --data to say what to score it on`);
  }
  if (streamedSpec(record, dir) !== null) {
    throw new UsageError(`${dir} was trained by streaming its data (--max-memory), so its training rows are not held in memory; pass --data (or --input) to name the rows to use`);
  }
  const spec = record.data.path ?? record.data.spec;
  const named = spec === 'mnist' || spec === 'fashion-mnist';
  if (!named && !existsSync(spec)) {
    throw new DataError(`${spec}: the data ${dir} was trained on is not there any more (moved or deleted?); pass --data with its new place`);
  }
  const { limit, validationFraction = DEFAULT_VALIDATION_FRACTION, seed } = record.training;
  const splits = loadRunData({ data: spec, limit, testLimit: options.testLimit, validationFraction, seed, labelColumn: record.data.labelColumn });
  const scale = (ds: Dataset) => applyScaling(ds, record.data!.scale);
  return { source: splits.source, train: scale(splits.train), validation: scale(splits.validation), test: scale(splits.test) };
}

/** Which CSV or Arrow column of a command's input holds labels, not features. */
export interface InputColumns {
  /** Named by the user (`--label-column`): the input must be a CSV or Arrow table with that column. */
  named?: string;
  /** The run's own label column: left out of the features when the table has it. */
  run?: string;
}

/**
 * The rows a command applies a trained model to (encode, reconstruct, denoise, inpaint, anomaly):
 * `mnist` and `fashion-mnist` name their test split, anything else is a data file (.npy, .csv,
 * Arrow, IDX file, PNG folder). A table is read as the run's training table was, without its
 * label column (the labels come with the rows). Not scaled: the caller applies the model's scaling.
 * @param limit keep only the first N rows
 * @throws DataError when a label column is named for an input that is no CSV or Arrow table
 * @example
 * const rows = applyScaling(inputRows('table.csv', 100, { run: record.data?.labelColumn }), record.data?.scale ?? null);
 */
export function inputRows(spec: string, limit?: number, columns: InputColumns = {}): Dataset {
  return readWithLabelColumn(spec, columns, (labelColumn) => {
    if (spec === 'mnist' || spec === 'fashion-mnist') return loadData(spec, { split: 'test', limit, labelColumn });
    return firstRows(loadInputFile(spec, { labelColumn }), limit);
  });
}

/**
 * Calls `read` with the label column `spec` is to be read with: the one named; else the run's
 * own when `spec` is a CSV or Arrow table that has it (a table of features alone, or another
 * format, is read whole).
 */
export function readWithLabelColumn<T>(spec: string, columns: InputColumns, read: (labelColumn?: string) => T): T {
  if (columns.named !== undefined) return read(columns.named);
  if (columns.run === undefined || !isTableFile(spec)) return read();
  try {
    return read(columns.run);
  } catch (error) {
    if (!(error instanceof MissingColumnError)) throw error;
    return read();
  }
}

/** A source's test split when it has one, else every example of the file. */
export function wholeOrTestSplit(spec: string, limit?: number, labelColumn?: string): Dataset {
  try {
    return loadData(spec, { split: 'test', limit, labelColumn });
  } catch (error) {
    if (!(error instanceof DataError) || !/no test split/.test(error.message)) throw error;
    const all = loadData(spec, { split: 'train', limit, labelColumn });
    assertFinite(all, all.name);
    return all;
  }
}
