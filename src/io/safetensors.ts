/**
 * The safetensors format for model weights: an 8-byte little-endian header length N, N bytes
 * of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}
 * padded with spaces, then the tensors' bytes, offsets relative to the start of that buffer.
 * Written as F32 sorted by name; read as float32 from F32, F64, F16, BF16 or I64. Whole numbers (hash
 * codes packed in words) go as U32, kept apart from the floats on both sides.
 */
import { DataError, UsageError } from '../errors.js';
import { checkSelfDigest, SELF_DIGEST_KEY } from './digest.js';
import { readRegularFile } from './read-file.js';
import { writeFileAtomic } from './atomic-write.js';

/** One tensor: its dimensions and its row-major values. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** A tensor of unsigned 32-bit integers (dtype U32). */
export interface NamedWords {
  shape: number[];
  data: Uint32Array;
}

/** Either kind, as the writer takes them. */
export interface TensorToWrite {
  shape: number[];
  data: Float32Array | Uint32Array;
}

/** The content of a safetensors file. */
export interface SafetensorsContent {
  /** The floating-point tensors by name, in the order of their data in the file. */
  tensors: Map<string, NamedTensor>;
  /** The U32 tensors by name. */
  words: Map<string, NamedWords>;
  /** The "__metadata__" strings; empty when the file has none. */
  metadata: Record<string, string>;
}

/** How a safetensors file is read. */
export interface ReadOptions {
  /** Refuse a file without aekit's own digest (a file only aekit writes, such as a checkpoint). */
  requireDigest?: boolean;
}

// Bytes per element, and how to turn a fresh (aligned) copy of the bytes into float32.
const DTYPES: Record<string, { size: number; toF32: (b: Uint8Array) => Float32Array }> = {
  F32: { size: 4, toF32: (b) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4) },
  F64: { size: 8, toF32: (b) => Float32Array.from(new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8)) },
  F16: { size: 2, toF32: (b) => Float32Array.from(new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2), halfToFloat) },
  // bfloat16 is the top half of a float32: shift it back into place.
  BF16: { size: 2, toF32: (b) => new Float32Array(Uint32Array.from(new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2), (h) => h << 16).buffer) },
  // PyTorch saves counters as int64 (BatchNorm's num_batches_tracked); read as numbers, exact below 2^24.
  I64: { size: 8, toF32: (b) => Float32Array.from(new BigInt64Array(b.buffer, b.byteOffset, b.byteLength / 8), (v) => Number(v)) },
};
const SIZES: Record<string, number> = { ...Object.fromEntries(Object.entries(DTYPES).map(([k, v]) => [k, v.size])), U32: 4 };

/** The header may not claim more than this; real headers are kilobytes. */
const MAX_HEADER = 100 * 1024 * 1024;

/**
 * Encodes tensors as safetensors bytes (F32 from a Float32Array, U32 from a Uint32Array; sorted by name).
 * @param tensors tensors by name; names must not be "__metadata__".
 * @param metadata free-form strings stored under "__metadata__" (omitted when empty).
 * @example
 * const bytes = encodeSafetensors({ 'encoder.0.weight': { shape: [2, 3], data: w } }, { format: 'aekit' });
 */
export function encodeSafetensors(
  tensors: Record<string, TensorToWrite> | Map<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new UsageError('encodeSafetensors: "__metadata__" is reserved and cannot name a tensor');
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new UsageError(`encodeSafetensors: tensor "${name}" has shape [${t.shape.join(', ')}] of ${count} values, found ${t.data.length}`);
    }
    header[name] = { dtype: t.data instanceof Uint32Array ? 'U32' : 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  const jsonBytes = new TextEncoder().encode(JSON.stringify(header));
  // Spaces up to a multiple of 8 keep the buffer 8-byte aligned in the file, as the reference writer does.
  const n = Math.ceil(jsonBytes.length / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(n), true);
  out.set(jsonBytes, 8);
  out.fill(0x20, 8 + jsonBytes.length, 8 + n);
  let at = 8 + n;
  for (const [, t] of entries) {
    const { data } = t;
    if (data instanceof Uint32Array) for (let i = 0; i < data.length; i++, at += 4) view.setUint32(at, data[i], true);
    else for (let i = 0; i < data.length; i++, at += 4) view.setFloat32(at, data[i], true);
  }
  return out;
}

/**
 * Parses safetensors bytes, converting every floating-point tensor to float32.
 * @param bytes the file's content.
 * @param file the name used in error messages.
 * @throws DataError naming the file, and the tensor when one is at fault.
 * @example
 * const { tensors, metadata } = parseSafetensors(readFileSync('model.safetensors'), 'model.safetensors');
 */
