import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv, readCsv } from '../../src/data/csv.js';
import { DataError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('csv');

const is = (re: RegExp) => (e: unknown) => e instanceof DataError && re.test(e.message);

test('reads a file with a header, detected automatically', () => {
  const path = join(dir, 'h.csv');
  writeFileSync(path, '\uFEFFx,y,z\n1,2.5,-3\n4e-1, .5 ,+6\n');
  const t = readCsv(path);
  assert.deepEqual(t.columns, ['x', 'y', 'z']);
  assert.equal(t.n, 2);
  assert.equal(t.features, 3);
  assert.deepEqual([...t.x], [1, 2.5, -3, 0.4000000059604645, 0.5, 6]);
  assert.equal(t.name, path);
});

test('no header, blank lines skipped, CRLF, tab and semicolon delimiters', () => {
  const t = parseCsv('1,2\r\n\r\n3,4\r\n', 'a.csv');
  assert.equal(t.columns, undefined);
  assert.deepEqual([...t.x], [1, 2, 3, 4]);
  assert.deepEqual([...parseCsv('1\t2\n3\t4\n', 'b.tsv').x], [1, 2, 3, 4]);
  assert.deepEqual([...parseCsv('1;2\n3;4', 'c.csv').x], [1, 2, 3, 4]);
  assert.deepEqual([...parseCsv('1 2\n3 4\n', 'd.txt').x], [1, 2, 3, 4]);
  assert.deepEqual([...parseCsv('7\n8\n', 'e.csv').x], [7, 8]);
});

test('header option forces either reading', () => {
  assert.deepEqual(parseCsv('1,2\n3,4\n', 'f.csv', { header: true }).columns, ['1', '2']);
  assert.throws(() => parseCsv('a,b\n3,4\n', 'g.csv', { header: false }), is(/^g\.csv:1:1: expected a finite number, found "a"$/));
});

test('a bad cell is reported as file:line:column with its text', () => {
  // Line 1 is the header, line 2 data, line 3 blank, line 4 holds "abc" in column 2.
  assert.throws(() => parseCsv('a,b,c\n1,2,3\n\n4,abc,6\n', 'bad.csv'), is(/^bad\.csv:4:2: expected a finite number, found "abc"$/));
  assert.throws(() => parseCsv('1,NaN\n', 'n.csv'), is(/^n\.csv:1:2: .* found "NaN"$/));
  assert.throws(() => parseCsv('1,inf\n', 'i.csv'), is(/^i\.csv:1:2: .* found "inf"$/));
  assert.throws(() => parseCsv('1,0x10\n', 'x.csv'), is(/^x\.csv:1:2: .* found "0x10"$/));
  assert.throws(() => parseCsv('1,\n', 'e.csv'), is(/^e\.csv:1:2: .* found ""$/));
  assert.throws(() => parseCsv('1,1e39\n', 'o.csv'), is(/^o\.csv:1:2: .* found "1e39" \(out of float32 range\)$/));
});

test('ragged rows are errors naming the line', () => {
  assert.throws(() => parseCsv('1,2\n3,4\n5\n', 'r.csv'), is(/^r\.csv:3: expected 2 columns like the first line, found 1$/));
  assert.throws(() => parseCsv('a,b\n1,2,3\n', 'r2.csv'), is(/^r2\.csv:2: expected 2 columns like the header, found 3$/));
  // Mixed line endings must not shift the line count.
  assert.throws(() => parseCsv('1,2\n3,4\r\n5,6\r\n7\n', 'r3.csv'), is(/^r3\.csv:4: /));
});

test('malformed CSV, empty files and missing files', () => {
  assert.throws(() => parseCsv('1,2\n3,"4\n', 'q.csv'), is(/^q\.csv:\d+: not valid CSV: Quote Not Closed/));
  assert.throws(() => parseCsv('\n\n', 'empty.csv'), is(/^empty\.csv: expected at least one line of numbers, found none$/));
  assert.throws(() => parseCsv('a,b\n', 'only-header.csv'), is(/found none/));
  assert.throws(() => readCsv(join(dir, 'missing.csv')), is(/missing\.csv: cannot read CSV file \(ENOENT\)/));
});
