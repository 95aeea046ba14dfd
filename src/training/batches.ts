/**
 * Minibatches: rows copied, in a seeded shuffled order, into tensors that are made once and
 * reused for every step.
 */
import { Tensor } from '../tensor/index.js';

/** A row-major matrix of examples. */
export interface Matrix {
  /** n × features values. */
  x: Float32Array;
  n: number;
  features: number;
}

/** Reusable batch tensors, one per batch size seen (the full size and the epoch's remainder). */
export class BatchBuffers {
  private readonly bySize = new Map<number, Tensor>();

  constructor(private readonly features: number) {}

  /** Copies the rows `order[start .. start+rows)` of `data` into the tensor for `rows` rows. */
  fill(data: Matrix, order: ArrayLike<number> | null, start: number, rows: number): Tensor {
    let t = this.bySize.get(rows);
    if (!t) {
      t = Tensor.zeros([rows, this.features]);
      this.bySize.set(rows, t);
    }
    const f = this.features;
    if (!order) {
      t.data.set(data.x.subarray(start * f, (start + rows) * f));
    } else {
      for (let r = 0; r < rows; r++) {
        const src = order[start + r] * f;
        t.data.set(data.x.subarray(src, src + f), r * f);
      }
    }
    return t;
  }
}

/** Calls `visit` on consecutive batches of at most `batchSize` rows, in order. */
export function forEachBatch(data: Matrix, batchSize: number, visit: (batch: Tensor, start: number, rows: number) => void): void {
  const buffers = new BatchBuffers(data.features);
  for (let start = 0; start < data.n; start += batchSize) {
    const rows = Math.min(batchSize, data.n - start);
    visit(buffers.fill(data, null, start, rows), start, rows);
  }
}
