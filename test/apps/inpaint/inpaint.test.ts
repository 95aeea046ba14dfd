/**
 * Inpainting: masks as written and drawn, the fills against data whose hole is known to be
 * recoverable (rows exactly in a subspace, and a linear autoencoder that spans it), and PSNR on
 * the hole by hand.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { writeFileSync } from 'node:fs';
import {
  centreSquare, codePrior, defaultInpaintMethod, fillHoles, fitCodes, holePsnr, inpaintEval, iterateFill, makeMask, onePassFill, parseMask, pcaProjection,
} from '../../../src/apps/inpaint/inpaint.js';
import { transformRows } from '../../../src/run/transform.js';
import { loadData } from '../../../src/data/load-data.js';
import { HOLE_VALUE } from '../../../src/nn/holes.js';
import { convModel, inpaintModel } from '../../../src/models/presets.js';
import type { Matrix } from '../../../src/data/dataset.js';
import { DataError, UsageError } from '../../../src/errors.js';
import { fitPca } from '../../../src/linalg/pca.js';
import { Autoencoder } from '../../../src/models/autoencoder.js';
import { subspaceData } from '../../helpers/subspace-data.js';
import { tempDir } from '../../helpers/temp-dir.js';

const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test(e.message);

test('masks as written: rectangles, random pixels, PNG files; bad ones say what was expected', () => {
  assert.deepEqual(parseMask('rect:8,8,12,12'), { kind: 'rect', x: 8, y: 8, width: 12, height: 12 });
  assert.deepEqual(parseMask('random:0.25'), { kind: 'random', p: 0.25 });
  assert.deepEqual(parseMask('hole.PNG'), { kind: 'file', path: 'hole.PNG' });
  assert.deepEqual(centreSquare([28, 28], 12), { kind: 'rect', x: 8, y: 8, width: 12, height: 12 });
  assert.throws(() => parseMask('rect:1,2,3'), usage(/expected rect:X,Y,W,H with four whole numbers/));
  assert.throws(() => parseMask('rect:1,2,-3,4'), usage(/four whole numbers/));
  assert.throws(() => parseMask('rect:1,2,0,4'), usage(/the rectangle is empty/));
  assert.throws(() => parseMask('random:1'), usage(/probability must be a number in \(0, 1\)/));
  assert.throws(() => parseMask('circle:3'), usage(/expected rect:X,Y,W,H .* random:P .* or a PNG file \(white = missing\)/));
});

test('a rectangle covers exactly its pixels in every image; outside the image it is refused', () => {
  const mask = makeMask(parseMask('rect:1,2,3,2'), [4, 5], 2);
  // Rows 2 and 3, columns 1 to 3, of a 4-row, 5-column image.
  const one = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0];
  assert.deepEqual([...mask.missing], [...one, ...one]);
  assert.throws(() => makeMask(parseMask('rect:3,0,3,1'), [4, 5], 1), usage(/rect:3,0,3,1: reaches outside the 5x4 image \(columns 3\.\.5, rows 0\.\.0\)/));
  assert.throws(() => makeMask(parseMask('rect:0,3,1,2'), [4, 5], 1), usage(/reaches outside/));
});

test('random masks are drawn per image from the seed; PNG masks must match the image size', () => {
  const a = makeMask(parseMask('random:0.3'), [10, 10], 50, 7);
  const share = a.missing.reduce((s, v) => s + v, 0) / a.missing.length;
  assert.ok(Math.abs(share - 0.3) < 0.03, `share ${share}`);
  assert.notDeepEqual(a.missing.subarray(0, 100), a.missing.subarray(100, 200));
  assert.deepEqual(makeMask(parseMask('random:0.3'), [10, 10], 50, 7).missing, a.missing);

  const dir = tempDir('inpaint-mask');
  const png = (w: number, h: number, white: number[]) => {
    const image = new PNG({ width: w, height: h });
    image.data.fill(0);
    for (let p = 0; p < w * h; p++) {
      const v = white.includes(p) ? 255 : 0;
      image.data.set([v, v, v, 255], 4 * p);
    }
    const path = join(dir, `${w}x${h}-${white.length}.png`);
    writeFileSync(path, PNG.sync.write(image));
    return path;
  };
  const fromFile = makeMask(parseMask(png(3, 2, [1, 5])), [2, 3], 2);
  assert.deepEqual([...fromFile.missing], [0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1]);
  assert.throws(() => makeMask(parseMask(png(4, 2, [1])), [2, 3], 1), (e: unknown) => e instanceof DataError && /4x2-1\.png: a 4x2 mask, but the images are 3x2/.test(e.message));
  assert.throws(() => makeMask(parseMask(png(3, 2, [])), [2, 3], 1), (e: unknown) => e instanceof DataError && /no white pixel, so nothing is missing/.test(e.message));
});

test('PSNR on the hole by hand; known pixels never change', () => {
  const truth: Matrix = { x: Float32Array.of(0.1, 0.5, 0.9, 0.3), n: 2, features: 2 };
  const mask = { missing: Uint8Array.of(0, 1, 1, 0), n: 2, features: 2 };
  // Holes: 0.5 filled with 0.4, 0.9 filled with 0.6: mse = (0.01 + 0.09) / 2 = 0.05, PSNR = 10·log10(20) = 13.0103 dB.
  const filled: Matrix = { x: Float32Array.of(0.1, 0.4, 0.6, 0.3), n: 2, features: 2 };
  assert.ok(Math.abs(holePsnr(truth, filled, mask) - 10 * Math.log10(20)) < 1e-5);
  const mean = fillHoles(truth, mask, Float32Array.of(0.25, 0.75));
  assert.deepEqual([...mean.x], [...Float32Array.of(0.1, 0.75, 0.25, 0.3)]);
  // A projection that returns 7 everywhere changes only the holes.
  const iterated = iterateFill(mean, mask, (x) => ({ ...x, x: new Float32Array(x.x.length).fill(7) }), 3);
  assert.deepEqual([...iterated.x], [...Float32Array.of(0.1, 7, 7, 0.3)]);
});

test('rows in a subspace: PCA\'s iteration and the fitted codes of a linear autoencoder spanning it both recover the hole', () => {
  // 6x6 images exactly in a 3-dimensional affine subspace: the 32 known pixels of each pin down its
  // 3 coordinates, so the 4 missing ones follow.
  const { data, directions } = subspaceData(300, 36, [3, 2, 1], 0, 4);
  const mask = makeMask(parseMask('rect:2,2,2,2'), [6, 6], data.n);
  const start = fillHoles(data, mask, new Float32Array(36).fill(0.5));
  const pca = fitPca(data, { components: 3 });
  const byPca = iterateFill(start, mask, pcaProjection(pca), 300);
  assert.ok(holePsnr(data, byPca, mask) > 40, `PCA ${holePsnr(data, byPca, mask)} dB`);
  assert.ok(holePsnr(data, start, mask) < 15);

  // The linear autoencoder x = 0.5 + Dᵀh, h = D(x − 0.5), with D the subspace's directions.
  const model = Autoencoder.create({ input: [36], encoder: [{ type: 'dense', units: 3, activation: 'identity' }], decoder: 'mirror', output: { activation: 'identity', loss: 'mse' } });
  const [w1, b1, w2, b2] = model.parameters().map((p) => p.tensor.data);
  for (let c = 0; c < 3; c++) {
    let dot = 0;
    for (let j = 0; j < 36; j++) {
      w1[c * 36 + j] = directions[c * 36 + j];
      w2[j * 3 + c] = directions[c * 36 + j];
      dot += directions[c * 36 + j] * 0.5;
    }
    b1[c] = -dot;
  }
  b2.fill(0.5);
  const byCode = fitCodes(model, start, mask, { prior: codePrior(model, data), priorWeight: 1e-6, steps: 400 });
  assert.ok(holePsnr(data, byCode, mask) > 40, `fitted codes ${holePsnr(data, byCode, mask)} dB`);
  for (let i = 0; i < data.x.length; i++) if (!mask.missing[i]) assert.equal(byCode.x[i], data.x[i]);
  // Iterating the same model is PCA's iteration with the same subspace: as good.
  const evaluated = inpaintEval(model, data, data, mask, pca, { method: 'iterate', iterations: 300 });
  assert.ok(evaluated.psnr.model > 40 && evaluated.psnr.pca > 40 && evaluated.psnr.mean < evaluated.psnr.pca, JSON.stringify(evaluated.psnr));
});

test('one pass: a model trained with holes reads missing pixels as −1, as in its training, and only the hole changes', () => {
  const model = Autoencoder.create(inpaintModel(), 3);
  assert.deepEqual([defaultInpaintMethod(model), defaultInpaintMethod(Autoencoder.create(convModel(), 3))], ['one-pass', 'fit-code']);
  const digits = loadData('mnist', { split: 'test', limit: 6 });
  const mask = makeMask(parseMask('rect:8,8,12,12'), [28, 28], digits.n);
  const filled = onePassFill(model, digits, mask);
  const marked = digits.x.slice();
  const zeroed = digits.x.slice();
  for (let i = 0; i < marked.length; i++) {
    if (mask.missing[i]) [marked[i], zeroed[i]] = [HOLE_VALUE, 0];
  }
  const drawn = transformRows(model, 'reconstruct', { x: marked, n: digits.n, features: 784 }).x;
  const drawnFromZeros = transformRows(model, 'reconstruct', { x: zeroed, n: digits.n, features: 784 }).x;
  let differs = 0;
  for (let i = 0; i < marked.length; i++) {
    assert.equal(filled.x[i], mask.missing[i] ? drawn[i] : digits.x[i]);
    if (mask.missing[i] && drawn[i] !== drawnFromZeros[i]) differs++;
  }
  // The mark reaches the net: a hole of zeros would be drawn otherwise.
  assert.ok(differs > 0);
  assert.equal(inpaintEval(model, digits, digits, mask, fitPca(digits, { components: 3 })).psnr.model, holePsnr(digits, filled, mask));
});
