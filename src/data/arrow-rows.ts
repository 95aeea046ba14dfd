/**
 * An Arrow IPC file read one record batch at a time (the streaming counterpart of readArrow).
 * The file format is read through its footer: each record batch's bytes are fetched from their
 * offset and decoded alone, so only one batch is ever in memory. The stream format (.arrows) is
 * read front to back.
 */
import { closeSync, readSync } from 'node:fs';
import type { RecordBatch, Schema } from 'apache-arrow';
import type { Footer } from 'apache-arrow/ipc/metadata/file';
import { arrowFooter, arrowLib } from './arrow-lib.js';
import { DataError } from '../errors.js';
import { type ArrowColumns, arrowColumns, arrowBatches, copyBatchRows } from './arrow.js';
import { openFile, type RowReader } from './row-file.js';

/** Options of ArrowRowReader. */
export interface ArrowRowOptions {
  /** A column to leave out (the labels). */
  labelColumn?: string;
  /** Bytes read at a time from a stream-format file. */
  chunkBytes: number;
}

/** The trailer of the file format: the footer's length (int32) and the magic "ARROW1". */
const TRAILER = 10;

/**
 * Rows of an Arrow IPC file, streamed a record batch at a time.
 * @example
 * const reader = new ArrowRowReader('big.arrow', { chunkBytes: 1 << 20 });
 */
export class ArrowRowReader implements RowReader {
  readonly features: number;
  readonly shape: readonly number[];
  bytesRead = 0;
  private readonly fd: number;
  private readonly size: number;
  private readonly cols: ArrowColumns;
  /** File format: where each record batch is; null for the stream format. */
  private readonly blocks: { offset: number; length: number }[] | null;
  private readonly schemaMessage: Uint8Array | null;
  private batches: Iterator<{ batch: RecordBatch }> | null = null;
  private batchIndex = 0;
  private rowsBefore = 0;
  /** The current batch as rows, and how many of them were handed out. */
  private pending = new Float32Array(0);
  private pendingRows = 0;
  private taken = 0;

  constructor(readonly file: string, private readonly options: ArrowRowOptions) {
    const { fd, size } = openFile(file, 'Arrow IPC file');
    this.fd = fd;
    this.size = size;
    const head = this.bytesAt(0, Math.min(8, size));
    let schema: Schema;
    if (new TextDecoder().decode(head.subarray(0, 6)) === 'ARROW1') {
      const footer = this.readFooter();
      schema = footer.schema;
      this.blocks = [...footer.recordBatches()].map((b) => ({ offset: Number(b.offset), length: b.metaDataLength + Number(b.bodyLength) }));
      this.schemaMessage = schemaMessage(schema);
    } else {
      this.blocks = null;
      this.schemaMessage = null;
      this.batches = this.streamBatches();
      const first = this.batches.next();
      if (first.done) {
        // A stream with a schema and no batches has no rows; without a schema it is not Arrow.
        throw new DataError(`${file}: expected Arrow IPC record batches, found none`);
      }
      schema = first.value.batch.schema;
      this.take(first.value.batch);
    }
    this.cols = arrowColumns(schema, file, { labelColumn: options.labelColumn });
    this.features = this.cols.features.length;
    this.shape = [this.features];
    if (this.pendingRows > 0) this.take(this.lastBatch!);
  }

  read(out: Float32Array, max: number): number {
    let rows = 0;
    while (rows < max) {
      if (this.taken === this.pendingRows && !this.nextBatch()) break;
      const n = Math.min(max - rows, this.pendingRows - this.taken);
      const f = this.features;
      out.set(this.pending.subarray(this.taken * f, (this.taken + n) * f), rows * f);
      this.taken += n;
      rows += n;
    }
    return rows;
  }

