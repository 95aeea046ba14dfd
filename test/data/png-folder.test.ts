import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { listPngFiles, loadPngFolder } from '../../src/data/png-folder.js';
import { DataError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = tempDir('pngdir');

/** Writes a w x h PNG whose pixel p has RGB rgb(p); colorType 0 stores gray, 2 stores RGB. */
function png(path: string, w: number, h: number, rgb: (p: number) => [number, number, number], colorType: 0 | 2 = 2): void {
  const img = new PNG({ width: w, height: h });
  for (let p = 0; p < w * h; p++) img.data.set([...rgb(p), 255], 4 * p);
  writeFileSync(path, PNG.sync.write(img, { colorType }));
}

function folder(name: string): string {
  const d = join(root, name);
  mkdirSync(d);
  return d;
}

test('reads PNGs in natural order as grayscale [0, 1], skipping other files', () => {
  const d = folder('ok');
  png(join(d, 'img10.png'), 2, 1, () => [255, 0, 0]);
  png(join(d, 'img2.png'), 2, 1, (p) => [p * 255, p * 255, p * 255], 0);
  png(join(d, 'IMG3.PNG'), 2, 1, () => [0, 0, 255]);
  writeFileSync(join(d, 'notes.txt'), 'not an image');
  assert.deepEqual(listPngFiles(d).map((f) => f.slice(d.length + 1)), ['img2.png', 'IMG3.PNG', 'img10.png']);
  const ds = loadPngFolder(d);
  assert.equal(ds.n, 3);
  assert.deepEqual(ds.shape, [1, 1, 2]);
  assert.equal(ds.features, 2);
  // Gray 0 and 255 stay exact; pure blue is 0.114 and pure red 0.299 (BT.601 luma).
  assert.deepEqual([...ds.x].map((v) => +v.toFixed(6)), [0, 1, 0.114, 0.114, 0.299, 0.299]);
  assert.equal(loadPngFolder(d, { limit: 1 }).n, 1);
});

test('a PNG of another size names the file and both sizes', () => {
  const d = folder('sizes');
  png(join(d, 'a.png'), 3, 2, () => [0, 0, 0]);
  png(join(d, 'b.png'), 2, 3, () => [0, 0, 0]);
  assert.throws(() => loadPngFolder(d), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, /b\.png: image 1 is 2x3 \(width x height\), expected 3x2 like .*a\.png/);
    return true;
  });
});

test('a corrupt PNG, an empty folder and a missing folder are DataErrors naming them', () => {
  const d = folder('corrupt');
  writeFileSync(join(d, 'bad.png'), 'this is not a png');
  assert.throws(() => loadPngFolder(d), (e: unknown) => e instanceof DataError && /bad\.png: not a readable PNG image/.test(e.message));
  const empty = folder('empty');
  assert.throws(() => loadPngFolder(empty), /empty: expected PNG images \(\*\.png\) in the folder, found none/);
  assert.throws(() => loadPngFolder(join(root, 'missing')), /missing: cannot read folder \(ENOENT\)/);
});

/** CRC-32 of PNG chunks (ISO 3309, polynomial 0xEDB88320), so a damaged stream keeps valid chunks. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

test('a PNG whose compressed image stream is cut short is refused naming the file, at every cut', () => {
  const dir = folder('truncated');
  const path = join(dir, 'noise.png');
  let s = 7;
  png(path, 12, 12, () => [(s = (s * 1103515245 + 12345) >>> 0) >>> 24, s & 255, (s >>> 8) & 255]);
  const whole = readFileSync(path);
  const at = whole.indexOf('IDAT') - 4;
  const length = whole.readUInt32BE(at);
  const stream = whole.subarray(at + 8, at + 8 + length);
  // Each cut is a well-formed file (valid chunk CRCs, an IEND) whose zlib stream stops early:
  // pngjs alone decoded most of these without a word, the missing rows left black.
  for (let cut = 1; cut < length; cut += 5) {
    writeFileSync(path, Buffer.concat([whole.subarray(0, at), chunk('IDAT', stream.subarray(0, cut)), chunk('IEND', new Uint8Array(0))]));
    assert.throws(() => loadPngFolder(dir), (e: unknown) => e instanceof DataError && e.message.startsWith(`${path}: not a readable PNG image`), `cut at ${cut} of ${length}`);
  }
  writeFileSync(path, whole);
  assert.equal(loadPngFolder(dir).n, 1);
});
