/**
 * The train, validation and test rows of a run, from a data spec.
 */
import { assertFinite, type Dataset, firstRows, splitValidation } from '../data/dataset.js';
import { loadData } from '../data/load-data.js';
import { DataError } from '../errors.js';

/** The three splits of a run. */
export interface RunData {
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
}

/**
 * Loads the splits. A data set with a test split (MNIST, IDX folders) uses it; a single data
 * file gives up a seeded sixth of its rows as the test set.
 * @example
 * const { train, validation, test } = loadRunData({ data: 'mnist', validationFraction: 1 / 12, seed: 0 });
 */
export function loadRunData(options: SplitOptions): RunData {
  let trainAll = loadData(options.data, { split: 'train', limit: options.limit });
  let test: Dataset;
  try {
    test = loadData(options.data, { split: 'test', limit: options.testLimit });
  } catch (error) {
    if (!(error instanceof DataError) || !/no test split/.test(error.message)) throw error;
    const parts = splitValidation(trainAll, 1 / 6, options.seed + 1);
    trainAll = parts.train;
    test = firstRows(parts.validation, options.testLimit);
  }
  assertFinite(trainAll, trainAll.name);
  assertFinite(test, test.name);
  if (trainAll.features !== test.features) {
    throw new DataError(`${test.name}: test examples have ${test.features} features, training examples ${trainAll.features}`);
  }
  const { train, validation } = splitValidation(trainAll, options.validationFraction, options.seed);
  return { train, validation, test };
}
