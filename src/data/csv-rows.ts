/**
 * A CSV file read a chunk at a time (the streaming counterpart of csv.ts): one line per row, with
 * the same header detection, delimiters, number rules and messages. A ragged or bad line is
 * reported as file:line as soon as it is read, without reading the rest of the file.
 */
import { closeSync, readSync } from 'node:fs';
import { DataError } from '../errors.js';
import { badCell, detectDelimiter, isHeader, labelIndex, parseCell } from './csv.js';
import { openFile, type RowReader } from './row-file.js';

/** Options of CsvRowReader. */
export interface CsvRowOptions {
  /** A column to leave out (a header name or a 0-based index). */
  labelColumn?: string;
  /** Bytes read at a time. */
  chunkBytes: number;
}

/**
 * Rows of a numeric CSV file, streamed. Quoted cells are unquoted; a quoted line break (which a
 * numeric file has no use for) is not supported.
 * @example
 * const reader = new CsvRowReader('big.csv', { chunkBytes: 1 << 20 });
 */
export class CsvRowReader implements RowReader {
  readonly features: number;
  readonly shape: readonly number[];
  bytesRead = 0;
  /** The header's names, when the file has one. */
  readonly columns?: string[];
  private readonly fd: number;
  private readonly size: number;
  private readonly delimiter: string;
  private readonly width: number;
  private readonly skip: number;
  private readonly buffer: Uint8Array;
  private decoder = new TextDecoder();
  private position = 0;
  /** Complete lines not yet returned, and the line number of the first. */
  private lines: string[] = [];
  private lineIndex = 0;
  private lineNumber = 0;
  /** The end of the last chunk, a line not yet complete. */
  private partial = '';

  constructor(readonly file: string, options: CsvRowOptions) {
    const { fd, size } = openFile(file, 'CSV file');
    this.fd = fd;
    this.size = size;
    this.buffer = new Uint8Array(Math.max(options.chunkBytes, 1 << 12));
    const first = this.nextLine();
    if (first === undefined) throw new DataError(`${file}: expected at least one line of numbers, found none`);
    this.delimiter = detectDelimiter(first.text);
    const cells = this.cells(first.text);
    this.width = cells.length;
    if (isHeader(cells)) {
      this.columns = cells;
    } else {
      // The first line is data: step back so that read() returns it.
      this.lineIndex--;
      this.lineNumber--;
    }
    this.skip = options.labelColumn === undefined ? -1 : labelIndex(options.labelColumn, this.columns, this.width, file);
    this.features = this.width - (this.skip >= 0 ? 1 : 0);
    this.shape = [this.features];
  }

  read(out: Float32Array, max: number): number {
    const f = this.features;
    let rows = 0;
    while (rows < max) {
      const next = this.nextLine();
      if (next === undefined) break;
      const cells = this.cells(next.text);
      if (cells.length !== this.width) {
        const what = this.columns ? `${this.width} columns like the header` : `${this.width} columns like the first line`;
        throw new DataError(`${this.file}:${next.line}: expected ${what}, found ${cells.length}`);
      }
      let o = rows * f;
      for (let c = 0; c < this.width; c++) {
        if (c === this.skip) continue;
        const value = parseCell(cells[c]);
        const bad = badCell(cells[c], value, `${this.file}:${next.line}:${c + 1}`);
        if (bad) throw new DataError(bad);
        out[o++] = value;
      }
      rows++;
    }
    return rows;
  }

  rewind(): void {
    this.position = 0;
    this.partial = '';
    this.lines = [];
    this.lineIndex = 0;
    this.lineNumber = 0;
    this.decoder = new TextDecoder();
    // Past the header again (and any blank lines before it).
    if (this.columns) this.nextLine();
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Closing twice is harmless here.
    }
  }

  /** The next non-empty line and its 1-based number, or undefined at the end of the file. */
  private nextLine(): { text: string; line: number } | undefined {
    for (;;) {
      while (this.lineIndex < this.lines.length) {
        const text = this.lines[this.lineIndex++].trim();
        this.lineNumber++;
        if (text !== '') return { text, line: this.lineNumber };
      }
      if (!this.fill()) return undefined;
    }
  }

  /** Reads the next chunk into complete lines; false at the end of the file. */
  private fill(): boolean {
    if (this.position >= this.size && this.partial === '') return false;
    const got = this.position < this.size ? readSync(this.fd, this.buffer, 0, this.buffer.length, this.position) : 0;
    this.position += got;
    this.bytesRead += got;
    const atEnd = got === 0 || this.position >= this.size;
    let text = this.partial + this.decoder.decode(this.buffer.subarray(0, got), { stream: !atEnd });
    if (this.position === got) text = text.replace(/^\uFEFF/, '');
    // A chunk that ends between \r and \n keeps the \r, so that the pair still counts as one line end.
    const carry = !atEnd && text.endsWith('\r') ? '\r' : '';
    if (carry) text = text.slice(0, -1);
    const lines = text.split(/\r\n|\n|\r/);
    // The last piece may be a line cut by the chunk's end: keep it for the next chunk.
    this.partial = atEnd ? '' : lines.pop()! + carry;
    this.lines = lines;
    this.lineIndex = 0;
    return lines.length > 0 || !atEnd;
  }

  private cells(line: string): string[] {
    return line.split(this.delimiter).map((c) => {
      const t = c.trim();
      return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
    });
  }
}
