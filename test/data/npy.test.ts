import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy, parseNpy, readNpy, writeNpy } from '../../src/data/npy.js';
import { DataError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('npy');

/**
 * Builds a .npy file by hand: magic, version, little-endian header length, the dict padded with
 * spaces and a newline to a 64-byte boundary (NumPy's layout), then `data`.
 */
function npy(dict: string, data: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - pre - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), pre);
  out.set(data, total);
  return out;
}

function f64(values: number[]): Uint8Array {
  return new Uint8Array(Float64Array.from(values).buffer);
}

test('encodeNpy writes the bytes NumPy writes for np.save(np.array([1, 2], "<f4"))', () => {
  // The dict is 57 characters; 10 + 57 + "\n" = 68 rounds up to 128, so the header length is
  // 118 = 0x76 (57 characters, 60 spaces, a newline). 1.0f is 00 00 80 3f and 2.0f 00 00 00 40.
  // (Checked once against NumPy 2.4's np.save: identical bytes.)
  const bytes = encodeNpy(Float32Array.of(1, 2), [2]);
  assert.equal(bytes.length, 136);
  assert.deepEqual([...bytes.subarray(0, 10)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x76, 0]);
  const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  assert.equal(Buffer.from(bytes.subarray(10, 128)).toString('latin1'), dict + ' '.repeat(60) + '\n');
  assert.deepEqual([...bytes.subarray(128)], [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]);
});

test('round-trips float32 through a file', () => {
  const path = join(dir, 'rt.npy');
  const data = Float32Array.from({ length: 12 }, (_, i) => i / 3 - 1);
  writeNpy(path, data, [3, 4]);
  const back = readNpy(path);
  assert.deepEqual(back.shape, [3, 4]);
  assert.equal(back.dtype, 'f4');
  assert.deepEqual([...back.data], [...data]);
});

test('reads float64, uint8, int32 and int64, versions 2.0 and 3.0', () => {
  const a = parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", f64([0.5, -2, 1e10])), 'a');
  assert.deepEqual([...a.data], [0.5, -2, 1e10]);
  const b = parseNpy(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", Uint8Array.of(0, 1, 254, 255), 2), 'b');
  assert.deepEqual(b.shape, [2, 2]);
  assert.deepEqual([...b.data], [0, 1, 254, 255]);
  const c = parseNpy(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(Int32Array.of(-7, 9).buffer), 3), 'c');
  assert.deepEqual([...c.data], [-7, 9]);
  const d = parseNpy(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(BigInt64Array.of(-3n, 5n).buffer)), 'd');
  assert.deepEqual([...d.data], [-3, 5]);
});

test('converts Fortran order to C order', () => {
  // The 2x3 matrix [[1, 2, 3], [4, 5, 6]] in Fortran order is stored column by column: 1 4 2 5 3 6.
  const m = parseNpy(npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", f64([1, 4, 2, 5, 3, 6])), 'm');
  assert.deepEqual([...m.data], [1, 2, 3, 4, 5, 6]);
  // 3-D: element (i, j, k) of shape (2, 2, 2) sits at i + 2j + 4k in Fortran, 4i + 2j + k in C.
  const f = new Array<number>(8);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++) f[i + 2 * j + 4 * k] = 100 * i + 10 * j + k;
  const t = parseNpy(npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2, 2), }", f64(f)), 't');
  assert.deepEqual([...t.data], [0, 1, 10, 11, 100, 101, 110, 111]);
});

test('errors name the file, offset and what was expected', () => {
  const is = (re: RegExp) => (e: unknown) => e instanceof DataError && re.test(e.message);
  const path = join(dir, 'not.npy');
  writeFileSync(path, 'a,b\n1,2\n');
  assert.throws(() => readNpy(path), is(/not\.npy: bad \.npy magic at byte offset 0: expected 93 4e 55 4d 50 59/));
  assert.throws(
    () => parseNpy(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)), 'be.npy'),
    is(/be\.npy: in the header at byte offset 10: unsupported dtype '>f4' \(big-endian\): expected little-endian '<f4'/),
  );
  assert.throws(
    () => parseNpy(npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(16)), 'c.npy'),
    is(/c\.npy: .* unsupported dtype '<c16'/),
  );
  assert.throws(
    () => parseNpy(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)), 's.npy'),
    is(/s\.npy: .* found a structured dtype/),
  );
  // A 60-character dict rounds the header up to 128 bytes; four float32 values end at 144.
  const good = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array(16));
  assert.throws(() => parseNpy(good.subarray(0, good.length - 3), 't.npy'), is(/t\.npy: truncated at byte offset 141: shape \(2, 2\) of '<f4' needs data up to byte offset 144/));
  const long = new Uint8Array(good.length + 4);
  long.set(good);
  assert.throws(() => parseNpy(long, 'l.npy'), is(/l\.npy: size does not match shape: .* ends at byte offset 144, found 4 more bytes/));
  assert.throws(() => parseNpy(good.subarray(0, 40), 'h.npy'), is(/h\.npy: truncated at byte offset 40: the header ends at byte offset 128/));
  const v9 = good.slice();
  v9[6] = 9;
  assert.throws(() => parseNpy(v9, 'v.npy'), is(/v\.npy: unsupported \.npy version at byte offset 6/));
});
