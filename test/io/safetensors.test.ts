import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors, halfToFloat, parseSafetensors, readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { DataError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('st');

/** A file by hand: u64 LE length, the header text padded with spaces to 8, then `data`. */
function build(header: string | object, data: number[] = []): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const n = Math.ceil(text.length / 8) * 8;
  const out = new Uint8Array(8 + n + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(new TextEncoder().encode(text.padEnd(n, ' ')), 8);
  out.set(data, 8 + n);
  return out;
}

const is = (re: RegExp) => (e: unknown) => e instanceof DataError && re.test(e.message);

test('encodes the byte layout derived by hand', () => {
  // Tensor "a" = float32 [1, -2], metadata {format: "pt"}. The header JSON is
  //   {"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}
  // which is 85 bytes; padded with 3 spaces to 88 = 0x58. So the file is
  //   58 00 00 00 00 00 00 00 | 85 bytes of JSON, 3 spaces | 00 00 80 3f | 00 00 00 c0
  // (1.0f = 0x3f800000 and -2.0f = 0xc0000000, little-endian), 8 + 88 + 8 = 104 bytes.
  const json = '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  assert.equal(json.length, 85);
  const expected = [0x58, 0, 0, 0, 0, 0, 0, 0, ...Buffer.from(json + '   '), 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0];
  const bytes = encodeSafetensors({ a: { shape: [2], data: Float32Array.of(1, -2) } }, { format: 'pt' });
  assert.equal(bytes.length, 104);
  assert.deepEqual([...bytes], expected);
  const back = parseSafetensors(Uint8Array.from(expected), 'hand.safetensors');
  assert.deepEqual(back.metadata, { format: 'pt' });
  assert.deepEqual(back.tensors.get('a')?.shape, [2]);
  assert.deepEqual([...back.tensors.get('a')!.data], [1, -2]);
});

test('round-trips tensors sorted by name, with metadata, through a file', () => {
  const path = join(dir, 'model.safetensors');
  const w = Float32Array.from({ length: 6 }, (_, i) => i * 0.1 - 0.3);
  const b = Float32Array.of(0.5, Number.NEGATIVE_INFINITY, 3);
  writeSafetensors(path, new Map([['encoder.0.weight', { shape: [2, 3], data: w }], ['encoder.0.bias', { shape: [3], data: b }], ['empty', { shape: [0, 4], data: new Float32Array(0) }]]), { format: 'aekit', note: 'é ✓' });
  const back = readSafetensors(path);
  assert.deepEqual([...back.tensors.keys()], ['empty', 'encoder.0.bias', 'encoder.0.weight']);
  assert.deepEqual([...back.tensors.get('encoder.0.weight')!.data], [...w]);
  assert.deepEqual([...back.tensors.get('encoder.0.bias')!.data], [...b]);
  assert.deepEqual(back.tensors.get('empty')!.shape, [0, 4]);
  assert.deepEqual(back.metadata, { format: 'aekit', note: 'é ✓' });
  // No metadata: no "__metadata__" key at all.
  const plain = encodeSafetensors({ x: { shape: [1], data: Float32Array.of(1) } });
  assert.ok(!Buffer.from(plain).toString('latin1').includes('__metadata__'));
});

test('U32 words: written little-endian by hand, read back apart from the floats, and checked like them', () => {
  // Header {"c":{"dtype":"U32","shape":[2],"data_offsets":[0,8]}} (55 bytes, padded to 56), then
  // 0x01020304 and 0xffffffff little-endian: 04 03 02 01 | ff ff ff ff.
  const json = '{"c":{"dtype":"U32","shape":[2],"data_offsets":[0,8]}}';
  const bytes = encodeSafetensors({ c: { shape: [2], data: Uint32Array.of(0x01020304, 0xffffffff) } });
  assert.deepEqual([...bytes], [...build(json, [4, 3, 2, 1, 0xff, 0xff, 0xff, 0xff])]);
  const back = parseSafetensors(encodeSafetensors({ c: { shape: [1, 2], data: Uint32Array.of(7, 2 ** 32 - 2) }, f: { shape: [1], data: Float32Array.of(0.5) } }), 'mixed');
  assert.deepEqual([...back.words.keys(), ...back.tensors.keys()], ['c', 'f']);
  assert.deepEqual([...back.words.get('c')!.data], [7, 2 ** 32 - 2]);
  assert.throws(() => parseSafetensors(build({ c: { dtype: 'U32', shape: [3], data_offsets: [0, 8] } }, [0, 0, 0, 0, 0, 0, 0, 0]), 'short'), is(/short: tensor "c": shape \[3\] of U32 needs 12 bytes/));
});

test('tensors at offsets that are not a multiple of 4, read from a file (a Buffer), come out whole', () => {
  // An F16 tensor of one value (2 bytes), then F32 1.0 and U32 5 at offsets 2 and 6.
  const path = join(dir, 'unaligned.safetensors');
  writeFileSync(path, build({
    h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] }, f: { dtype: 'F32', shape: [1], data_offsets: [2, 6] }, u: { dtype: 'U32', shape: [1], data_offsets: [6, 10] },
  }, [0x00, 0x3c, 0, 0, 0x80, 0x3f, 5, 0, 0, 0]));
  const back = readSafetensors(path);
  assert.deepEqual([back.tensors.get('h')!.data[0], back.tensors.get('f')!.data[0], back.words.get('u')!.data[0]], [1, 1, 5]);
});

