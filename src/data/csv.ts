/**
 * Numeric CSV files: one example per line, every cell a finite number, an optional header line
 * of column names. Parsed with csv-parse; every number is checked here so that a bad cell is
 * reported as file:line:column with its text.
 */
import { readRegularFile } from '../io/read-file.js';
import { parse } from 'csv-parse/sync';
import { DataError, MissingColumnError } from '../errors.js';
import type { Dataset } from './dataset.js';

/** How to read a CSV file. */
export interface CsvOptions {
  /** true: the first line holds names; false: it is data; 'auto' (default): names when no cell of it is a number. */
  header?: boolean | 'auto';
  /** The cell separator; by default the first of , tab ; space found on the first non-empty line. */
  delimiter?: string;
  /**
   * The column that holds each row's class (whole numbers ≥ 0): a header name, or a 0-based
   * index; the other columns are the features.
   */
  labelColumn?: string;
}

/** A numeric CSV file as a data set, with its column names when it had a header. */
export interface CsvTable extends Dataset {
  columns?: string[];
}

// Decimal numbers only: Number() would also take '', '0x1f' and ' ', which are typos here.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A CSV cell's number, or NaN when the text is not a plain decimal ('0x1f', '' and 'NaN' are not).
 * @example
 * parseCell('1.5e3'); // 1500
 */
export function parseCell(cell: string): number {
  return NUMBER.test(cell) ? Number(cell) : Number.NaN;
}

/**
 * The message for a cell that is not a finite float32, or undefined when it is one.
 * @param where "file:line:column".
 */
export function badCell(cell: string, value: number, where: string): string | undefined {
  if (Number.isFinite(Math.fround(value))) return undefined;
  // A decimal that overflows float32 would become Infinity in the matrix: reject it too.
  const why = NUMBER.test(cell) ? ' (out of float32 range)' : '';
  return `${where}: expected a finite number, found ${JSON.stringify(cell)}${why}`;
}

/**
 * Whether a first line is a header: true or false when said, else when none of its cells is a number.
 * @example
 * isHeader(['x', 'y'], 'auto'); // true
 */
export function isHeader(cells: readonly string[], header: CsvOptions['header'] = 'auto'): boolean {
  return header === true || (header === 'auto' && cells.every((c) => !NUMBER.test(c)));
}

/**
 * The 0-based index of the label column named by `label` (a header name, or an index).
 * @throws DataError naming the file and the columns there are.
 */
export function labelIndex(label: string, columns: readonly string[] | undefined, width: number, file: string): number {
  const byName = columns?.indexOf(label) ?? -1;
  if (byName >= 0) return byName;
  if (/^\d+$/.test(label) && Number(label) < width) return Number(label);
  const known = columns ? `the header names ${columnList(columns)}` : `the file has no header, so give an index 0-${width - 1}`;
  throw new MissingColumnError(`${file}: no label column "${label}": ${known}`);
}

/** Column names quoted for a message: all of a few, the first ten of many with their count. */
export function columnList(names: readonly string[]): string {
  const shown = names.slice(0, 10).map((c) => `"${c}"`).join(', ');
  return names.length > 10 ? `${shown}, … (${names.length} columns)` : shown;
}

/**
 * Parses the text of a numeric CSV file into a row-major float32 matrix.
 * @param text the file's content.
 * @param file the name used in error messages.
 * @param options header detection and delimiter.
 * @throws DataError as `file:line:column: expected ..., found "text"`; lines and columns count from 1.
 * @example
 * const table = parseCsv('x,y\n1,2\n3,4\n', 'points.csv'); // n 2, features 2, columns ['x', 'y']
 */
export function parseCsv(text: string, file: string, options: CsvOptions = {}): CsvTable {
  // One line ending throughout keeps csv-parse's line numbers right on files that mix them.
  const clean = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const delimiter = options.delimiter ?? detectDelimiter(clean);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With info: true each record comes as { record, info }; the typings only know string[][].
    records = parse(clean, { delimiter, info: true, trim: true, skip_empty_lines: true, relax_column_count: true }) as unknown as typeof records;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new DataError(`${file}:${err.lines ?? '?'}: not valid CSV: ${err.message}`);
  }
  let columns: string[] | undefined;
  const header = options.header ?? 'auto';
  if (records.length > 0 && isHeader(records[0].record, header)) {
    columns = records[0].record;
    records = records.slice(1);
  }
  if (records.length === 0) throw new DataError(`${file}: expected at least one line of numbers, found none`);

  const features = columns?.length ?? records[0].record.length;
  const x = new Float32Array(records.length * features);
  for (let r = 0; r < records.length; r++) {
    const { record, info } = records[r];
    if (record.length !== features) {
      const what = columns ? `${features} columns like the header` : `${features} columns like the first line`;
      throw new DataError(`${file}:${info.lines}: expected ${what}, found ${record.length}`);
    }
    for (let c = 0; c < features; c++) {
      const cell = record[c];
      const value = parseCell(cell);
      const bad = badCell(cell, value, `${file}:${info.lines}:${c + 1}`);
      if (bad) throw new DataError(bad);
      x[r * features + c] = value;
    }
  }
  const table: CsvTable = { x, n: records.length, features, shape: [features], name: file, ...(columns ? { columns } : {}) };
  return options.labelColumn === undefined ? table : withLabelColumn(table, labelIndex(options.labelColumn, columns, features, file), file, records.map((r) => r.info.lines));
}

/** The table with column `k` taken out as the labels, checked to be whole numbers ≥ 0. */
function withLabelColumn(table: CsvTable, k: number, file: string, lines: number[]): CsvTable {
  const f = table.features;
  const x = new Float32Array(table.n * (f - 1));
  const labels = new Int32Array(table.n);
  for (let r = 0; r < table.n; r++) {
    const v = table.x[r * f + k];
    if (!(Number.isInteger(v) && v >= 0)) throw new DataError(`${file}:${lines[r]}:${k + 1}: expected a class label (a whole number ≥ 0), found ${v}`);
    labels[r] = v;
    for (let c = 0, o = r * (f - 1); c < f; c++) if (c !== k) x[o++] = table.x[r * f + c];
  }
  const columns = table.columns?.filter((_, c) => c !== k);
  return { x, n: table.n, features: f - 1, shape: [f - 1], name: file, labels, ...(columns ? { columns } : {}) };
}

/**
 * Reads a numeric CSV file.
 * @param path the file to read.
 * @param options header detection and delimiter.
 * @example
 * const ds = readCsv('data.csv', { header: 'auto' });
 */
export function readCsv(path: string, options: CsvOptions = {}): CsvTable {
  return parseCsv(readRegularFile(path, 'CSV file').toString('utf8'), path, options);
}

/**
 * The first of , tab ; space that appears on the first non-empty line; ',' when none does.
 * @param text the file's text, or its beginning.
 */
export function detectDelimiter(text: string): string {
  const first = text.split('\n', 64).find((l) => l.trim() !== '')?.trim() ?? '';
  for (const d of [',', '\t', ';', ' ']) if (first.includes(d)) return d;
  return ',';
}
