/**
 * IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic (0, 0, type, ndims), ndims
 * big-endian uint32 dimensions, then the values big-endian in row-major order. Files may be
 * gzipped; they are recognised by the gzip magic, not by their name.
 */
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { MAX_FILE_BYTES, readRegularFile } from '../io/read-file.js';
import { DataError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';

/** The typed arrays an IDX file can hold, one per IDX type code. */
export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: its dimensions and its values in row-major order. */
export interface IdxTensor {
  shape: number[];
  data: IdxArray;
}

interface IdxType {
  name: string;
  size: number;
  make: (n: number) => IdxArray;
  get: (v: DataView, offset: number) => number;
  set: (v: DataView, offset: number, x: number) => void;
}

const TYPES: Record<number, IdxType> = {
  0x08: { name: 'ubyte', size: 1, make: (n) => new Uint8Array(n), get: (v, o) => v.getUint8(o), set: (v, o, x) => v.setUint8(o, x) },
  0x09: { name: 'byte', size: 1, make: (n) => new Int8Array(n), get: (v, o) => v.getInt8(o), set: (v, o, x) => v.setInt8(o, x) },
  0x0b: { name: 'short', size: 2, make: (n) => new Int16Array(n), get: (v, o) => v.getInt16(o), set: (v, o, x) => v.setInt16(o, x) },
  0x0c: { name: 'int', size: 4, make: (n) => new Int32Array(n), get: (v, o) => v.getInt32(o), set: (v, o, x) => v.setInt32(o, x) },
  0x0d: { name: 'float', size: 4, make: (n) => new Float32Array(n), get: (v, o) => v.getFloat32(o), set: (v, o, x) => v.setFloat32(o, x) },
  0x0e: { name: 'double', size: 8, make: (n) => new Float64Array(n), get: (v, o) => v.getFloat64(o), set: (v, o, x) => v.setFloat64(o, x) },
};

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses the bytes of an IDX file, gunzipping them first when they carry the gzip magic.
 * @param bytes the file's content.
 * @param file the name used in error messages.
 * @returns the shape and the values, in the typed array that matches the IDX type.
 * @throws DataError naming the file and the byte offset (in the decompressed stream for .gz).
 * @example
 * const { shape, data } = parseIdx(readFileSync('train-labels-idx1-ubyte'), 'train-labels');
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxTensor {
  let raw = bytes;
  let where = 'byte offset';
  if (isGzip(bytes)) {
    raw = gunzipBounded(bytes, file);
    where = 'decompressed byte offset';
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (raw.length < 4) {
    throw new DataError(`${file}: truncated at ${where} ${raw.length}: expected a 4-byte IDX magic, found ${raw.length} bytes`);
  }
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new DataError(
      `${file}: bad IDX magic at ${where} 0: expected 00 00, found ${hex(raw[0])} ${hex(raw[1])}`,
    );
  }
  const type = TYPES[raw[2]];
  if (!type) {
    throw new DataError(
      `${file}: unknown IDX type at ${where} 2: expected one of 08 09 0b 0c 0d 0e, found ${hex(raw[2])}`,
    );
  }
  const ndims = raw[3];
  if (ndims === 0) {
    throw new DataError(`${file}: bad IDX header at ${where} 3: expected at least 1 dimension, found 0`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (raw.length < headerBytes) {
    throw new DataError(
      `${file}: truncated at ${where} ${raw.length}: expected ${ndims} dimensions ending at offset ${headerBytes}`,
    );
  }
  const shape: number[] = [];
  for (let d = 0; d < ndims; d++) shape.push(view.getUint32(4 + 4 * d));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.size;
  if (raw.length < expected) {
    throw new DataError(
      `${file}: truncated at ${where} ${raw.length}: dimensions [${shape.join(', ')}] of ${type.name} ` +
        `need ${expected} bytes`,
    );
  }
  if (raw.length > expected) {
    throw new DataError(
      `${file}: size does not match dimensions: dimensions [${shape.join(', ')}] of ${type.name} end at ` +
        `${where} ${expected}, found ${raw.length - expected} more bytes`,
    );
  }
  let data: IdxArray;
  if (type.size === 1) {
    // Bytes have no endianness: copy straight, which is what keeps 47 MB of MNIST fast.
    data = type.make(count);
    (data as Uint8Array).set(raw.subarray(headerBytes, expected));
  } else {
    data = type.make(count);
    for (let i = 0, o = headerBytes; i < count; i++, o += type.size) data[i] = type.get(view, o);
  }
  return { shape, data };
}

/**
 * Reads an IDX file from disk, plain or gzipped.
 * @param path the file to read.
 * @example
 * const images = readIdx('t10k-images-idx3-ubyte.gz'); // shape [10000, 28, 28]
 */
export function readIdx(path: string): IdxTensor {
  return parseIdx(readRegularFile(path, 'IDX file'), path);
}

/**
 * Gunzips an IDX file without ever holding more than its header declares: the header is read
 * from the first inflated bytes, and inflating stops one byte past the size the dimensions give
 * (so a small file that would inflate to gigabytes fails at once, with what it declared).
 */
function gunzipBounded(bytes: Uint8Array, file: string): Uint8Array {
  const fail = (e: unknown) => new DataError(`${file}: not a valid gzip stream (${(e as Error).message}); expected a gzipped IDX file`);
  let head: Uint8Array;
  try {
    // Flushing lets a prefix of the stream inflate to what it holds.
    head = gunzipSync(bytes.subarray(0, 4096), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (e) {
    throw fail(e);
  }
  let limit = MAX_FILE_BYTES;
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && TYPES[head[2]] && head.length >= 4 + 4 * head[3]) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    let count = 1;
    for (let d = 0; d < head[3]; d++) count *= view.getUint32(4 + 4 * d);
    const declared = 4 + 4 * head[3] + count * TYPES[head[2]].size;
    if (declared > MAX_FILE_BYTES) {
      const dims = Array.from({ length: head[3] }, (_, d) => view.getUint32(4 + 4 * d));
      throw new DataError(`${file}: its header declares dimensions [${dims.join(', ')}] of ${TYPES[head[2]].name}, ${declared} bytes, more than aekit reads (${MAX_FILE_BYTES})`);
    }
    // One byte more than declared is enough for parseIdx to report the excess.
    limit = declared + 1;
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: limit });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataError(`${file}: inflates to more than the ${limit - 1} bytes its header declares; expected a gzipped IDX file of that size`);
    }
    throw fail(e);
  }
}

