import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { writeIdx } from '../../src/data/idx.js';
import { inputKind, loadInputFile } from '../../src/data/load-input.js';
import { encodeNpy, writeNpy } from '../../src/data/npy.js';
import { DataError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = tempDir('input');

test('inputKind goes by extension, and folders are PNG images', () => {
  assert.equal(inputKind('a.npy'), 'npy');
  assert.equal(inputKind('a.CSV'), 'csv');
  assert.equal(inputKind('a.tsv'), 'csv');
  assert.equal(inputKind('train-images-idx3-ubyte'), 'idx');
  assert.equal(inputKind('train-images.idx3-ubyte'), 'idx');
  assert.equal(inputKind('x.idx'), 'idx');
  assert.equal(inputKind('x.idx3-ubyte.gz'), 'idx');
  assert.equal(inputKind(root), 'png-folder');
  assert.equal(inputKind('a.json'), undefined);
});

test('NPY: matrices, image stacks, uint8 pixels scaled, limit', () => {
  const m = join(root, 'm.npy');
  writeNpy(m, Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
  const a = loadInputFile(m, { limit: 2 });
  assert.deepEqual([a.n, a.features, a.shape], [2, 2, [2]]);
  assert.deepEqual([...a.x], [1, 2, 3, 4]);
  const imgs = join(root, 'imgs.npy');
  writeNpy(imgs, new Float32Array(2 * 3 * 4), [2, 3, 4]);
  assert.deepEqual(loadInputFile(imgs).shape, [1, 3, 4]);
  // A hand-made '|u1' file: 0 and 255 become 0 and 1.
  const f32 = encodeNpy(new Float32Array(1), [1]);
  const u1 = Buffer.from(f32.subarray(0, 128)).toString('latin1').replace("'<f4'", "'|u1'").replace('(1,)', '(2,)');
  const u1Path = join(root, 'u1.npy');
  writeFileSync(u1Path, Buffer.concat([Buffer.from(u1, 'latin1'), Buffer.from([0, 255])]));
  const b = loadInputFile(u1Path);
  assert.deepEqual([b.n, b.features], [2, 1]);
  assert.deepEqual([...b.x], [0, 1]);
});

test('NPY with NaN is rejected naming row and column', () => {
  const p = join(root, 'nan.npy');
  writeNpy(p, Float32Array.of(1, 2, 3, Number.NaN), [2, 2]);
  assert.throws(() => loadInputFile(p), (e: unknown) => e instanceof DataError && /nan\.npy: row 1, column 1 \(index 3\)/.test(e.message));
});

test('CSV, IDX and PNG folder inputs', () => {
  const csv = join(root, 'p.csv');
  writeFileSync(csv, 'a,b,c\n1,2,3\n4,5,6\n');
  const c = loadInputFile(csv);
  assert.deepEqual([c.n, c.features], [2, 3]);

  const idx = join(root, 'x-images-idx3-ubyte.gz');
  writeIdx(idx, { shape: [2, 1, 2], data: Uint8Array.of(0, 51, 102, 255) }, { gzip: true });
  const i = loadInputFile(idx);
  assert.deepEqual([i.n, i.features, i.shape], [2, 2, [1, 1, 2]]);
  assert.deepEqual([...i.x], [0, 0.2, 0.4, 1].map(Math.fround));

  const dir = join(root, 'pngs');
  mkdirSync(dir);
  const img = new PNG({ width: 1, height: 1 });
  img.data.set([255, 255, 255, 255]);
  writeFileSync(join(dir, 'a.png'), PNG.sync.write(img));
  const p = loadInputFile(dir);
  assert.deepEqual([p.n, p.features, [...p.x]], [1, 1, [1]]);
});

test('unknown kinds and missing files are DataErrors naming the path', () => {
  writeFileSync(join(root, 'model.json'), '{}');
  assert.throws(() => loadInputFile(join(root, 'model.json')), /model\.json: unknown kind of input: expected \.npy, \.csv/);
  // A path that is not there is named as missing, whatever its ending.
  assert.throws(() => loadInputFile(join(root, 'nothing.json')), /nothing\.json: no such file or folder/);
  assert.throws(() => loadInputFile(join(root, 'gone.npy')), /gone\.npy: no such file or folder/);
});
