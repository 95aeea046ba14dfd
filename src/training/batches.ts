/**
 * Minibatches: examples (and their labels) copied, in a seeded shuffled order, into tensors that
 * are made once and reused for every step.
 */
import { type Dataset, labelsPerExample, type Matrix } from '../data/dataset.js';
import type { Batch } from '../models/trainable.js';
import { Tensor } from '../tensor/index.js';
import type { Prng } from '../util/prng.js';

/** Rows to train on: any matrix, or a data set that keeps its example shape and labels. */
export type TrainingData = Matrix & Partial<Pick<Dataset, 'shape' | 'labels' | 'labelShape'>>;

/**
 * Where `fit` draws its batches from: rows in memory (BatchBuffers) or rows streamed from disk
 * (WindowSource). An epoch is an `order` drawn from the loop's generator, saved in checkpoints,
 * and its batches are asked for in sequence.
 */
export interface BatchSource {
  /** Examples in one epoch. */
  readonly n: number;
  /** Values per example. */
  readonly features: number;
  /** The epoch's order: a permutation of the rows in memory, a seed for a stream. */
  order(rng: Prng): Uint32Array;
  /** The batch of the `rows` examples at place `start` of the epoch `order`. */
  fill(order: Uint32Array, start: number, rows: number): Batch;
}

/** True for a BatchSource, false for rows in memory. */
export function isBatchSource(data: TrainingData | BatchSource): data is BatchSource {
  return typeof (data as BatchSource).fill === 'function' && typeof (data as BatchSource).order === 'function';
}

/** Reusable batch tensors, one set per batch size seen (the full size and the epoch's remainder). */
export class BatchBuffers implements BatchSource {
  private readonly bySize = new Map<number, Batch>();
  private readonly shape: readonly number[];
  private readonly labelSize: number;

  constructor(private readonly data: TrainingData) {
    this.shape = data.shape ?? [data.features];
    this.labelSize = labelsPerExample(data);
  }

  get n(): number {
    return this.data.n;
  }

  get features(): number {
    return this.data.features;
  }

  /** A shuffle of all the rows. */
  order(rng: Prng): Uint32Array {
    return rng.permutation(this.data.n);
  }

  /** Copies the examples `order[start .. start+rows)` (in order when `order` is null) into the batch for `rows` rows. */
  fill(order: ArrayLike<number> | null, start: number, rows: number): Batch {
    const { data } = this;
    let batch = this.bySize.get(rows);
    if (!batch) {
      batch = { x: Tensor.zeros([rows, ...this.shape]) };
      if (data.labels) batch.y = Tensor.zeros([rows, ...(data.labelShape ?? [])]);
      this.bySize.set(rows, batch);
    }
    copyRows(data.x, data.features, batch.x.data, order, start, rows);
    if (data.labels && batch.y) copyRows(data.labels, this.labelSize, batch.y.data, order, start, rows);
    return batch;
  }
}

function copyRows(source: Float32Array | Uint8Array | Int32Array, width: number, target: Float32Array,
  order: ArrayLike<number> | null, start: number, rows: number): void {
  if (!order) {
    target.set(source.subarray(start * width, (start + rows) * width));
    return;
  }
  for (let r = 0; r < rows; r++) {
    const src = order[start + r] * width;
    target.set(source.subarray(src, src + width), r * width);
  }
}

/** Calls `visit` on consecutive batches of at most `batchSize` examples, in order. */
export function forEachBatch(data: TrainingData, batchSize: number, visit: (batch: Batch, start: number, rows: number) => void): void {
  const buffers = new BatchBuffers(data);
  for (let start = 0; start < data.n; start += batchSize) {
    const rows = Math.min(batchSize, data.n - start);
    visit(buffers.fill(null, start, rows), start, rows);
  }
}
