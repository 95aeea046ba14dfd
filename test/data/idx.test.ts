import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, parseIdx, readIdx, writeIdx } from '../../src/data/idx.js';
import { DataError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('idx');

test('parses hand-built ubyte bytes', () => {
  // magic 00 00 | type 08 (ubyte) | 2 dims, then dims 2 and 3 big-endian, then 6 values.
  const bytes = Uint8Array.from([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 250]);
  const t = parseIdx(bytes, 'hand.idx');
  assert.deepEqual(t.shape, [2, 3]);
  assert.ok(t.data instanceof Uint8Array);
  assert.deepEqual([...t.data], [1, 2, 3, 4, 5, 250]);
});

test('encodes big-endian multi-byte types as derived by hand', () => {
  // short -2 is ff fe; float 1.5 is 0x3fc00000 (sign 0, exponent 127, mantissa .1b).
  assert.deepEqual(
    [...encodeIdx({ shape: [1], data: Int16Array.of(-2) })],
    [0, 0, 0x0b, 1, 0, 0, 0, 1, 0xff, 0xfe],
  );
  assert.deepEqual(
    [...encodeIdx({ shape: [1], data: Float32Array.of(1.5) })],
    [0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0],
  );
});

test('round-trips every type, plain and gzipped, through files', () => {
  const cases = [
    new Uint8Array([0, 1, 255, 7, 8, 9]),
    new Int8Array([-128, 0, 127, 1, 2, 3]),
    new Int16Array([-32768, 0, 32767, 1, 2, 3]),
    new Int32Array([-(2 ** 31), 0, 2 ** 31 - 1, 1, 2, 3]),
    new Float32Array([0.5, -1.25, 3e8, 0, 1, 2]),
    new Float64Array([Math.PI, -Math.E, 1e-300, 0, 1, 2]),
  ];
  for (const [i, data] of cases.entries()) {
    for (const gzip of [false, true]) {
      const path = join(dir, `t${i}${gzip ? '.gz' : ''}`);
      writeIdx(path, { shape: [3, 2], data }, { gzip });
      const back = readIdx(path);
      assert.deepEqual(back.shape, [3, 2]);
      assert.equal(back.data.constructor, data.constructor);
      assert.deepEqual([...back.data], [...data]);
    }
  }
});

test('bad magic names the file and offset', () => {
  const path = join(dir, 'bad-magic');
  writeFileSync(path, Uint8Array.from([0x50, 0x4b, 3, 4]));
  assert.throws(() => readIdx(path), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, /bad-magic: bad IDX magic at byte offset 0: expected 00 00, found 50 4b/);
    return true;
  });
});

test('unknown type names offset 2', () => {
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 0]), 'f.idx'), /f\.idx: unknown IDX type at byte offset 2: .*found 0a/);
});

test('truncated header and truncated data', () => {
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 8]), 'h'), /h: truncated at byte offset 3/);
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 2]), 'h2'), /h2: truncated at byte offset 8: expected 2 dimensions ending at offset 12/);
  const full = encodeIdx({ shape: [2, 2], data: Int32Array.of(1, 2, 3, 4) });
  assert.throws(() => parseIdx(full.subarray(0, full.length - 1), 'd'), /d: truncated at byte offset 27: dimensions \[2, 2\] of int need 28 bytes/);
});

test('trailing bytes are a size mismatch; gzipped errors use decompressed offsets', () => {
  const bytes = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3]);
  assert.throws(() => parseIdx(bytes, 'x'), /x: size does not match dimensions: .* end at byte offset 10, found 1 more bytes/);
  assert.throws(() => parseIdx(gzipSync(bytes), 'x.gz'), /x\.gz: .* decompressed byte offset 10/);
});

test('corrupt gzip is a DataError naming the file', () => {
  const gz = gzipSync(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 1, 5]));
  assert.throws(() => parseIdx(gz.subarray(0, 12), 'c.gz'), (e: unknown) => e instanceof DataError && /c\.gz: not a valid gzip stream/.test(e.message));
});

test('a missing file is a DataError naming it', () => {
  assert.throws(() => readIdx(join(dir, 'nope')), /nope: cannot read IDX file \(ENOENT\)/);
});
