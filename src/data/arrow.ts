/**
 * Apache Arrow IPC files (Feather v2, `.arrow`, `.feather`, `.arrows` for the stream format),
 * read and written with the `apache-arrow` package: numeric columns are the features, one column
 * may be named as the labels. Record batches are decoded one at a time, so the same code serves
 * the whole-file loader and the streaming reader (`ArrowRowReader`).
 */
import type { DataType, RecordBatch, RecordBatchReader, Schema, Vector } from 'apache-arrow';
import { arrowLib } from './arrow-lib.js';
import { columnList } from './csv.js';
import { DataError, MissingColumnError, UsageError } from '../errors.js';
import { readRegularFile } from '../io/read-file.js';
import type { Dataset } from './dataset.js';
import { writeFileAtomic } from '../io/atomic-write.js';

/** Which columns of a table are read, and how. */
export interface ArrowColumns {
  /** Indices of the feature columns in the schema, in file order. */
  features: number[];
  /** Their names. */
  names: string[];
  /** The label column's index, when one was asked for. */
  label?: number;
}

/** Options of the Arrow readers. */
export interface ArrowReadOptions {
  /** The column that holds each row's class (whole numbers ≥ 0); every other column is a feature. */
  labelColumn?: string;
}

/** A table read whole: its rows, the feature columns' names and the labels when asked for. */
export interface ArrowTable extends Dataset {
  columns: string[];
}

/**
 * Chooses the feature and label columns of a schema: numeric columns (int, uint, float, bool)
 * are features; any other type is refused, naming the column, unless it is the label column.
 * @param file for messages.
 * @throws DataError naming the file and the column.
 * @example
 * const cols = arrowColumns(reader.schema, 'x.arrow', { labelColumn: 'digit' });
 */
export function arrowColumns(schema: Schema, file: string, options: ArrowReadOptions = {}): ArrowColumns {
  const features: number[] = [];
  const names: string[] = [];
  let label: number | undefined;
  schema.fields.forEach((field, j) => {
    const type = field.type as DataType;
    if (field.name === options.labelColumn) {
      if (!isNumeric(type)) throw new DataError(`${file}: column ${j} "${field.name}" (the label column): expected whole numbers, found type ${arrowLib().Type[type.typeId]}`);
      label = j;
      return;
    }
    if (!isNumeric(type)) {
      throw new DataError(`${file}: column ${j} "${field.name}": expected a numeric column (int, uint, float or bool), found type ${arrowLib().Type[type.typeId]}; drop it before saving, or name it with --label-column`);
    }
    features.push(j);
    names.push(field.name);
  });
  if (options.labelColumn !== undefined && label === undefined) {
    throw new MissingColumnError(`${file}: no column named "${options.labelColumn}" for the labels; the columns are ${columnList(schema.fields.map((f) => f.name))}`);
  }
  if (features.length === 0) throw new DataError(`${file}: expected at least one numeric feature column, found none`);
  return { features, names, ...(label !== undefined ? { label } : {}) };
}

/**
 * Copies one record batch's feature columns into rows of `out` (row-major, from row `at`), and
 * its labels into `labels` when given. Nulls, fractional or negative labels are refused.
 * @param firstRow the batch's first row in the file, for messages.
 * @throws DataError naming the file, the record batch, the row and the column.
 */
export function copyBatchRows(batch: RecordBatch, cols: ArrowColumns, out: Float32Array, at: number,
  where: { file: string; batch: number; firstRow: number }, labels?: Int32Array): void {
  const f = cols.features.length;
  const rows = batch.numRows;
  const place = (row: number, j: number) => `${where.file}: record batch ${where.batch}, row ${where.firstRow + row}, column ${j} "${batch.schema.fields[j].name}"`;
  cols.features.forEach((j, k) => {
    const vector = batch.getChildAt(j)!;
    checkNoNulls(vector, (row) => place(row, j));
    const values = fastValues(vector);
    if (values) {
      for (let r = 0; r < rows; r++) out[(at + r) * f + k] = values[r];
    } else {
      for (let r = 0; r < rows; r++) out[(at + r) * f + k] = Number(vector.get(r));
    }
  });
  if (labels && cols.label !== undefined) {
    const vector = batch.getChildAt(cols.label)!;
    checkNoNulls(vector, (row) => place(row, cols.label!));
    for (let r = 0; r < rows; r++) {
      const v = Number(vector.get(r));
      if (!(Number.isInteger(v) && v >= 0 && v <= 2 ** 31 - 1)) throw new DataError(`${place(r, cols.label)}: expected a class label (a whole number ≥ 0), found ${v}`);
      labels[at + r] = v;
    }
  }
}

/**
 * Reads a whole Arrow IPC file (file or stream format) as a data set.
 * @param path the file.
 * @param options the label column, if any.
 * @throws DataError naming the file and the record batch, row and column at fault.
 * @example
 * const ds = readArrow('measurements.arrow', { labelColumn: 'class' });
 */