test('reads F64, F16 and BF16 as float32', () => {
  // F16: 3c00 = 1, c000 = -2, 0001 = 2^-24 (smallest subnormal), 7c00 = +Inf.
  // BF16: 3f80 is the top half of 1.0f (3f800000), c040 of -3.0f (c0400000).
  const f64 = [...new Uint8Array(Float64Array.of(0.25, -8).buffer)];
  const bytes = build(
    {
      d: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
      h: { dtype: 'F16', shape: [2, 2], data_offsets: [16, 24] },
      g: { dtype: 'BF16', shape: [2], data_offsets: [24, 28] },
    },
    [...f64, 0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x00, 0x7c, 0x80, 0x3f, 0x40, 0xc0],
  );
  const t = parseSafetensors(bytes, 'mixed').tensors;
  assert.deepEqual([...t.get('d')!.data], [0.25, -8]);
  assert.deepEqual([...t.get('h')!.data], [1, -2, Math.fround(2 ** -24), Infinity]);
  assert.deepEqual([...t.get('g')!.data], [1, -3]);
  assert.equal(halfToFloat(0x3555), 0.333251953125);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
});

test('header errors: length beyond file, bad JSON, not an object, bad metadata', () => {
  const big = new Uint8Array(16);
  new DataView(big.buffer).setBigUint64(0, 1000n, true);
  assert.throws(() => parseSafetensors(big, 'big.st'), is(/^big\.st: header length 1000 at byte offset 0 goes beyond the file of 16 bytes$/));
  assert.throws(() => parseSafetensors(new Uint8Array(5), 'tiny.st'), is(/^tiny\.st: truncated at byte offset 5/));
  assert.throws(() => parseSafetensors(build('{"a": '), 'json.st'), is(/^json\.st: bad JSON header at byte offset 8 \(8 bytes\)/));
  assert.throws(() => parseSafetensors(build('[1,2]'), 'arr.st'), is(/arr\.st: .* expected a JSON object, found an array/));
  assert.throws(() => parseSafetensors(build({ __metadata__: { v: 1 } }), 'meta.st'), is(/meta\.st: "__metadata__"\."v" must be a string, found 1/));
});

test('tensor errors name the file and the tensor', () => {
  const f32 = (offsets: number[], shape = [2]) => ({ dtype: 'F32', shape, data_offsets: offsets });
  const data = new Array(16).fill(0);
  assert.throws(() => parseSafetensors(build({ w: f32([0, 24], [6]) }, data), 'range.st'), is(/^range\.st: tensor "w": data_offsets \[0, 24\] out of range: expected begin <= end <= 16/));
  assert.throws(() => parseSafetensors(build({ w: f32([0, 12]) }, data), 'size.st'), is(/^size\.st: tensor "w": shape \[2\] of F32 needs 8 bytes, data_offsets \[0, 12\] hold 12$/));
  assert.throws(() => parseSafetensors(build({ a: f32([0, 8]), b: f32([4, 12]) }, data), 'overlap.st'), is(/^overlap\.st: tensor "b" data_offsets \[4, 12\] overlap tensor "a" \[0, 8\]$/));
  assert.throws(() => parseSafetensors(build({ w: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), 'dtype.st'), is(/^dtype\.st: tensor "w": unsupported dtype "I32": expected F32, F64, F16, BF16, I64 or U32$/));
  assert.throws(() => parseSafetensors(build({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, data), 'shape.st'), is(/shape\.st: tensor "w": expected shape to be an array of non-negative integers/));
  assert.throws(() => parseSafetensors(build({ w: { dtype: 'F32', shape: [1] } }, data), 'off.st'), is(/off\.st: tensor "w": expected data_offsets \[begin, end\]/));
  const path = join(dir, 'short.safetensors');
  writeFileSync(path, build({ w: f32([0, 8]) }, [0, 0, 0]));
  assert.throws(() => readSafetensors(path), is(/short\.safetensors: tensor "w": data_offsets \[0, 8\] out of range: expected begin <= end <= 3/));
  assert.throws(() => readSafetensors(join(dir, 'none.safetensors')), is(/none\.safetensors: cannot read safetensors file \(ENOENT\)/));
});
