/**
 * Turns parsed IDX tensors (images and labels) into a Dataset: first dimension is the example,
 * the rest are features, and unsigned bytes are pixels scaled to [0, 1].
 */
import { DataError } from '../errors.js';
import { assertFinite, type Dataset } from './dataset.js';
import type { IdxTensor } from './idx.js';

/**
 * A data set from an IDX images tensor (n, h, w) or matrix (n, features), optionally with labels.
 * @param images the parsed images file; ubyte values become v / 255, other types are kept as they are.
 * @param options file: the images file's name for messages; name: the data set's name; limit: keep
 *   only the first examples; labels and labelsFile: the parsed labels file (1-D, one per example).
 * @throws DataError naming the file when dimensions or counts do not fit.
 * @example
 * const ds = idxToDataset(readIdx(imagesPath), { file: imagesPath, name: 'mnist (test)', labels: readIdx(labelsPath) });
 */
export function idxToDataset(
  images: IdxTensor,
  options: { file: string; name: string; limit?: number; labels?: IdxTensor; labelsFile?: string },
): Dataset {
  const { file, name } = options;
  const dims = images.shape;
  if (dims.length < 2) {
    throw new DataError(`${file}: expected images of 2 or more dimensions (examples first), found shape [${dims.join(', ')}]`);
  }
  const total = dims[0];
  const n = options.limit === undefined ? total : Math.max(0, Math.min(total, Math.floor(options.limit)));
  const features = dims.slice(1).reduce((a, b) => a * b, 1);
  const src = images.data.subarray(0, n * features);
  let x: Float32Array;
  if (src instanceof Uint8Array) {
    x = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) x[i] = src[i] / 255;
  } else {
    x = Float32Array.from(src);
  }
  // [n, h, w] files hold grayscale images: one channel each.
  const ds: Dataset = { x, n, features, shape: dims.length === 3 ? [1, dims[1], dims[2]] : dims.slice(1), name };
  if (!(src instanceof Uint8Array || src instanceof Int8Array || src instanceof Int16Array)) assertFinite(ds, file);

  if (options.labels) {
    const lf = options.labelsFile ?? 'labels';
    const l = options.labels;
    if (l.shape.length !== 1) throw new DataError(`${lf}: expected labels of 1 dimension, found shape [${l.shape.join(', ')}]`);
    if (l.shape[0] !== total) {
      throw new DataError(`${lf}: expected ${total} labels, one per image of ${file}, found ${l.shape[0]}`);
    }
    if (l.data instanceof Float32Array || l.data instanceof Float64Array) {
      throw new DataError(`${lf}: expected integer labels (IDX type ubyte, byte, short or int), found floating point`);
    }
    ds.labels = l.data instanceof Uint8Array ? l.data.slice(0, n) : Int32Array.from(l.data.subarray(0, n));
  }
  return ds;
}