export function readArrow(path: string, options: ArrowReadOptions = {}): ArrowTable {
  const bytes = readRegularFile(path, 'Arrow IPC file');
  const batches: RecordBatch[] = [];
  let schema: Schema | undefined;
  for (const { batch, schema: s } of arrowBatches([bytes], path)) {
    schema = s;
    batches.push(batch);
  }
  if (!schema) throw new DataError(`${path}: expected an Arrow IPC file with a schema, found none (an empty file?)`);
  const cols = arrowColumns(schema, path, options);
  const n = batches.reduce((a, b) => a + b.numRows, 0);
  const x = new Float32Array(n * cols.features.length);
  const labels = cols.label !== undefined ? new Int32Array(n) : undefined;
  let at = 0;
  batches.forEach((batch, k) => {
    copyBatchRows(batch, cols, x, at, { file: path, batch: k, firstRow: at }, labels);
    at += batch.numRows;
  });
  return { x, n, features: cols.features.length, shape: [cols.features.length], name: path, columns: cols.names, ...(labels ? { labels } : {}) };
}

/**
 * The record batches of Arrow IPC data, decoded one at a time: a whole file's bytes (file or
 * stream format), or the stream format in pieces of any size, read front to back.
 * @throws DataError naming the file and the record batch that could not be decoded.
 */
export function* arrowBatches(source: Uint8Array | Iterable<Uint8Array>, file: string): Generator<{ batch: RecordBatch; schema: Schema }> {
  const reader = openReader(source, file);
  let index = 0;
  for (;;) {
    let next: IteratorResult<RecordBatch>;
    try {
      next = reader.next() as IteratorResult<RecordBatch>;
    } catch (error) {
      throw arrowError(error, file, index);
    }
    if (next.done) break;
    yield { batch: next.value, schema: reader.schema };
    index++;
  }
}

/**
 * Writes named numeric columns as an Arrow IPC file (float32 columns, uncompressed), which pandas
 * (`pd.read_feather`), pyarrow and polars read.
 * @example
 * writeArrowFile('codes.arrow', [{ name: 'code0', values: c0 }, { name: 'code1', values: c1 }]);
 */
export function writeArrowFile(path: string, columns: readonly { name: string; values: ArrayLike<number> }[]): void {
  const arrays: Record<string, Float32Array> = {};
  for (const c of columns) {
    if (Object.hasOwn(arrays, c.name)) throw new UsageError(`writeArrowFile: two columns are named "${c.name}"`);
    arrays[c.name] = Float32Array.from(c.values);
  }
  const { tableFromArrays, tableToIPC } = arrowLib();
  writeFileAtomic(path, tableToIPC(tableFromArrays(arrays), 'file'));
}

/** A sync reader: a whole file's bytes may be either format, pieces must be the stream format. */
function openReader(source: Uint8Array | Iterable<Uint8Array>, file: string): RecordBatchReader & { schema: Schema } {
  try {
    const reader = arrowLib().RecordBatchReader.from(source as Uint8Array) as unknown as RecordBatchReader & { schema: Schema };
    // A reader made from bytes is synchronous: open() returns the reader, not a promise.
    void reader.open();
    if (!reader.schema) throw new Error('no schema message');
    return reader;
  } catch (error) {
    throw arrowError(error, file, 0, 'the schema');
  }
}

function arrowError(error: unknown, file: string, batch: number, what = `record batch ${batch}`): DataError {
  const message = (error as Error).message ?? String(error);
  const hint = /compress|codec/i.test(message)
    ? ' (the file is compressed; write it uncompressed, e.g. pandas df.to_feather(path, compression="uncompressed"))'
    : '';
  return new DataError(`${file}: ${what}: not valid Arrow IPC data: ${message}${hint}`);
}

function isNumeric(type: DataType): boolean {
  const { DataType } = arrowLib();
  return DataType.isInt(type) || DataType.isFloat(type) || DataType.isBool(type);
}

/** The column's values as one array when its type allows a plain copy (int up to 32 bits, float32/64). */
function fastValues(vector: Vector): ArrayLike<number> | undefined {
  const type = vector.type as DataType;
  const { DataType, Precision } = arrowLib();
  const plain = (DataType.isInt(type) && (type as { bitWidth: number }).bitWidth <= 32)
    || (DataType.isFloat(type) && (type as unknown as { precision: number }).precision !== (Precision.HALF as number));
  return plain ? (vector.toArray() as ArrayLike<number>) : undefined;
}

function checkNoNulls(vector: Vector, place: (row: number) => string): void {
  if (vector.nullCount === 0) return;
  for (let r = 0; r < vector.length; r++) if (!vector.isValid(r)) throw new DataError(`${place(r)}: expected a number, found null`);
}
