/**
 * What the streaming readers of row-reader.ts, csv-rows.ts and arrow-rows.ts share: the reader
 * interface and opening a file with one message. A file of its own so that the readers do not
 * import the module that imports them.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { DataError } from '../errors.js';

/** A file's rows in order, read into a caller's buffer; nothing but the current block is held. */
export interface RowReader {
  /** The file, for messages. */
  readonly file: string;
  /** Values per row (label columns not counted). */
  readonly features: number;
  /** One example's shape. */
  readonly shape: readonly number[];
  /** Bytes read from the file since it was opened (tests check that a bad row stops the read early). */
  readonly bytesRead: number;
  /**
   * Reads up to `max` rows into `out` (row-major, from index 0) and returns how many it read;
   * 0 once the file is done. Bad content throws a DataError naming the file and the row.
   */
  read(out: Float32Array, max: number): number;
  /** Goes back to the first row (a new epoch). */
  rewind(): void;
  close(): void;
}

/**
 * Opens a file for reading, with one message naming it when it cannot be.
 * @param what what the file should be, for messages.
 */
export function openFile(path: string, what: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new DataError(`${path}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new DataError(`${path}: expected a ${what}, found something that is not a regular file`);
  }
  return { fd, size: stat.size };
}
