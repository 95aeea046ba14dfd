/**
 * Batches drawn from rows streamed off disk, for data larger than memory: the file is read front
 * to back once per epoch and shuffled within a window (a buffer of rows from which each batch row
 * is drawn at random and replaced by the next row read). Memory is the window plus one read
 * block, whatever the file's length. An epoch's draws follow from one seed, so a run resumed
 * mid-epoch replays them to the same place.
 */
import { DataError, UsageError } from '../errors.js';
import type { Batch } from '../models/trainable.js';
import { Tensor } from '../tensor/index.js';
import { Prng } from '../util/prng.js';
import type { BatchSource } from './batches.js';

/** Rows in file order, read a block at a time (what `openRowReader` returns, seen from here). */
export interface RowStream {
  readonly file: string;
  readonly features: number;
  readonly shape: readonly number[];
  read(out: Float32Array, max: number): number;
  rewind(): void;
}

/** How the window source reads. */
export interface WindowOptions {
  /** The training rows one pass yields (what `keep` lets through, within `limit`). */
  n: number;
  /** Rows held for shuffling. */
  window: number;
  /** Rows read from the file at a time. */
  block?: number;
  /** Which file rows (0-based) are training rows; the others (held out) are skipped. */
  keep?: (row: number) => boolean;
  /** Read only the first `limit` rows of the file. */
  limit?: number;
  /** Applied in place to each block of kept rows as it is read (the model's scaling). */
  transform?: (rows: Float32Array, count: number) => void;
}

/**
 * A BatchSource over a row stream, shuffled within a window.
 * @example
 * const source = new WindowSource(openRowReader('big.npy'), { n: 1_000_000, window: 20_000 });
 * await fit(model, source, { epochs: 2 });
 */
export class WindowSource implements BatchSource {
  readonly n: number;
  readonly features: number;
  readonly shape: readonly number[];
  private readonly windowRows: Float32Array;
  private readonly capacity: number;
  private readonly block: Float32Array;
  private readonly blockCap: number;
  private readonly bySize = new Map<number, Batch>();
  /** Rows now in the window. */
  private count = 0;
  private blockRows = 0;
  private blockPos = 0;
  /** File rows read so far this epoch, kept or not. */
  private fileRow = 0;
  private ended = false;
  /** The epoch being drawn, and the next draw's place in it. */
  private epochOrder: Uint32Array | null = null;
  private position = 0;
  private rng = new Prng(0);

  constructor(private readonly reader: RowStream, private readonly options: WindowOptions) {
    if (!(Number.isInteger(options.window) && options.window >= 1)) throw new UsageError(`WindowSource: window must be a whole number ≥ 1, got ${options.window}`);
    this.n = options.n;
    this.features = reader.features;
    this.shape = reader.shape;
    this.capacity = options.window;
    this.windowRows = new Float32Array(this.capacity * this.features);
    this.blockCap = Math.max(1, options.block ?? 1024);
    this.block = new Float32Array(this.blockCap * this.features);
  }

  /**
   * An epoch is one seed: the draws within the window follow from it. Checkpoints store the order
   * as float32, exact up to 2^24, so the seed stays below that.
   */
  order(rng: Prng): Uint32Array {
    return Uint32Array.of(rng.nextUint32() >>> 8);
  }

  fill(order: Uint32Array, start: number, rows: number): Batch {
    if (order !== this.epochOrder || start !== this.position) this.restart(order, start);
    let batch = this.bySize.get(rows);
    if (!batch) {
      batch = { x: Tensor.zeros([rows, ...this.shape]) };
      this.bySize.set(rows, batch);
    }
    const f = this.features;
    for (let r = 0; r < rows; r++) this.draw(batch.x.data, r * f);
    this.position += rows;
    return batch;
  }

  /** Moves one row at random out of the window into `target` (or nowhere), and refills its place. */
  private draw(target: Float32Array | null, at: number): void {
    if (this.count === 0) {
      throw new DataError(`${this.reader.file}: ended after ${this.position} training rows, expected ${this.n} (did the file change during training?)`);
    }
    const f = this.features;
    const j = this.rng.int(this.count);
    if (target) target.set(this.windowRows.subarray(j * f, (j + 1) * f), at);
    const incoming = this.nextRow();
    if (incoming >= 0) {
      this.windowRows.set(this.block.subarray(incoming * f, (incoming + 1) * f), j * f);
    } else {
      // The file is done: the last row takes the drawn row's place and the window shrinks.
      this.count--;
      if (j !== this.count) this.windowRows.copyWithin(j * f, this.count * f, (this.count + 1) * f);
    }
  }

  /** Starts the epoch `order` from its beginning and draws (without copying) up to `start`. */
  private restart(order: Uint32Array, start: number): void {
    this.reader.rewind();
    this.rng = new Prng(order[0]);
    this.epochOrder = order;
    this.fileRow = 0;
    this.blockRows = 0;
    this.blockPos = 0;
    this.ended = false;
    this.count = 0;
    const f = this.features;
    while (this.count < this.capacity) {
      const incoming = this.nextRow();
      if (incoming < 0) break;
      this.windowRows.set(this.block.subarray(incoming * f, (incoming + 1) * f), this.count * f);
      this.count++;
    }
    this.position = 0;
    for (let k = 0; k < start; k++) this.draw(null, 0);
    this.position = start;
  }

  /** The index in `block` of the next kept row, reading a block when needed; -1 at the end. */
  private nextRow(): number {
    const { keep, limit, transform } = this.options;
    for (;;) {
      if (this.blockPos < this.blockRows) return this.blockPos++;
      if (this.ended) return -1;
      const want = limit === undefined ? this.blockCap : Math.min(this.blockCap, limit - this.fileRow);
      const got = want > 0 ? this.reader.read(this.block, want) : 0;
      if (got === 0) {
        this.ended = true;
        return -1;
      }
      // Held-out rows leave the block at once, so only training rows are scaled and drawn.
      let kept = got;
      if (keep) {
        const f = this.features;
        kept = 0;
        for (let r = 0; r < got; r++) {
          if (!keep(this.fileRow + r)) continue;
          if (kept !== r) this.block.copyWithin(kept * f, r * f, (r + 1) * f);
          kept++;
        }
      }
      this.fileRow += got;
      transform?.(this.block, kept);
      this.blockRows = kept;
      this.blockPos = 0;
    }
  }
}