  rewind(): void {
    this.batchIndex = 0;
    this.rowsBefore = 0;
    this.pendingRows = 0;
    this.taken = 0;
    this.lastBatch = null;
    if (!this.blocks) this.batches = this.streamBatches();
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Closing twice is harmless here.
    }
  }

  private lastBatch: RecordBatch | null = null;

  /** Decodes the next record batch into `pending`; false after the last. */
  private nextBatch(): boolean {
    this.rowsBefore += this.pendingRows;
    let batch: RecordBatch | undefined;
    if (this.blocks) {
      if (this.batchIndex >= this.blocks.length) return false;
      const block = this.blocks[this.batchIndex];
      const bytes = this.bytesAt(block.offset, block.length);
      try {
        batch = [...arrowLib().RecordBatchReader.from([this.schemaMessage!, bytes])][0] as RecordBatch | undefined;
      } catch (error) {
        throw new DataError(`${this.file}: record batch ${this.batchIndex} at byte offset ${block.offset}: not valid Arrow IPC data: ${(error as Error).message}`);
      }
      if (!batch) throw new DataError(`${this.file}: record batch ${this.batchIndex} at byte offset ${block.offset}: expected a record batch, found none`);
    } else {
      const next = this.batches!.next();
      if (next.done) return false;
      batch = next.value.batch;
    }
    this.take(batch);
    return true;
  }

  /** Converts a batch to rows: before the columns are known (the stream's first batch), it is only kept. */
  private take(batch: RecordBatch): void {
    this.lastBatch = batch;
    this.pendingRows = batch.numRows;
    this.taken = 0;
    if (!this.cols) return;
    const need = batch.numRows * this.features;
    if (this.pending.length < need) this.pending = new Float32Array(need);
    copyBatchRows(batch, this.cols, this.pending, 0, { file: this.file, batch: this.batchIndex, firstRow: this.rowsBefore });
    this.batchIndex++;
  }

  private *streamBatches(): Generator<{ batch: RecordBatch }> {
    yield* arrowBatches(this.chunks(), this.file);
  }

  private *chunks(): Generator<Uint8Array> {
    const chunk = new Uint8Array(Math.max(this.options.chunkBytes, 1 << 12));
    for (let position = 0; position < this.size;) {
      const got = readSync(this.fd, chunk, 0, chunk.length, position);
      if (got === 0) return;
      this.bytesRead += got;
      position += got;
      // A copy: the reader may keep a view on the bytes after the next chunk is read.
      yield chunk.slice(0, got);
    }
  }

  private readFooter(): Footer {
    if (this.size < 8 + TRAILER) throw new DataError(`${this.file}: truncated at byte offset ${this.size}: expected an Arrow IPC file footer`);
    const trailer = this.bytesAt(this.size - TRAILER, TRAILER);
    if (new TextDecoder().decode(trailer.subarray(4)) !== 'ARROW1') {
      throw new DataError(`${this.file}: at byte offset ${this.size - 6}: expected the closing "ARROW1" of an Arrow IPC file (a truncated file?)`);
    }
    const length = new DataView(trailer.buffer, trailer.byteOffset).getInt32(0, true);
    const start = this.size - TRAILER - length;
    if (length <= 0 || start < 8) throw new DataError(`${this.file}: at byte offset ${this.size - TRAILER}: footer length ${length} does not fit the file`);
    try {
      return arrowFooter().decode(this.bytesAt(start, length));
    } catch (error) {
      throw new DataError(`${this.file}: the footer at byte offset ${start}: not valid Arrow IPC data: ${(error as Error).message}`);
    }
  }

  private bytesAt(position: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    const got = readSync(this.fd, out, 0, length, position);
    this.bytesRead += got;
    if (got !== length) throw new DataError(`${this.file}: truncated at byte offset ${position + got}: expected ${length} bytes from byte offset ${position}`);
    return out;
  }
}

/** The stream-format schema message for `schema`, to put in front of a record batch read alone. */
function schemaMessage(schema: Schema): Uint8Array {
  const { Table, tableToIPC } = arrowLib();
  const bytes = tableToIPC(new Table(schema), 'stream');
  // An empty table is written as its schema and the end-of-stream marker: keep the schema only.
  const eos = bytes.length >= 8 && bytes.subarray(bytes.length - 8).every((b, i) => (i < 4 ? b === 0xff : b === 0));
  return eos ? bytes.subarray(0, bytes.length - 8) : bytes;
}
