/**
 * A run's data streamed from a file larger than its memory budget: one pass reads the file to
 * check every row, gather the training rows' statistics and fingerprint, and keep the held-out
 * rows (test and validation, chosen by a seeded hash of the row number, so no shuffle of the
 * whole file is needed); training then streams the other rows through a shuffle window.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { type Dataset, partName } from '../data/dataset.js';
import { canStream, openRowReader, type RowReader } from '../data/row-reader.js';
import { DataError, UsageError } from '../errors.js';
import { WindowSource } from '../training/stream-batches.js';
import { FeatureStats } from '../data/feature-stats.js';
import { type Scaling, scaleRowsInPlace } from '../data/scaling.js';

/** In memory, a run holds about this many copies of its data (the file, the matrix, the splits, the scaled rows). */
export const IN_MEMORY_COPIES = 4;

/**
 * Whether `aekit train --max-memory` streams `data`: a NPY, CSV or Arrow file whose in-memory
 * run (about IN_MEMORY_COPIES times the file's size) would not fit the budget.
 * @example
 * shouldStream('big.npy', 256 * 2 ** 20); // true for a 200 MB file
 */
export function shouldStream(data: string, maxMemory: number | undefined): boolean {
  if (maxMemory === undefined || !canStream(data)) return false;
  try {
    return statSync(data).size * IN_MEMORY_COPIES > maxMemory;
  } catch {
    return false;
  }
}

/** What to stream, and the budget it must fit in. */
export interface StreamOptions {
  data: string;
  maxMemory: number;
  batchSize: number;
  validationFraction: number;
  seed: number;
  limit?: number;
  testLimit?: number;
  labelColumn?: string;
}

/** The streamed training rows and the held-out rows, with what the scan learned. */
export interface StreamData {
  source: string;
  train: WindowSource;
  validation: Dataset;
  test: Dataset;
  /** Statistics of the training rows as read (before scaling). */
  stats: FeatureStats;
  /** A hash of the training rows' values in file order (as loaded, before scaling). */
  fingerprint: string;
  shape: readonly number[];
  /** Scales every row the window reads from now on. */
  setScaling(scaling: Scaling | null): void;
  close(): void;
}

/** The share of a file's rows held out as the test set, as for a single file in memory. */
const TEST_SHARE = 1 / 6;

/**
 * Shares of the budget: the shuffle window and the held-out rows an eighth each, the read blocks
 * a sixty-fourth each. The rest is the process itself (Node, the addon, the model, the
 * optimizer, garbage not yet collected), which does not grow with the file.
 */
const WINDOW_SHARE = 1 / 8;
const HELD_SHARE = 1 / 8;

/**
 * Scans the file once and returns the streaming source and the held-out rows. Held-out rows are
 * kept up to an eighth of the budget (more are left out of both training and scoring); the
 * window takes another eighth.
 * @throws DataError naming the file and the row of the first bad value.
 * @example
 * const data = openStreamData({ data: 'big.npy', maxMemory: 256 * 2 ** 20, batchSize: 64, validationFraction: 1 / 12, seed: 0 });
 */
export function openStreamData(options: StreamOptions): StreamData {
  const reader = openRowReader(options.data, { labelColumn: options.labelColumn });
  try {
    return scan(reader, options);
  } catch (error) {
    reader.close();
    throw error;
  }
}

function scan(reader: RowReader, options: StreamOptions): StreamData {
  const f = reader.features;
  const rowBytes = Math.max(1, f * 4);
  const pVal = (1 - TEST_SHARE) * options.validationFraction;
  const role = (row: number): 0 | 1 | 2 => {
    const u = unitHash(options.seed, row);
    return u < TEST_SHARE ? 2 : u < TEST_SHARE + pVal ? 1 : 0;
  };
  const heldCap = Math.floor(options.maxMemory * HELD_SHARE / rowBytes);
  const testCap = Math.min(options.testLimit ?? Infinity, Math.floor(heldCap * TEST_SHARE / (TEST_SHARE + pVal)));
  const valCap = heldCap - Math.floor(heldCap * TEST_SHARE / (TEST_SHARE + pVal));
  const test = new GrowingRows(f, testCap);
  const validation = new GrowingRows(f, valCap);
  const stats = new FeatureStats(f);
  const hash = createHash('sha256');
  const blockRows = Math.max(1, Math.min(4096, Math.floor(options.maxMemory / 64 / rowBytes)));
  const block = new Float32Array(blockRows * f);
  const train = new Float32Array(blockRows * f);
  let row = 0;
  for (;;) {
    const want = options.limit === undefined ? blockRows : Math.min(blockRows, options.limit - row);
    const got = want > 0 ? reader.read(block, want) : 0;
    if (got === 0) break;
    let kept = 0;
    for (let r = 0; r < got; r++) {
      const values = block.subarray(r * f, (r + 1) * f);
      checkFinite(values, reader.file, row + r);
      const which = role(row + r);
      if (which === 2) test.push(values);
      else if (which === 1) validation.push(values);
      else train.set(values, f * kept++);
    }
    stats.add(train, kept);
    hash.update(new Uint8Array(train.buffer, 0, kept * f * 4));
    row += got;
  }
  if (stats.count === 0) throw new UsageError(`${reader.file}: no training rows left after holding out the test and validation rows`);
  let scaling: Scaling | null = null;
  const window = Math.max(4 * options.batchSize, Math.floor(options.maxMemory * WINDOW_SHARE / rowBytes));
  const source = new WindowSource(reader, {
    n: stats.count, window, block: blockRows, limit: options.limit, keep: (r) => role(r) === 0,
    transform: (rows, count) => {
      if (scaling) scaleRowsInPlace(rows.subarray(0, count * f), f, scaling);
    },
  });
  const name = reader.file;
  const asDataset = (rows: GrowingRows, split: string): Dataset => ({ x: rows.values(), n: rows.n, features: f, shape: reader.shape, name: partName(name, split) });
  return {
    source: name, train: source, validation: asDataset(validation, 'validation'), test: asDataset(test, 'test'),
    stats, fingerprint: hash.digest('hex').slice(0, 16), shape: reader.shape,
    setScaling: (s) => { scaling = s; },
    close: () => reader.close(),
  };
}

/** Rows appended one at a time up to a cap, in a buffer that doubles. */
class GrowingRows {
  n = 0;
  private buffer: Float32Array;

  constructor(private readonly features: number, private readonly cap: number) {
    this.buffer = new Float32Array(Math.min(cap, 1024) * features);
  }

  push(values: Float32Array): void {
    if (this.n >= this.cap) return;
    if ((this.n + 1) * this.features > this.buffer.length) {
      const grown = new Float32Array(Math.min(this.cap, Math.max(1, this.n * 2)) * this.features);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer.set(values, this.n * this.features);
    this.n++;
  }

  /** The rows kept, as a view (a copy would hold them twice). */
  values(): Float32Array {
    return this.buffer.subarray(0, this.n * this.features);
  }
}

/** A uniform number in [0, 1) from a seed and a row number (MurmurHash3's 32-bit finalizer). */
function unitHash(seed: number, row: number): number {
  let h = (row + Math.imul(seed + 1, 0x9e3779b1)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

function checkFinite(values: Float32Array, file: string, row: number): void {
  for (let c = 0; c < values.length; c++) {
    if (values[c] - values[c] !== 0) throw new DataError(`${file}: row ${row}, column ${c}: expected a finite number, found ${values[c]}`);
  }
}
