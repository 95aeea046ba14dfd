/**
 * Hostile and broken input to every parser: each either reads the file or throws a DataError that
 * names it; never another error, a hang, or an allocation of what a header merely declares.
 * The property tests run a fixed seed in CI; AEKIT_FUZZ_RUNS=20000 npm test -- test/data/hostile.test.ts
 * runs longer locally.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import { createGzip } from 'node:zlib';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { parseCsv } from '../../src/data/csv.js';
import { encodeIdx, parseIdx } from '../../src/data/idx.js';
import { loadInputFile } from '../../src/data/load-input.js';
import { encodeNpy, parseNpy } from '../../src/data/npy.js';
import { decodePngGray } from '../../src/data/png-folder.js';
import { DataError } from '../../src/errors.js';
import { encodeSafetensors, parseSafetensors } from '../../src/io/safetensors.js';
import { tempDir } from '../helpers/temp-dir.js';

const runs = Number(process.env.AEKIT_FUZZ_RUNS ?? 300);
const dir = tempDir('hostile');

/** Calls `parse`; anything but success or a DataError naming `file` fails the property. */
function parsesOrRefuses(parse: () => unknown, file: string): void {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof DataError)) throw new Error(`expected a DataError, got ${(error as Error).stack}`);
    if (!error.message.startsWith(`${file}`)) throw new Error(`the message does not name the file: ${error.message}`);
  }
}

/** A valid file, then mutated: truncated, bytes overwritten, bytes inserted. */
const mutated = (valid: Uint8Array) => fc.tuple(
  fc.nat({ max: valid.length }),
  fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
  fc.uint8Array({ maxLength: 16 }),
).map(([cut, writes, extra]) => {
  const bytes = Uint8Array.from(valid);
  for (const [at, value] of writes) bytes[at] = value;
  return Uint8Array.from([...bytes.subarray(0, cut), ...extra]);
});

const idx = encodeIdx({ shape: [3, 2, 2], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) });
const idxGz = encodeIdx({ shape: [3, 2, 2], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) }, { gzip: true });
const npy = encodeNpy(Float32Array.of(0.5, -1, 2, 3), [2, 2]);
const tensors = encodeSafetensors({ a: { shape: [2], data: Float32Array.of(1, 2) }, b: { shape: [1, 2], data: Float32Array.of(3, 4) } }, { format: 'x' });
const png = (() => {
  const image = new PNG({ width: 3, height: 2 });
  image.data.fill(200);
  return new Uint8Array(PNG.sync.write(image));
})();

for (const [name, valid, parse] of [
  ['IDX', idx, (b: Uint8Array) => parseIdx(b, 'f.idx')],
  ['gzipped IDX', idxGz, (b: Uint8Array) => parseIdx(b, 'f.idx')],
  ['NPY', npy, (b: Uint8Array) => parseNpy(b, 'f.idx')],
  ['safetensors', tensors, (b: Uint8Array) => parseSafetensors(b, 'f.idx')],
  ['PNG', png, (b: Uint8Array) => decodePngGray(b, 'f.idx')],
] as const) {
  test(`${name}: truncated, overwritten and extended files parse or are refused with a DataError naming the file`, () => {
    fc.assert(fc.property(mutated(valid), (bytes) => parsesOrRefuses(() => parse(bytes), 'f.idx')), { seed: 2026, numRuns: runs });
  });
}

test('CSV: ragged rows, junk cells, NaN and Inf are refused with the line and column', () => {
  const cell = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String), fc.constantFrom('', 'NaN', 'Infinity', '1e999', 'x', '0x10', '"', ',,'));
  fc.assert(fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { maxLength: 6 }), (rows) => {
    parsesOrRefuses(() => parseCsv(rows.map((r) => r.join(',')).join('\n'), 'f.csv'), 'f.csv');
  }), { seed: 2026, numRuns: runs });
  assert.throws(() => parseCsv('1,2\n3,NaN\n', 'f.csv'), /^DataError: f\.csv:2:2: expected a finite number, found "NaN"/);
});

test('headers that declare far more than the file holds are refused before anything of that size is made', () => {
  // IDX: 3,000,000 images of 28x28 declared, a handful of bytes given.
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x00000803);
  view.setUint32(4, 3_000_000);
  view.setUint32(8, 28);
  view.setUint32(12, 28);
  assert.throws(() => parseIdx(header, 'big.idx'), /^DataError: big\.idx: truncated at byte offset 16: dimensions \[3000000, 28, 28\]/);
  // PNG: a 20000x20000 image declared in its header.
  const huge = Uint8Array.from(png);
  new DataView(huge.buffer).setUint32(16, 20_000);
  new DataView(huge.buffer).setUint32(20, 20_000);
  assert.throws(() => decodePngGray(huge, 'huge.png'), /^DataError: huge\.png: its header says 20000x20000 pixels, more than aekit reads in one image/);
});

test('a gzip bomb (a small file inflating to 200 MB) stops at what its header declares, without the memory', async () => {
  // The header declares 10 images of 28x28; 200 MB of zeros follow it.
  const bomb = join(dir, 'bomb-images-idx3-ubyte.gz');
  const gzip = createGzip();
  const done = once(gzip.pipe(createWriteStream(bomb)), 'finish');
  const head = new Uint8Array(16);
  const view = new DataView(head.buffer);
  [0x00000803, 10, 28, 28].forEach((v, i) => view.setUint32(4 * i, v));
  gzip.write(head);
  const zeros = new Uint8Array(1 << 20);
  for (let i = 0; i < 200; i++) if (!gzip.write(zeros)) await once(gzip, 'drain');
  gzip.end();
  await done;
  // In a process of its own, so its peak memory is its own.
  const code = `import { readIdx } from ${JSON.stringify(resolve('src/data/idx.ts'))};
    try { readIdx(${JSON.stringify(bomb)}); } catch (e) { console.log(e.message); }
    console.log(process.resourceUsage().maxRSS);`;
  const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', code], { encoding: 'utf8' });
  const [message, maxRss] = run.stdout.trim().split('\n');
  assert.match(message, /bomb-images-idx3-ubyte\.gz: inflates to more than the 7856 bytes its header declares/);
  assert.ok(Number(maxRss) < 250 * 1024, `peak RSS ${Math.round(Number(maxRss) / 1024)} MB`);
});

test('a FIFO, a link to /dev/zero and a folder given as a data file are refused at once', () => {
  const fifo = join(dir, 'pipe.npy');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assert.throws(() => loadInputFile(fifo), /pipe\.npy: expected a \.npy file, found a FIFO/);
  const zero = join(dir, 'zero.csv');
  symlinkSync('/dev/zero', zero);
  assert.throws(() => loadInputFile(zero), /zero\.csv: expected a CSV file, found a device/);
  mkdirSync(join(dir, 'folder.idx'));
  writeFileSync(join(dir, 'x.txt'), '1,2\n');
  assert.throws(() => loadInputFile(join(dir, 'folder.idx')), DataError);
});

test('safetensors: a hole between tensors or bytes after them are refused', () => {
  const header = (h: object) => {
    const json = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + json.length + 12);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    return out;
  };
  assert.throws(() => parseSafetensors(header({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }), 'h.st'),
    /^DataError: h\.st: bytes 4 to 8 of the data buffer belong to no tensor \(a hole before "b"\)/);
  assert.throws(() => parseSafetensors(header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }), 'h.st'),
    /^DataError: h\.st: bytes 8 to 12 of the data buffer belong to no tensor \(after the last one\)/);
});
