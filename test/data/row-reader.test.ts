import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeArrowFile } from '../../src/data/arrow.js';
import { CsvRowReader } from '../../src/data/csv-rows.js';
import { loadInputFile } from '../../src/data/load-input.js';
import { encodeNpy } from '../../src/data/npy.js';
import { openRowReader, type RowReader } from '../../src/data/row-reader.js';
import { DataError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('row-reader');
const is = (re: RegExp) => (e: unknown) => e instanceof DataError && re.test(e.message);

/** Every row of a reader, read in blocks of `block` rows. */
function readAll(reader: RowReader, block: number): number[] {
  const out = new Float32Array(block * reader.features);
  const all: number[] = [];
  for (let got = reader.read(out, block); got > 0; got = reader.read(out, block)) all.push(...out.subarray(0, got * reader.features));
  return all;
}

// 3,000 rows of 5 features: several 4 KiB chunks, so rows and lines cross chunk ends.
const n = 3000;
const f = 5;
const x = Float32Array.from({ length: n * f }, (_, i) => Math.fround(Math.sin(i) * 100));

test('NPY, CSV and Arrow streamed in small chunks give the rows the in-memory loaders give, and again after rewind', () => {
  const npy = join(dir, 'x.npy');
  writeFileSync(npy, encodeNpy(x, [n, f]));
  const csv = join(dir, 'x.csv');
  const lines = ['a,b,c,d,e'];
  for (let r = 0; r < n; r++) lines.push(Array.from(x.subarray(r * f, (r + 1) * f), (v) => String(v)).join(','));
  writeFileSync(csv, `${lines.join('\r\n')}\r\n`);
  const arrow = join(dir, 'x.arrow');
  writeArrowFile(arrow, Array.from({ length: f }, (_, j) => ({ name: `c${j}`, values: Array.from({ length: n }, (_, r) => x[r * f + j]) })));
  for (const path of [npy, csv, arrow]) {
    const reader = openRowReader(path, { chunkBytes: 4096 });
    assert.equal(reader.features, f, path);
    const first = readAll(reader, 7);
    assert.deepEqual(first, [...loadInputFile(path).x], path);
    reader.rewind();
    assert.deepEqual(readAll(reader, 1000), first, `${path} after rewind`);
    reader.close();
  }
});

test('a ragged CSV line is reported as file:line as soon as it is read, without reading the rest of the file', () => {
  const path = join(dir, 'ragged.csv');
  const good = Array.from({ length: 200_000 }, () => '1,2,3');
  writeFileSync(path, ['x,y,z', '1,2,3', '4,5,6', '7,8', ...good].join('\n'));
  const reader = new CsvRowReader(path, { chunkBytes: 4096 });
  assert.throws(() => readAll(reader, 100), is(/ragged\.csv:4: expected 3 columns like the header, found 2$/));
  // The file is 1.2 MB; one 4 KiB chunk holds the bad line.
  assert.ok(reader.bytesRead <= 4096, `read ${reader.bytesRead} of ${statSync(path).size} bytes`);
});

test('streamed bad input: a CSV cell, a Fortran-order NPY, an unknown format; a label column left out', () => {
  const cell = join(dir, 'cell.csv');
  writeFileSync(cell, '1,2\n3,abc\n');
  assert.throws(() => readAll(openRowReader(cell), 10), is(/cell\.csv:2:2: expected a finite number, found "abc"/));
  const fortran = join(dir, 'f.npy');
  const bytes = encodeNpy(new Float32Array(6), [2, 3]);
  const text = new TextDecoder('latin1').decode(bytes);
  writeFileSync(fortran, Buffer.from(text.replace("'fortran_order': False", "'fortran_order': True "), 'latin1'));
  assert.throws(() => openRowReader(fortran), is(/f\.npy: a Fortran-order \.npy cannot be read row by row/));
  assert.throws(() => openRowReader(join(dir, 'x.png')), is(/cannot be streamed from disk/));
  const labelled = join(dir, 'labelled.csv');
  writeFileSync(labelled, 'a,class,b\n1,0,2\n3,1,4\n');
  const reader = openRowReader(labelled, { labelColumn: 'class' });
  assert.deepEqual(readAll(reader, 10), [1, 2, 3, 4]);
});