/**
 * Encodes a tensor as IDX bytes; the IDX type follows the typed array's class.
 * @param tensor shape and row-major values; the product of the shape must equal the length.
 * @param options gzip: compress the result.
 * @example
 * const bytes = encodeIdx({ shape: [2], data: new Uint8Array([7, 9]) });
 */
export function encodeIdx(tensor: IdxTensor, options: { gzip?: boolean } = {}): Uint8Array {
  const code = typeCode(tensor.data);
  const type = TYPES[code];
  const count = tensor.shape.reduce((a, b) => a * b, 1);
  if (count !== tensor.data.length) {
    throw new UsageError(`encodeIdx: shape [${tensor.shape.join(', ')}] holds ${count} values, found ${tensor.data.length}`);
  }
  if (tensor.shape.length < 1 || tensor.shape.length > 255) {
    throw new UsageError(`encodeIdx: expected 1 to 255 dimensions, found ${tensor.shape.length}`);
  }
  const headerBytes = 4 + 4 * tensor.shape.length;
  const out = new Uint8Array(headerBytes + count * type.size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = tensor.shape.length;
  tensor.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  if (type.size === 1) out.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, count), headerBytes);
  else for (let i = 0, o = headerBytes; i < count; i++, o += type.size) type.set(view, o, tensor.data[i]);
  return options.gzip ? gzipSync(out) : out;
}

/**
 * Writes a tensor to an IDX file.
 * @param path the file to write.
 * @param tensor shape and row-major values.
 * @param options gzip: compress the file (name it `.gz` yourself).
 * @example
 * writeIdx('/tmp/labels-idx1-ubyte', { shape: [3], data: new Uint8Array([1, 2, 3]) });
 */
export function writeIdx(path: string, tensor: IdxTensor, options: { gzip?: boolean } = {}): void {
  writeFileAtomic(path, encodeIdx(tensor, options));
}

function typeCode(data: IdxArray): number {
  if (data instanceof Uint8Array) return 0x08;
  if (data instanceof Int8Array) return 0x09;
  if (data instanceof Int16Array) return 0x0b;
  if (data instanceof Int32Array) return 0x0c;
  if (data instanceof Float32Array) return 0x0d;
  return 0x0e;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
