/**
 * The two ways `aekit retrieve` splits a labelled data set into a database and queries: our own
 * (the training split is the database, the test split the queries) and the one papers on MNIST
 * hashing use (Xia et al. 2014, Erin Liong et al. 2015 "Deep Hashing"): both splits pooled, a
 * balanced set of queries drawn from the pool (100 per class, 1,000 on MNIST), and every other
 * example the training set and the database at once. Also the IDX folder that carries such a
 * split to a training run, which reads its data by a spec.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { balancedSample } from './balanced-sample.js';
import { type Dataset, labelsPerExample, partName } from './dataset.js';
import { writeIdx } from './idx.js';

/** `split`: database = training split, queries = test split. `standard`: pooled, balanced queries, the rest the database. */
export type RetrievalProtocol = 'split' | 'standard';

/** The protocols, as written on the command line. */
export const RETRIEVAL_PROTOCOLS = ['split', 'standard'] as const;

/** A database and its queries. */
export interface RetrievalSplit {
  database: Dataset;
  queries: Dataset;
}

/**
 * The standard protocol's split: `train` and `test` pooled (train's examples first), `queries`
 * examples drawn by a seeded shuffle with the same number from every class, and the rest, in
 * pool order, as the database (its first `limit` only, when given).
 * @param options queries: how many, a multiple of the number of classes (default 1,000)
 * @throws UsageError when the sets have no class labels, differ in width, or `queries` is not balanced
 * @example
 * const { database, queries } = standardRetrievalSplit(loadData('mnist'), loadData('mnist', { split: 'test' }));
 * database.n; // 69000
 */
export function standardRetrievalSplit(train: Dataset, test: Dataset, options: { queries?: number; seed?: number; limit?: number } = {}): RetrievalSplit {
  for (const set of [train, test]) {
    if (!set.labels || labelsPerExample(set) !== 1) {
      throw new UsageError(`${set.name}: the standard retrieval protocol draws queries by class, and needs one class label per example`);
    }
  }
  if (train.features !== test.features) throw new UsageError(`${test.name}: ${test.features} values an example, but ${train.name} has ${train.features}`);
  const labels = new Int32Array(train.n + test.n);
  labels.set(train.labels!);
  labels.set(test.labels!, train.n);
  let classes = 0;
  for (let i = 0; i < labels.length; i++) classes = Math.max(classes, labels[i] + 1);
  const chosen = balancedSample(labels, options.queries ?? 1000, classes, options.seed ?? 0);
  const isQuery = new Uint8Array(labels.length);
  for (const i of chosen) isQuery[i] = 1;
  const rest: number[] = [];
  for (let i = 0; i < labels.length && rest.length < (options.limit ?? Infinity); i++) if (!isQuery[i]) rest.push(i);
  // The name says which draw it is, so that a saved index of another draw is never taken for this one.
  const draw = `standard-${chosen.length}q-seed${options.seed ?? 0}`;
  const base = train.name.replace(/ \(train\)$/, '');
  return {
    database: pooledRows(train, test, rest, labels, partName(base, `${draw} database`)),
    queries: pooledRows(train, test, chosen, labels, partName(base, `${draw} queries`)),
  };
}

/** The examples at `indices` of `a` followed by `b`, copied, without building the pool itself. */
function pooledRows(a: Dataset, b: Dataset, indices: ArrayLike<number>, labels: Int32Array, name: string): Dataset {
  const f = a.features;
  const x = new Float32Array(indices.length * f);
  const picked = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    x.set(i < a.n ? a.x.subarray(i * f, (i + 1) * f) : b.x.subarray((i - a.n) * f, (i - a.n + 1) * f), k * f);
    picked[k] = labels[i];
  }
  return { x, n: indices.length, features: f, shape: a.shape, labels: picked, name };
}

/**
 * Writes `train` and `test` as an IDX folder (train-*-idx*-ubyte and t10k-*), which any command
 * reads back as a data spec: pixels as bytes when every value is a multiple of 1/255 in [0, 1]
 * (MNIST's own), else as float32. Images keep their height and width.
 * @example
 * writeIdxFolder('runs/hash/data', split.database, split.queries);
 */
export function writeIdxFolder(dir: string, train: Dataset, test: Dataset): void {
  mkdirSync(dir, { recursive: true });
  for (const [prefix, set] of [['train', train], ['t10k', test]] as const) {
    const dims = set.shape.length === 3 && set.shape[0] === 1 ? [set.shape[1], set.shape[2]] : [...set.shape];
    writeIdx(join(dir, `${prefix}-images-idx3-ubyte`), { shape: [set.n, ...dims], data: asBytesIfExact(set.x) });
    writeIdx(join(dir, `${prefix}-labels-idx1-ubyte`), { shape: [set.n], data: Int32Array.from(set.labels!) });
  }
}

/** The values ×255 as bytes when that loses nothing (so they read back equal), else the values. */
function asBytesIfExact(x: Float32Array): Uint8Array | Float32Array {
  const bytes = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(x[i] * 255);
    if (!(v >= 0 && v <= 255) || Math.fround(v / 255) !== x[i]) return x;
    bytes[i] = v;
  }
  return bytes;
}
