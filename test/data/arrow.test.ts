import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { readArrow, writeArrowFile } from '../../src/data/arrow.js';
import { loadInputFile } from '../../src/data/load-input.js';
import { writeMatrixFile } from '../../src/data/write-table.js';
import { DataError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('arrow');
const is = (re: RegExp) => (e: unknown) => e instanceof DataError && re.test(e.message);

test('Arrow file and stream formats read as rows, numeric types converted, a label column taken out', () => {
  const table = tableFromArrays({ a: Float64Array.of(0.5, 1.5, 2.5), b: Int16Array.of(-1, 0, 7), y: Int32Array.of(2, 0, 1) });
  for (const [name, format] of [['t.arrow', 'file'], ['t.arrows', 'stream']] as const) {
    const path = join(dir, name);
    writeFileSync(path, tableToIPC(table, format));
    const all = readArrow(path);
    assert.deepEqual([...all.x], [0.5, -1, 2, 1.5, 0, 0, 2.5, 7, 1], name);
    const labelled = loadInputFile(path, { labelColumn: 'y' });
    assert.equal(labelled.features, 2);
    assert.deepEqual([...labelled.x], [0.5, -1, 1.5, 0, 2.5, 7]);
    assert.deepEqual([...labelled.labels!], [2, 0, 1]);
  }
});

test('writeMatrixFile to .arrow reads back exactly, with pandas-style column names', () => {
  const path = join(dir, 'm.feather');
  const x = Float32Array.from({ length: 12 }, (_, i) => i / 7);
  writeMatrixFile(path, x, 4, 3);
  const back = readArrow(path);
  assert.deepEqual(back.columns, ['0', '1', '2']);
  assert.deepEqual([...back.x], [...x]);
});

test('bad Arrow input: a text column, a null, a missing label column, garbage and a truncated file name the file and place', () => {
  const text = join(dir, 'text.arrow');
  writeFileSync(text, tableToIPC(tableFromArrays({ a: Float32Array.of(1), s: ['x'] }), 'file'));
  assert.throws(() => readArrow(text), is(/text\.arrow: column 1 "s": expected a numeric column .*found type Dictionary/));
  const nulls = join(dir, 'null.arrow');
  writeFileSync(nulls, tableToIPC(tableFromArrays({ a: [1, null, 3] as unknown as number[] }), 'file'));
  assert.throws(() => readArrow(nulls), is(/null\.arrow: record batch 0, row 1, column 0 "a": expected a number, found null/));
  const ok = join(dir, 'ok.arrow');
  writeArrowFile(ok, [{ name: 'a', values: [1, 2] }]);
  assert.throws(() => readArrow(ok, { labelColumn: 'class' }), is(/ok\.arrow: no column named "class" for the labels; the columns are "a"/));
  const junk = join(dir, 'junk.arrow');
  writeFileSync(junk, 'not arrow at all, just text');
  assert.throws(() => readArrow(junk), is(/junk\.arrow: the schema: not valid Arrow IPC data/));
  const nan = join(dir, 'nan.arrow');
  writeArrowFile(nan, [{ name: 'a', values: [1, Number.NaN] }]);
  assert.throws(() => loadInputFile(nan), is(/nan\.arrow: row 1, column 0 \(index 1\): expected a finite number, found NaN/));
});
