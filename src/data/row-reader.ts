/**
 * Rows read from a data file a block at a time, for data larger than memory: the interface the
 * streaming training source reads through, the NPY reader, and the one entry that picks the
 * reader by the file's extension. Memory is a fixed buffer however long the file is.
 */
import { closeSync, readSync } from 'node:fs';
import { DataError } from '../errors.js';
import { CsvRowReader } from './csv-rows.js';
import { ArrowRowReader } from './arrow-rows.js';
import { checkLabelColumnSource, inputKind } from './load-input.js';
import { npyValues, parseNpyHeader } from './npy.js';
import { openFile, type RowReader } from './row-file.js';

export type { RowReader } from './row-file.js';

/** Options of openRowReader. */
export interface RowReaderOptions {
  /** A CSV or Arrow column to leave out of the features (the labels, which streaming does not train on). */
  labelColumn?: string;
  /** Bytes read from the file at a time; default 1 MiB. */
  chunkBytes?: number;
}

/** The formats that stream: NPY, CSV and Arrow IPC. */
export function canStream(path: string): boolean {
  const kind = inputKind(path);
  return kind === 'npy' || kind === 'csv' || kind === 'arrow';
}

/**
 * Opens a streaming reader for a .npy, .csv/.tsv/.txt or Arrow IPC (.arrow, .feather, .arrows) file.
 * @throws DataError naming the file when it cannot stream (another format, a Fortran-order NPY).
 * @example
 * const reader = openRowReader('big.npy');
 * const rows = reader.read(buffer, 1024);
 */
export function openRowReader(path: string, options: RowReaderOptions = {}): RowReader {
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  switch (inputKind(path)) {
    case 'npy':
      checkLabelColumnSource(path, options.labelColumn);
      return new NpyRowReader(path, chunkBytes);
    case 'csv':
      return new CsvRowReader(path, { labelColumn: options.labelColumn, chunkBytes });
    case 'arrow':
      return new ArrowRowReader(path, { labelColumn: options.labelColumn, chunkBytes });
    default:
      throw new DataError(`${path}: cannot be streamed from disk: expected a .npy, .csv/.tsv/.txt or Arrow IPC (.arrow, .feather, .arrows) file`);
  }
}

/** NPY rows: the header once, then whole rows straight from their byte offsets. */
class NpyRowReader implements RowReader {
  readonly features: number;
  readonly shape: readonly number[];
  bytesRead = 0;
  private readonly fd: number;
  private readonly rows: number;
  private readonly rowBytes: number;
  private readonly divisor: number;
  private readonly dtype: string;
  private readonly dataStart: number;
  private next = 0;
  private buffer: Uint8Array;

  constructor(readonly file: string, chunkBytes: number) {
    const { fd, size } = openFile(file, '.npy file');
    this.fd = fd;
    const head = new Uint8Array(Math.min(size, 1 << 16));
    this.bytesRead += readSync(fd, head, 0, head.length, 0);
    const header = parseNpyHeader(head, file, size);
    if (header.fortran && header.shape.length > 1) {
      this.close();
      throw new DataError(`${file}: a Fortran-order .npy cannot be read row by row; save it in C order (np.save(path, np.ascontiguousarray(a)))`);
    }
    if (header.shape.length === 0) throw new DataError(`${file}: expected an array of examples (1 or more dimensions), found a scalar`);
    const shape = header.shape;
    this.rows = shape[0];
    this.features = shape.slice(1).reduce((a, b) => a * b, 1);
    // The same example shapes as the in-memory loader: (n, h, w) and (n, h, w, 1) are grayscale images.
    this.shape = shape.length === 3 || (shape.length === 4 && shape[3] === 1) ? [1, shape[1], shape[2]] : shape.length === 1 ? [1] : shape.slice(1);
    this.rowBytes = this.features * header.itemSize;
    this.dtype = header.dtype;
    this.divisor = header.dtype === 'u1' ? 255 : 1;
    this.dataStart = header.dataStart;
    this.buffer = new Uint8Array(Math.max(this.rowBytes, Math.floor(chunkBytes / this.rowBytes) * this.rowBytes));
  }

  read(out: Float32Array, max: number): number {
    const want = Math.min(max, this.rows - this.next, this.buffer.length / this.rowBytes);
    if (want <= 0) return 0;
    const bytes = want * this.rowBytes;
    // Float32 rows need no conversion: read them straight into the caller's buffer.
    const direct = this.dtype === 'f4' && out.byteLength >= bytes;
    const target = direct ? new Uint8Array(out.buffer, out.byteOffset, bytes) : this.buffer;
    const got = readSync(this.fd, target, 0, bytes, this.dataStart + this.next * this.rowBytes);
    this.bytesRead += got;
    if (got !== bytes) throw new DataError(`${this.file}: truncated at byte offset ${this.dataStart + this.next * this.rowBytes + got}: row ${this.next + Math.floor(got / this.rowBytes)} is missing`);
    if (direct) {
      this.next += want;
      return want;
    }
    const values = npyValues(this.buffer.subarray(0, bytes), this.dtype);
    const n = want * this.features;
    // Divided, not multiplied by 1/255: the same float32 pixels as the in-memory loader.
    if (this.divisor === 1) for (let i = 0; i < n; i++) out[i] = values[i];
    else for (let i = 0; i < n; i++) out[i] = values[i] / this.divisor;
    this.next += want;
    return want;
  }

  rewind(): void {
    this.next = 0;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Closing twice is harmless here.
    }
  }
}
