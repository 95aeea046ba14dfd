/**
 * A Hamming index saved beside its model: the database's packed codes as one U32 tensor in a
 * safetensors file, with the code length, the database's name and size, and a digest of the
 * weights that made the codes, so that an index is never used with another model's codes.
 */
import { DataError } from '../errors.js';
import { readRegularFile } from '../io/read-file.js';
import { writeTensorsFile } from '../io/run-folder.js';
import { parseSafetensors } from '../io/safetensors.js';
import type { PackedCodes } from './bits.js';
import { HammingIndex } from './hamming-index.js';

/** The index's file name in a run folder. */
export const INDEX_FILE = 'hash-index.safetensors';

const FORMAT = 'aekit-hash-index';

/** Where an index's codes came from. */
export interface IndexSource {
  /** A digest of the weights that encoded the database (see `weightsDigest`). */
  model: string;
  /** The database's name, e.g. "mnist (train)". */
  database: string;
}

/**
 * Writes the index's codes and their source to `path`, atomically.
 * @example
 * saveHashIndex('runs/hash/hash-index.safetensors', index, { model: digest, database: 'mnist (train)' });
 */
export function saveHashIndex(path: string, index: HammingIndex, source: IndexSource): void {
  const { data, n, bits, words } = index.codes;
  writeTensorsFile(path, [{ name: 'codes', shape: [n, words], data }], { format: FORMAT, bits: String(bits), ...source });
}

/**
 * Reads an index saved by `saveHashIndex`, checking that it holds codes of the model `expected.model`.
 * @throws DataError naming the file: not an index, codes of another model, or a malformed file
 * @example
 * const { index } = loadHashIndex('runs/hash/hash-index.safetensors', { model: digest });
 */
export function loadHashIndex(path: string, expected: { model: string }): { index: HammingIndex; source: IndexSource } {
  const { words, metadata } = parseSafetensors(readRegularFile(path, 'hash index'), path);
  const codes = words.get('codes');
  const bits = Number(metadata.bits);
  if (metadata.format !== FORMAT || !codes || codes.shape.length !== 2 || !Number.isInteger(bits) || bits < 1 || bits > 255) {
    throw new DataError(`${path}: not an aekit hash index (expected format ${FORMAT}, a U32 tensor "codes" of shape [n, words] and 1 to 255 bits)`);
  }
  const [n, wordsPerCode] = codes.shape;
  if (wordsPerCode !== Math.ceil(bits / 32)) throw new DataError(`${path}: codes of ${bits} bits take ${Math.ceil(bits / 32)} words each, the file has ${wordsPerCode}`);
  if (metadata.model !== expected.model) {
    throw new DataError(`${path}: an index of another model's codes (made by weights ${metadata.model ?? 'unknown'}, this model's are ${expected.model}); delete it and run aekit retrieve again to rebuild it`);
  }
  const packed: PackedCodes = { data: codes.data, n, bits, words: wordsPerCode };
  return { index: HammingIndex.build(packed), source: { model: metadata.model, database: metadata.database ?? '' } };
}
