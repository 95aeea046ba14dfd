/**
 * The train, validation and test rows of a run, from a data spec; and the rows a command applies
 * a trained model to.
 */
import { assertFinite, type Dataset, firstRows, partName, splitValidation } from './dataset.js';
import { loadData } from './load-data.js';
import { isTableFile, loadInputFile } from './load-input.js';
import { DataError, MissingColumnError } from '../errors.js';

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
  // Metrics over no examples would be 0/0: say so now, before any training.
  if (test.n === 0) {
    throw new DataError(`${test.name}: no test examples, so the test metrics cannot be computed (${source} has ${trainAll.n + test.n} examples; a single data file holds out a sixth of its rows, so give it at least 6)`);
  }
  if (train.n === 0) {
    throw new DataError(`${source}: no training examples left after holding out ${validation.n} for validation; give more examples or a smaller --val-fraction`);
  }
  return { source, train, validation, test };
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
