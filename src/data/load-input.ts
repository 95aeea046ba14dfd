/**
 * One entry for a user's data file: picks the loader by extension (or folder) and returns the
 * examples as a Dataset, validated finite.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { DataError } from '../errors.js';
import { readArrow } from './arrow.js';
import { readCsv } from './csv.js';
import { assertFinite, firstRows, type Dataset } from './dataset.js';
import { readIdx } from './idx.js';
import { idxToDataset } from './idx-dataset.js';
import { loadIdxFolder, looksLikeIdxFolder } from './mnist.js';
import { readNpy } from './npy.js';
import { loadPngFolder } from './png-folder.js';

/** The kinds of input loadInputFile understands. */
export type InputKind = 'npy' | 'csv' | 'idx' | 'png-folder' | 'arrow';

/**
 * The loader a path calls for: a folder is PNG images; .npy; .csv, .tsv, .txt; Arrow IPC by
 * .arrow, .feather, .arrows or .ipc; IDX by .idx, -ubyte or .gz (the gzip content is checked when read).
 * @param path the file or folder.
 * @returns the kind, or undefined when nothing fits.
 * @example
 * inputKind('x.npy'); // 'npy'
 */
/** Whether `path` is a CSV or Arrow table: the inputs with named columns, where a label column can be. */
export function isTableFile(path: string): boolean {
  const kind = inputKind(path);
  return kind === 'csv' || kind === 'arrow';
}

/**
 * Refuses a label column for a source that has no columns to name.
 * @param source the data as given (a path, mnist, an IDX folder)
 * @throws DataError naming the source
 */
export function checkLabelColumnSource(source: string, labelColumn: string | undefined): void {
  if (labelColumn !== undefined && !isTableFile(source)) {
    throw new DataError(`${source}: has no named columns, so no label column "${labelColumn}"; --label-column goes with CSV and Arrow files`);
  }
}

export function inputKind(path: string): InputKind | undefined {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // A missing path is reported by the loader, with the file's name, once its kind is known.
  }
  if (isDir) return 'png-folder';
  const name = basename(path).toLowerCase();
  const ext = extname(name);
  if (ext === '.npy') return 'npy';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === '.arrow' || ext === '.feather' || ext === '.arrows' || ext === '.ipc') return 'arrow';
  if (ext === '.idx' || ext === '.gz' || name.endsWith('-ubyte') || /\.idx\d-ubyte$/.test(name)) return 'idx';
  return undefined;
}

/**
 * Loads a user's data as examples in rows. NPY arrays take their first dimension as examples
 * ((n) is n examples of one feature; (n, h, w) and (n, h, w, 1) are images); uint8 NPY and IDX
 * values are pixels and become v / 255; CSV and Arrow values are kept as they are.
 * @param path a .npy, .csv/.tsv/.txt, Arrow IPC or IDX file, or a folder of PNG images.
 * @param options limit: keep only the first examples; labelColumn: a CSV or Arrow column read as the labels.
 * @throws DataError naming the file, the position and what was expected.
 * @example
 * const ds = loadInputFile('measurements.csv'); // ds.n rows of ds.features numbers
 */
export function loadInputFile(path: string, options: { limit?: number; labelColumn?: string } = {}): Dataset {
  if (!existsSync(path)) throw new DataError(`${path}: no such file or folder`);
  checkLabelColumnSource(path, options.labelColumn);
  const kind = inputKind(path);
  switch (kind) {
    case 'png-folder':
      // A folder named as MNIST's files is read as one, so a missing file is named as such.
      if (looksLikeIdxFolder(path)) return loadIdxFolder(path, { split: 'train', limit: options.limit });
      return loadPngFolder(path, { limit: options.limit });
    case 'csv':
      return firstRows(readCsv(path, { labelColumn: options.labelColumn }), options.limit);
    case 'arrow':
      return firstRows(checkedFinite(readArrow(path, { labelColumn: options.labelColumn })), options.limit);
    case 'idx':
      return idxToDataset(readIdx(path), { file: path, name: path, limit: options.limit });
    case 'npy':
      return firstRows(npyDataset(path), options.limit);
    default:
      throw new DataError(
        `${path}: unknown kind of input: expected .npy, .csv, .tsv, .txt, an Arrow IPC file (.arrow, .feather, .arrows), an IDX file (.idx, *-ubyte, .gz) or a folder of PNG images`,
      );
  }
}

function checkedFinite(ds: Dataset): Dataset {
  assertFinite(ds, ds.name);
  return ds;
}

function npyDataset(path: string): Dataset {
  const { shape, data, dtype } = readNpy(path);
  if (shape.length === 0) throw new DataError(`${path}: expected an array of examples (1 or more dimensions), found a scalar`);
  const n = shape[0];
  const features = shape.slice(1).reduce((a, b) => a * b, 1);
  if (dtype === 'u1') for (let i = 0; i < data.length; i++) data[i] /= 255;
  // (n, h, w) and (n, h, w, 1) are grayscale images: one channel each.
  const example = shape.length === 3 || (shape.length === 4 && shape[3] === 1) ? [1, shape[1], shape[2]] : shape.length === 1 ? [1] : shape.slice(1);
  const ds: Dataset = { x: data, n, features, shape: example, name: path };
  assertFinite(ds, path);
  return ds;
}