export function parseSafetensors(bytes: Uint8Array, file: string, options: ReadOptions = {}): SafetensorsContent {
  if (bytes.length < 8) throw new DataError(`${file}: truncated at byte offset ${bytes.length}: expected an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8) || n64 > BigInt(MAX_HEADER)) {
    throw new DataError(`${file}: header length ${n64} at byte offset 0 goes beyond the file of ${bytes.length} bytes`);
  }
  const n = Number(n64);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new DataError(`${file}: bad JSON header at byte offset 8 (${n} bytes): ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new DataError(`${file}: bad header at byte offset 8: expected a JSON object, found ${Array.isArray(header) ? 'an array' : typeof header}`);
  }
  const bufStart = 8 + n;
  const bufLen = bytes.length - bufStart;
  const metadata = readMetadata((header as Record<string, unknown>).__metadata__, file);
  // Before the layout is checked, so that a flipped bit is named as what it is.
  checkSelfDigest(bytes, bufStart, metadata[SELF_DIGEST_KEY], file, options.requireDigest);

  const spans: { name: string; begin: number; end: number; dtype: string; shape: number[] }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const where = `${file}: tensor "${name}"`;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof e !== 'object' || e === null) throw new DataError(`${where}: expected {dtype, shape, data_offsets}, found ${JSON.stringify(entry)}`);
    const dtype = e.dtype;
    if (typeof dtype !== 'string' || !(dtype in SIZES)) {
      throw new DataError(`${where}: unsupported dtype ${JSON.stringify(dtype)}: expected F32, F64, F16, BF16, I64 or U32`);
    }
    if (!isIntArray(e.shape)) throw new DataError(`${where}: expected shape to be an array of non-negative integers, found ${JSON.stringify(e.shape)}`);
    if (!isIntArray(e.data_offsets) || e.data_offsets.length !== 2) {
      throw new DataError(`${where}: expected data_offsets [begin, end] of non-negative integers, found ${JSON.stringify(e.data_offsets)}`);
    }
    const [begin, end] = e.data_offsets;
    if (begin > end || end > bufLen) {
      throw new DataError(`${where}: data_offsets [${begin}, ${end}] out of range: expected begin <= end <= ${bufLen}, the data buffer's length`);
    }
    const count = e.shape.reduce((a, b) => a * b, 1);
    const size = SIZES[dtype];
    if (end - begin !== count * size) {
      throw new DataError(`${where}: shape [${e.shape.join(', ')}] of ${dtype} needs ${count * size} bytes, data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    spans.push({ name, begin, end, dtype, shape: e.shape });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  // The format indexes the whole buffer: tensors back to back, no overlap, no hole, nothing after.
  let covered = 0;
  for (const [i, q] of spans.entries()) {
    if (q.begin < covered) {
      const p = spans[i - 1];
      throw new DataError(`${file}: tensor "${q.name}" data_offsets [${q.begin}, ${q.end}] overlap tensor "${p.name}" [${p.begin}, ${p.end}]`);
    }
    if (q.begin > covered) throw new DataError(`${file}: bytes ${covered} to ${q.begin} of the data buffer belong to no tensor (a hole before "${q.name}")`);
    covered = q.end;
  }
  if (covered !== bufLen) throw new DataError(`${file}: bytes ${covered} to ${bufLen} of the data buffer belong to no tensor (after the last one)`);
  const tensors = new Map<string, NamedTensor>();
  const words = new Map<string, NamedWords>();
  for (const s of spans) {
    // A copy in a fresh ArrayBuffer, aligned for typed-array views whatever the file's layout
    // (a Buffer's slice() would be a view into the file's bytes, not a copy).
    const copy = new Uint8Array(bytes.subarray(bufStart + s.begin, bufStart + s.end));
    if (s.dtype === 'U32') {
      // Little-endian in the file; DataView reads it so on any host.
      const v = new DataView(copy.buffer);
      words.set(s.name, { shape: s.shape, data: Uint32Array.from({ length: copy.length / 4 }, (_, i) => v.getUint32(4 * i, true)) });
    } else {
      tensors.set(s.name, { shape: s.shape, data: DTYPES[s.dtype].toF32(copy) });
    }
  }
  return { tensors, words, metadata };
}

/**
 * Reads a safetensors file as float32 tensors.
 * @param path the file to read.
 * @example
 * const w = readSafetensors('runs/x/model.safetensors').tensors.get('encoder.0.weight');
 */
export function readSafetensors(path: string, options: ReadOptions = {}): SafetensorsContent {
  return parseSafetensors(readRegularFile(path, 'safetensors file'), path, options);
}

/**
 * Writes float32 tensors to a safetensors file.
 * @param path the file to write.
 * @param tensors tensors by name.
 * @param metadata strings stored under "__metadata__".
 * @example
 * writeSafetensors('model.safetensors', { 'decoder.0.bias': { shape: [784], data: b } }, { format: 'aekit' });
 */
export function writeSafetensors(
  path: string,
  tensors: Record<string, TensorToWrite> | Map<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * Converts an IEEE 754 half-precision bit pattern to a number.
 * @param h the 16 bits.
 * @example
 * halfToFloat(0x3c00); // 1
 */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal: no implicit leading 1
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function readMetadata(m: unknown, file: string): Record<string, string> {
  if (m === undefined) return {};
  if (typeof m !== 'object' || m === null || Array.isArray(m)) {
    throw new DataError(`${file}: "__metadata__" must be an object of strings, found ${JSON.stringify(m)}`);
  }
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') throw new DataError(`${file}: "__metadata__"."${k}" must be a string, found ${JSON.stringify(v)}`);
  }
  return { ...(m as Record<string, string>) };
}

function isIntArray(a: unknown): a is number[] {
  return Array.isArray(a) && a.every((d) => Number.isSafeInteger(d) && d >= 0);
}
