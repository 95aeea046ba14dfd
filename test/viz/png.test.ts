import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { encodePng, tileImages, upscale, writePng } from '../../src/viz/png.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('viz');

test('encodes gray as 8-bit grayscale, clamping and rounding', () => {
  const bytes = encodePng({ width: 4, height: 1, channels: 1, data: Float32Array.of(-1, 0.5, 2, Number.NaN) });
  // IHDR starts at byte 16 (8 signature + 4 length + 4 "IHDR"): width, height, depth 8, colour type 0.
  assert.deepEqual([...bytes.subarray(16, 26)], [0, 0, 0, 4, 0, 0, 0, 1, 8, 0]);
  const back = PNG.sync.read(bytes);
  // 0.5 * 255 = 127.5 rounds to 128; -1 and NaN clamp to 0, 2 to 255.
  assert.deepEqual([0, 1, 2, 3].map((p) => back.data[4 * p]), [0, 128, 255, 0]);
});

test('encodes RGB as colour type 2 and writes files', () => {
  const path = join(dir, 'rgb.png');
  writePng(path, { width: 1, height: 2, channels: 3, data: Float32Array.of(1, 0, 0, 0, 0, 1) });
  const bytes = readFileSync(path);
  assert.equal(bytes[25], 2);
  const back = PNG.sync.read(bytes);
  assert.deepEqual([...back.data], [255, 0, 0, 255, 0, 0, 255, 255]);
  assert.throws(() => encodePng({ width: 2, height: 2, channels: 1, data: new Float32Array(3) }), UsageError);
});

test('tileImages lays tiles out with padding, as derived by hand', () => {
  // Three 1x2 tiles, 2 columns, pad 1: width 2*2 + 3*1 = 7, height 2*1 + 3*1 = 5.
  // Tile t sits at top = 1 + floor(t/2)*2, left = 1 + (t%2)*3; the rest is padding 0.5.
  const g = tileImages([Float32Array.of(0, 0.1), Float32Array.of(0.2, 0.3), Float32Array.of(0.4, 0.5)], 1, 2, { cols: 2 });
  assert.equal(g.width, 7);
  assert.equal(g.height, 5);
  const p = 0.5;
  const expected = [
    [p, p, p, p, p, p, p],
    [p, 0, 0.1, p, 0.2, 0.3, p],
    [p, p, p, p, p, p, p],
    [p, 0.4, 0.5, p, p, p, p],
    [p, p, p, p, p, p, p],
  ].flat();
  assert.deepEqual([...g.data].map((v) => +v.toFixed(6)), expected);
});

test('tileImages takes matrix rows and normalises per tile or globally', () => {
  // Two 1x2 tiles as one matrix: [-1, 1] and [2, 4]; pad 0 to read values directly.
  const m = Float32Array.of(-1, 1, 2, 4);
  assert.deepEqual([...tileImages(m, 1, 2, { cols: 2, pad: 0, normalize: 'per-tile' }).data], [0, 1, 0, 1]);
  // Global range is -1..4: (v + 1) / 5.
  assert.deepEqual([...tileImages(m, 1, 2, { cols: 2, pad: 0, normalize: 'global' }).data].map((v) => +v.toFixed(6)), [0, 0.4, 0.6, 1]);
  // 'none' keeps values as they are (clamping happens at encoding).
  assert.deepEqual([...tileImages(m, 1, 2, { cols: 2, pad: 0 }).data], [-1, 1, 2, 4]);
  // A flat tile shows mid-gray under per-tile normalisation.
  assert.deepEqual([...tileImages(Float32Array.of(3, 3), 1, 2, { pad: 0, normalize: 'per-tile' }).data], [0.5, 0.5]);
  assert.throws(() => tileImages(Float32Array.of(1, 2, 3), 1, 2), /not whole rows of 2/);
  assert.throws(() => tileImages([new Float32Array(3)], 1, 2), /tile 0 has 3 values, expected 1x2 = 2/);
});

test('default grid is square-ish, and upscale repeats pixels', () => {
  const g = tileImages(Array.from({ length: 5 }, () => new Float32Array(4)), 2, 2, { pad: 0 });
  // ceil(sqrt(5)) = 3 columns, 2 rows.
  assert.equal(g.width, 6);
  assert.equal(g.height, 4);
  const u = upscale({ width: 2, height: 1, channels: 1, data: Float32Array.of(0, 1) }, 2);
  assert.equal(u.width, 4);
  assert.deepEqual([...u.data], [0, 0, 1, 1, 0, 0, 1, 1]);
});
