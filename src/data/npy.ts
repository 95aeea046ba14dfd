/**
 * NumPy's .npy files: magic "\x93NUMPY", a version, a little-endian header length, a Python
 * dict literal {'descr', 'fortran_order', 'shape'}, then the raw values. Read as float32 in
 * C order whatever the stored numeric type and order; written as float32 C order, version 1.0.
 */
import { readRegularFile } from '../io/read-file.js';
import { DataError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';

/** A parsed .npy array: C-order float32 values, the shape, and the dtype it was stored as. */
export interface NpyArray {
  shape: number[];
  data: Float32Array;
  /** The stored dtype without byte order, e.g. "f8", "u1". */
  dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93 N U M P Y

type Reader = (bytes: Uint8Array) => ArrayLike<number>;

/** Readers over a fresh, aligned copy of the data bytes; values become float32 on copy-out. */
const DTYPES: Record<string, { size: number; read: Reader }> = {
  f4: { size: 4, read: (b) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4) },
  f8: { size: 8, read: (b) => new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8) },
  u1: { size: 1, read: (b) => b },
  i1: { size: 1, read: (b) => new Int8Array(b.buffer, b.byteOffset, b.byteLength) },
  b1: { size: 1, read: (b) => b },
  u2: { size: 2, read: (b) => new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2) },
  i2: { size: 2, read: (b) => new Int16Array(b.buffer, b.byteOffset, b.byteLength / 2) },
  u4: { size: 4, read: (b) => new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4) },
  i4: { size: 4, read: (b) => new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4) },
  i8: { size: 8, read: (b) => Float64Array.from(new BigInt64Array(b.buffer, b.byteOffset, b.byteLength / 8), Number) },
  u8: { size: 8, read: (b) => Float64Array.from(new BigUint64Array(b.buffer, b.byteOffset, b.byteLength / 8), Number) },
};

/** What a .npy header says: the stored dtype, the order, the shape and where the values start. */
export interface NpyHeader {
  shape: number[];
  /** The dtype code without byte order, e.g. "f4", "u1". */
  dtype: string;
  /** Bytes per value. */
  itemSize: number;
  fortran: boolean;
  /** The byte offset of the first value. */
  dataStart: number;
  /** The byte offset just past the last value. */
  dataEnd: number;
}

/**
 * Parses the header of a .npy file (versions 1.0, 2.0 and 3.0) from its first bytes.
 * @param bytes the file's first bytes, at least up to the end of the header.
 * @param file the name used in error messages.
 * @param fileSize the whole file's size, checked against the shape.
 * @throws DataError naming the file, the byte offset and what was expected.
 * @example
 * const header = parseNpyHeader(firstKilobytes, 'big.npy', statSync('big.npy').size);
 */
