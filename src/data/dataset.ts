/**
 * The in-memory data set every loader returns: a row-major float32 matrix of examples that keeps
 * each example's shape and the labels, when the source has them, and the few row operations
 * training needs.
 */
import { DataError, UsageError } from '../errors.js';
import { Prng } from '../util/prng.js';

/** Examples as rows of a float32 matrix, example i at [i * features, (i + 1) * features). */
export interface Matrix {
  x: Float32Array;
  /** Number of examples. */
  n: number;
  /** Values per example. */
  features: number;
}

/** Examples with their shape, labels and name. Images are stored row-major, channel by channel. */
export interface Dataset extends Matrix {
  /** One example's shape: [features] for vectors, [channels, height, width] for images. */
  shape: readonly number[];
  /** The labels, when the source has them: a class per example, or a label map per example. */
  labels?: Uint8Array | Int32Array;
  /** One example's label shape: [] (the default) for a class, [height, width] for a label map. */
  labelShape?: readonly number[];
  /** Where it came from, for messages and fingerprints (e.g. "mnist (train)"). */
  name: string;
}

/** Values in one example's labels (1 for a class label). */
export function labelsPerExample(ds: Pick<Dataset, 'labelShape'>): number {
  return (ds.labelShape ?? []).reduce((a, b) => a * b, 1);
}

/**
 * Checks a data set's sizes agree and returns it, so loaders fail early on their own bugs.
 * @param ds the data set to check.
 * @example
 * const ds = makeDataset({ x: new Float32Array(6), n: 2, features: 3, name: 'toy' });
 */
export function makeDataset(ds: Dataset): Dataset {
  if (!Number.isInteger(ds.n) || !Number.isInteger(ds.features) || ds.n < 0 || ds.features < 0) {
    throw new UsageError(`${ds.name}: n and features must be non-negative integers, found n=${ds.n}, features=${ds.features}`);
  }
  if (ds.x.length !== ds.n * ds.features) {
    throw new UsageError(`${ds.name}: x holds ${ds.x.length} values, expected n*features = ${ds.n}*${ds.features}`);
  }
  if (ds.shape.reduce((a, b) => a * b, 1) !== ds.features) {
    throw new UsageError(`${ds.name}: example shape [${ds.shape.join(', ')}] does not match ${ds.features} features`);
  }
  if (ds.labels && ds.labels.length !== ds.n * labelsPerExample(ds)) {
    throw new UsageError(`${ds.name}: ${ds.labels.length} labels for ${ds.n} examples of ${labelsPerExample(ds)} labels each`);
  }
  return ds;
}

/** How `expectRowsFit` words and throws its refusal. */
export interface RowsFitOptions {
  /** What the size is, for the message: "the model's input size" unless said. */
  size?: string;
  /** The model's example shape, said when it is not a vector (rows of images must have its size too). */
  shape?: readonly number[];
  /** DataError (the default) for rows read from a file; UsageError for rows a caller passed in code. */
  error?: typeof DataError | typeof UsageError;
}

/**
 * Throws unless the rows have `size` values each: the one check that rows fit what a model takes
 * (its input, or its code for decoding), with one message wherever rows come from.
 * @param rows the rows' name (a file, "mnist (test)") and width
 * @throws DataError (or `options.error`): "x.csv: rows have 5 values, expected 784 (the model's input size)"
 * @example
 * expectRowsFit(test, model.inputSize, { shape: model.inputShape });
 */
export function expectRowsFit(rows: { name: string; features: number }, size: number, options: RowsFitOptions = {}): void {
  if (rows.features === size) return;
  const shape = options.shape && options.shape.length > 1 ? `; examples of shape [${options.shape.join(', ')}]` : '';
  throw new (options.error ?? DataError)(`${rows.name}: rows have ${rows.features} values, expected ${size} (${options.size ?? 'the model\'s input size'}${shape})`);
}

/**
 * The values of example `i`, as a view (no copy).
 * @param ds the data set.
 * @param i the example's index.
 * @example
 * const first = row(ds, 0); // Float32Array of ds.features values
 */
export function row(ds: Dataset, i: number): Float32Array {
  return ds.x.subarray(i * ds.features, (i + 1) * ds.features);
}

