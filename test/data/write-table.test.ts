/** Tables written as CSV or NPY by extension, and read back by aekit's own loaders. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCsv } from '../../src/data/csv.js';
import { readNpy } from '../../src/data/npy.js';
import { tableFormat, writeMatrixFile, writeTable } from '../../src/data/write-table.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('write-table');

test('the extension picks the format; others are refused with the file named', () => {
  assert.equal(tableFormat('a/scores.CSV', '--output'), 'csv');
  assert.equal(tableFormat('scores.npy', '--output'), 'npy');
  assert.equal(tableFormat('scores.arrow', '--output'), 'arrow');
  assert.equal(tableFormat('scores.Feather', '--output'), 'arrow');
  assert.throws(() => tableFormat('scores.txt', '--output'), (e: unknown) => e instanceof UsageError && e.message === '--output scores.txt: unknown extension ".txt"; expected a .csv, .npy, .arrow or .feather file name');
  assert.throws(() => tableFormat('scores', '--output'), (e: unknown) => e instanceof UsageError && /unknown extension ""/.test(e.message));
});

test('columns as CSV with a header and as float32 NPY, read back', () => {
  const scores = Float64Array.of(0.5, 12.345678912345, 1.5e-7);
  const flags = Uint8Array.of(0, 1, 0);
  const csv = join(dir, 't.csv');
  writeTable(csv, [{ name: 'sse', values: scores }, { name: 'anomaly', values: flags }]);
  const table = readCsv(csv);
  assert.deepEqual(table.columns, ['sse', 'anomaly']);
  // Nine significant digits: 12.3456789.
  assert.deepEqual([...table.x], [...Float32Array.of(0.5, 0, 12.3456789, 1, 1.5e-7, 0)]);
  const npy = join(dir, 't.npy');
  writeTable(npy, [{ name: 'sse', values: scores }]);
  const back = readNpy(npy);
  assert.deepEqual(back.shape, [3, 1]);
  assert.deepEqual([...back.data], [...Float32Array.from(scores)]);
  assert.throws(() => writeTable(npy, [{ name: 'a', values: [1] }, { name: 'b', values: [1, 2] }]), (e: unknown) => e instanceof UsageError && /different lengths \(1, 2\)/.test(e.message));
});

test('a matrix as headerless CSV and as NPY', () => {
  const x = Float32Array.of(1, 2, 3, 4, 5, 6);
  writeMatrixFile(join(dir, 'm.csv'), x, 2, 3);
  const csv = readCsv(join(dir, 'm.csv'));
  assert.deepEqual([csv.n, csv.features, csv.columns], [2, 3, undefined]);
  assert.deepEqual([...csv.x], [...x]);
  writeMatrixFile(join(dir, 'm.npy'), x, 2, 3);
  assert.deepEqual(readNpy(join(dir, 'm.npy')).shape, [2, 3]);
});