export function parseNpyHeader(bytes: Uint8Array, file: string, fileSize = bytes.length): NpyHeader {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) {
      const found = [...bytes.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new DataError(`${file}: bad .npy magic at byte offset 0: expected 93 4e 55 4d 50 59 ("\\x93NUMPY"), found ${found || 'an empty file'}`);
    }
  }
  if (bytes.length < 10) throw new DataError(`${file}: truncated at byte offset ${bytes.length}: expected a .npy version and header length`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLen: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataError(`${file}: truncated at byte offset ${bytes.length}: expected a 4-byte header length`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DataError(`${file}: unsupported .npy version at byte offset 6: expected 1, 2 or 3, found ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLen;
  if (bytes.length < dataStart) {
    throw new DataError(`${file}: truncated at byte offset ${bytes.length}: the header ends at byte offset ${dataStart}`);
  }
  // Version 3 allows UTF-8 in field names; the fields we read are ASCII in every version.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const at = `in the header at byte offset ${headerStart}`;

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  if (descr === undefined) {
    const structured = /'descr'\s*:\s*\[/.test(header);
    throw new DataError(`${file}: ${at}: expected 'descr' to be a simple dtype string like '<f4', found ${structured ? 'a structured dtype' : header.trim()}`);
  }
  const order = descr[0];
  const code = '<>|='.includes(order) ? descr.slice(1) : descr;
  const dtype = DTYPES[code];
  if (!dtype) {
    throw new DataError(`${file}: ${at}: unsupported dtype '${descr}': expected one of <f4 <f8 |u1 |i1 <i2 <u2 <i4 <u4 <i8 <u8 |b1`);
  }
  if (order === '>' && dtype.size > 1) {
    throw new DataError(`${file}: ${at}: unsupported dtype '${descr}' (big-endian): expected little-endian '<${code}'; convert with arr.astype('<${code}')`);
  }
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortran === undefined) throw new DataError(`${file}: ${at}: expected 'fortran_order': True or False, found ${header.trim()}`);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw new DataError(`${file}: ${at}: expected 'shape': a tuple of integers, found ${header.trim()}`);
  const parts = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const shape = parts.map((s) => (/^\d+$/.test(s) ? Number(s) : Number.NaN));
  if (shape.some((d) => !Number.isSafeInteger(d))) {
    throw new DataError(`${file}: ${at}: expected 'shape' of non-negative integers, found (${shapeText})`);
  }

  const count = shape.reduce((a, b) => a * b, 1);
  const dataEnd = dataStart + count * dtype.size;
  if (fileSize < dataEnd) {
    throw new DataError(`${file}: truncated at byte offset ${fileSize}: shape (${shape.join(', ')}) of '${descr}' needs data up to byte offset ${dataEnd}`);
  }
  if (fileSize > dataEnd) {
    throw new DataError(`${file}: size does not match shape: shape (${shape.join(', ')}) of '${descr}' ends at byte offset ${dataEnd}, found ${fileSize - dataEnd} more bytes`);
  }
  return { shape, dtype: code, itemSize: dtype.size, fortran: fortran === 'True', dataStart, dataEnd };
}

/**
 * Converts little-endian values of a .npy dtype to numbers, as a view where the type allows.
 * @param bytes whole values, aligned to the dtype's size (a fresh copy is).
 * @example
 * const values = npyValues(bytes.slice(start, end), 'f8');
 */
export function npyValues(bytes: Uint8Array, dtype: string): ArrayLike<number> {
  return DTYPES[dtype].read(bytes);
}

/**
 * Parses the bytes of a .npy file (versions 1.0, 2.0 and 3.0).
 * @param bytes the file's content.
 * @param file the name used in error messages.
 * @throws DataError naming the file, the byte offset and what was expected.
 * @example
 * const { shape, data } = parseNpy(readFileSync('codes.npy'), 'codes.npy');
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const { shape, dtype, fortran, dataStart, dataEnd } = parseNpyHeader(bytes, file);
  // slice() copies into a fresh ArrayBuffer, so multi-byte views are aligned whatever the file's offset.
  const values = npyValues(bytes.slice(dataStart, dataEnd), dtype);
  const data = fortran && shape.length > 1 ? fortranToC(values, shape) : Float32Array.from(values);
  return { shape, data, dtype };
}

/**
 * Reads a .npy file as C-order float32.
 * @param path the file to read.
 * @example
 * const { shape, data } = readNpy('x.npy'); // shape [n, features]
 */
export function readNpy(path: string): NpyArray {
  return parseNpy(readRegularFile(path, '.npy file'), path);
}

/**
 * Encodes float32 values as a version 1.0 .npy file, C order, little-endian.
 * @param data the values in C (row-major) order.
 * @param shape the dimensions; their product must equal data.length.
 * @example
 * const bytes = encodeNpy(new Float32Array([1, 2]), [2]);
 */
export function encodeNpy(data: Float32Array, shape: number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new UsageError(`encodeNpy: shape (${shape.join(', ')}) holds ${count} values, found ${data.length}`);
  const header = encodeNpyHeader(shape);
  const out = new Uint8Array(header.length + data.length * 4);
  out.set(header, 0);
  const dv = new DataView(out.buffer, header.length);
  for (let i = 0; i < data.length; i++) dv.setFloat32(4 * i, data[i], true);
  return out;
}

/**
 * The header of a version 1.0 float32 C-order .npy file of `shape`, padded so the values start on
 * a 64-byte boundary: what a writer puts before rows it writes a block at a time.
 * @example
 * writeSync(fd, encodeNpyHeader([1_000_000, 784]));
 */
export function encodeNpyHeader(shape: number[]): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${tuple}, }`;
  // NumPy pads with spaces and a final newline so the data starts on a 64-byte boundary.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  return out;
}

/**
 * Writes float32 values to a .npy file (version 1.0, '<f4', C order).
 * @param path the file to write.
 * @param data the values in C order.
 * @param shape the dimensions.
 * @example
 * writeNpy('codes.npy', codes, [n, 30]);
 */
export function writeNpy(path: string, data: Float32Array, shape: number[]): void {
  writeFileAtomic(path, encodeNpy(data, shape));
}

/** Reorders Fortran-order (first index fastest) values into C order (last index fastest). */
function fortranToC(src: ArrayLike<number>, shape: number[]): Float32Array {
  const nd = shape.length;
  const out = new Float32Array(src.length);
  const cStride = new Array<number>(nd);
  cStride[nd - 1] = 1;
  for (let k = nd - 2; k >= 0; k--) cStride[k] = cStride[k + 1] * shape[k + 1];
  const idx = new Array<number>(nd).fill(0);
  let c = 0;
  for (let j = 0; j < src.length; j++) {
    out[c] = src[j];
    // Walk the Fortran order: bump the first index, carrying into the next like an odometer.
    for (let k = 0; k < nd; k++) {
      idx[k]++;
      c += cStride[k];
      if (idx[k] < shape[k]) break;
      c -= shape[k] * cStride[k];
      idx[k] = 0;
    }
  }
  return out;
}