/**
 * A new data set of the given examples, in the given order (copied).
 * @param ds the source.
 * @param indices example indices, each in [0, ds.n).
 * @param name the new set's name (defaults to the source's).
 * @example
 * const firstTen = takeRows(ds, Array.from({ length: 10 }, (_, i) => i));
 */
/**
 * The name of a part of a data set: `data/x.csv (train)`, `mnist (test)`, and a part of a part
 * `data/x.csv (train, labelled)`. Not `data/x.csv/train`, which reads as a path that is not there.
 * @example
 * partName('data/x.csv', 'train'); // 'data/x.csv (train)'
 */
export function partName(name: string, part: string): string {
  const open = name.endsWith(')') ? name.lastIndexOf(' (') : -1;
  return open >= 0 ? `${name.slice(0, -1)}, ${part})` : `${name} (${part})`;
}

export function takeRows(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const f = ds.features;
  const l = labelsPerExample(ds);
  const x = new Float32Array(indices.length * f);
  const labels = ds.labels ? new (ds.labels.constructor as Uint8ArrayConstructor | Int32ArrayConstructor)(indices.length * l) : undefined;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < ds.n && Number.isInteger(i))) {
      throw new UsageError(`takeRows: index ${i} at position ${k} is outside [0, ${ds.n}) of ${ds.name}`);
    }
    x.set(ds.x.subarray(i * f, (i + 1) * f), k * f);
    if (labels && ds.labels) labels.set(ds.labels.subarray(i * l, (i + 1) * l), k * l);
  }
  return { ...ds, x, n: indices.length, ...(labels ? { labels } : {}), name };
}

/**
 * The first `limit` examples as views on the source (no copy); the whole set when limit is
 * undefined or not smaller than n.
 * @param ds the source.
 * @param limit how many examples to keep.
 * @example
 * const small = firstRows(ds, 1000);
 */
export function firstRows(ds: Dataset, limit?: number): Dataset {
  if (limit === undefined || limit >= ds.n) return ds;
  if (!(Number.isInteger(limit) && limit >= 0)) throw new UsageError(`limit must be a non-negative integer, found ${limit}`);
  return {
    ...ds,
    x: ds.x.subarray(0, limit * ds.features),
    n: limit,
    ...(ds.labels ? { labels: ds.labels.subarray(0, limit * labelsPerExample(ds)) } : {}),
  };
}

/**
 * Splits off a validation set after a seeded shuffle; the same seed gives the same split.
 * @param ds the source.
 * @param fraction the share of examples held out, in [0, 1); rounded to whole examples.
 * @param seed the shuffle's seed.
 * @returns train and validation sets named `<name> (train)` and `<name> (validation)`.
 * @example
 * const { train, validation } = splitValidation(ds, 0.1, 42);
 */
export function splitValidation(ds: Dataset, fraction: number, seed: number): { train: Dataset; validation: Dataset } {
  if (!(fraction >= 0 && fraction < 1)) throw new UsageError(`validation fraction must be in [0, 1), found ${fraction}`);
  const order = new Prng(seed).permutation(ds.n);
  const nVal = Math.round(ds.n * fraction);
  return {
    // Validation first so that growing the fraction only moves examples from train to validation.
    validation: takeRows(ds, order.subarray(0, nVal), partName(ds.name, 'validation')),
    train: takeRows(ds, order.subarray(nVal), partName(ds.name, 'train')),
  };
}

/**
 * Throws when any value is NaN or infinite, naming the file, the example (row) and feature
 * (column), both counted from 0.
 * @param ds the data set to check.
 * @param file the file it was read from, for the message.
 * @example
 * assertFinite(loadNpy('x.npy'), 'x.npy');
 */
export function assertFinite(ds: Dataset, file: string): void {
  const x = ds.x;
  for (let i = 0; i < x.length; i++) {
    // x - x is 0 for finite values and NaN for NaN and +-Infinity: one test for both.
    if (x[i] - x[i] !== 0) {
      const r = Math.floor(i / ds.features);
      const c = i - r * ds.features;
      throw new DataError(`${file}: row ${r}, column ${c} (index ${i}): expected a finite number, found ${x[i]}`);
    }
  }
}
