/**
 * Writing a table of numbers (rows of examples, named columns) as CSV, NPY or Arrow IPC, chosen
 * by the file's extension, so that a command's per-example results open in a spreadsheet, NumPy
 * or pandas and read back with `loadInputFile`.
 */
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import { writeArrowFile } from './arrow.js';
import { writeNpy } from './npy.js';
import { writeFileAtomic } from '../io/atomic-write.js';

/** The formats a table is written in. */
export type TableFormat = 'csv' | 'npy' | 'arrow';

/**
 * The format a file name asks for, by its extension (.csv, .npy, or .arrow/.feather for Arrow
 * IPC, any case).
 * @param what the option that named it, for the message
 * @throws UsageError naming the file and the extensions known
 * @example
 * tableFormat('scores.csv', '--output'); // 'csv'
 */
export function tableFormat(path: string, what: string): TableFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.npy') return 'npy';
  if (ext === '.arrow' || ext === '.feather') return 'arrow';
  throw new UsageError(`${what} ${path}: unknown extension "${ext}"; expected a .csv, .npy, .arrow or .feather file name`);
}

/**
 * Writes n rows of the given columns: CSV with a header line of the column names (values with 9
 * significant digits, enough to give float32 back exactly), or NPY as float32 of shape
 * [n, columns] (C order), the format chosen by the extension.
 * @param columns name and values of each column, all of one length
 * @example
 * writeTable('scores.csv', [{ name: 'sse', values: scores }, { name: 'anomaly', values: flags }]);
 */
export function writeTable(path: string, columns: readonly { name: string; values: ArrayLike<number> }[]): void {
  const format = tableFormat(path, 'writeTable:');
  const n = columns[0]?.values.length ?? 0;
  if (columns.some((c) => c.values.length !== n)) throw new UsageError(`writeTable: columns of different lengths (${columns.map((c) => c.values.length).join(', ')})`);
  writeMatrix(path, format, n, columns.length, (i, j) => columns[j].values[i], columns.map((c) => c.name));
}

/**
 * Writes an n × features matrix (row-major) as CSV, without a header unless `names` are given,
 * as NPY of shape [n, features], or as Arrow IPC with float32 columns named by `names` (or
 * "0", "1", … as pandas names a NumPy array's columns).
 * @example
 * writeMatrixFile('errors.npy', perFeature.x, perFeature.n, perFeature.features);
 */
export function writeMatrixFile(path: string, x: ArrayLike<number>, n: number, features: number, names?: readonly string[]): void {
  writeMatrix(path, tableFormat(path, 'writeMatrixFile:'), n, features, (i, j) => x[i * features + j], names);
}

function writeMatrix(path: string, format: TableFormat, n: number, k: number, at: (i: number, j: number) => number, names?: readonly string[]): void {
  if (format === 'arrow') {
    const columns = Array.from({ length: k }, (_, j) => {
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = at(i, j);
      return { name: names?.[j] ?? String(j), values };
    });
    writeArrowFile(path, columns);
    return;
  }
  if (format === 'npy') {
    const data = new Float32Array(n * k);
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) data[i * k + j] = at(i, j);
    writeNpy(path, data, [n, k]);
    return;
  }
  const lines: string[] = names ? [names.join(',')] : [];
  const cells = new Array<string>(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) cells[j] = formatNumber(at(i, j));
    lines.push(cells.join(','));
  }
  writeFileAtomic(path, `${lines.join('\n')}\n`);
}

/** Nine significant digits without trailing zeros: 0.5, 12.3456789, 1.5e-7. */
function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(9)));
}
