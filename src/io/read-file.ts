/**
 * Reading a user's file safely: only a regular file (a FIFO would hang the read, /dev/zero never
 * end), only up to a size aekit can hold, and with one message naming the file when it cannot.
 */
import { readFileSync, type Stats, statSync } from 'node:fs';
import { DataError } from '../errors.js';

/** The largest file aekit reads whole: 2 GiB, well above MNIST's 47 MB of training pixels. */
export const MAX_FILE_BYTES = 2 ** 31;

/**
 * The bytes of the regular file at `path`.
 * @param what what the file should be, for the messages ("IDX file", "NPY file", …)
 * @throws DataError naming the file: missing, not a regular file, too large, unreadable
 * @example
 * const bytes = readRegularFile('train-images-idx3-ubyte', 'IDX file');
 */
export function readRegularFile(path: string, what: string): Buffer {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new DataError(`${path}: expected a ${what}, found ${kindOf(stat)}`);
    size = stat.size;
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${path}: cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (size > MAX_FILE_BYTES) throw new DataError(`${path}: the ${what} has ${size} bytes, more than aekit reads (${MAX_FILE_BYTES})`);
  try {
    return readFileSync(path);
  } catch (error) {
    throw new DataError(`${path}: cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * The value of the JSON file at `path` (a model config, say), read as `readRegularFile` reads.
 * @param what what the file should be, for the messages ("model config file")
 * @throws DataError naming the file: unreadable (as readRegularFile), or not valid JSON
 * @example
 * const config = readJsonFile('my-model.json', 'model config file');
 */
export function readJsonFile(path: string, what: string): unknown {
  const text = readRegularFile(path, what).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (a pipe: give the data as a file)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'something that is not a regular file';
}
