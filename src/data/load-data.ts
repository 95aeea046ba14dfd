/**
 * One entry for every data source: the named data sets (MNIST embedded, Fashion-MNIST from
 * Debian's package), a folder of MNIST-style IDX files, or a user's data file.
 */
import { existsSync, statSync } from 'node:fs';
import { DataError } from '../errors.js';
import { type Dataset, partName } from './dataset.js';
import { checkLabelColumnSource, loadInputFile } from './load-input.js';
import { FASHION_MNIST_DIR, type LoadDataOptions, loadIdxFolder, looksLikeIdxFolder, mnistDir } from './mnist.js';

/**
 * Loads a named data set or a user's data: 'mnist' (embedded), 'fashion-mnist' (Debian's
 * package), a folder of MNIST-style IDX files, or any input loadInputFile reads (CSV, NPY, IDX
 * file, folder of PNGs), which has only a train split.
 * @param spec 'mnist', 'fashion-mnist' or a path.
 * @param options split (default 'train'), limit, and the CSV or Arrow column holding the labels.
 * @example
 * const train = loadData('mnist', { split: 'train' });           // 60,000 x 784, labels
 * const some = loadData('mnist', { split: 'test', limit: 100 }); // the first 100 test digits
 */
export function loadData(spec: string, options: Partial<LoadDataOptions> & { labelColumn?: string } = {}): Dataset {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw new DataError(`${spec}: split must be "train" or "test", got ${JSON.stringify(split)}`);
  return load(spec, { split, limit: options.limit, labelColumn: options.labelColumn });
}

function load(spec: string, options: LoadDataOptions & { labelColumn?: string }): Dataset {
  // MNIST, Fashion-MNIST and IDX folders keep their labels in files of their own (loadInputFile checks a file).
  const idx = (dir: string, name?: string) => {
    checkLabelColumnSource(spec, options.labelColumn);
    return loadIdxFolder(dir, options, name);
  };
  if (spec === 'mnist') return idx(mnistDir(), partName('mnist', options.split));
  if (spec === 'fashion-mnist') {
    if (!existsSync(FASHION_MNIST_DIR)) {
      throw new DataError(`${FASHION_MNIST_DIR}: Fashion-MNIST is not installed; expected Debian's package (apt-get install dataset-fashion-mnist)`);
    }
    return idx(FASHION_MNIST_DIR, partName('fashion-mnist', options.split));
  }
  if (isIdxFolder(spec)) return idx(spec);
  if (options.split === 'test') {
    throw new DataError(`${spec}: a single data file has no test split; expected a folder of IDX files, or pass the test data as its own file`);
  }
  return loadInputFile(spec, { limit: options.limit, labelColumn: options.labelColumn });
}

/** A folder with any file named as an IDX file is one (a missing file is then named), not a PNG folder. */
function isIdxFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory() && looksLikeIdxFolder(path);
  } catch {
    return false;
  }
}
