/** Holes as training noise: one rectangle or scattered pixels per image, marked −1, the same in every channel; the spec, and the noise layer. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { drawHoles, HOLE_VALUE, imagePlane } from '../../src/nn/holes.js';
import { formatNoise, NoiseLayer, parseNoise } from '../../src/nn/noise.js';
import { Tensor } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';

/** The bounding box of an image's missing pixels, and how many there are. */
function missingBox(keep: Float32Array, at: number, h: number, w: number) {
  let [top, left, bottom, right, count] = [h, w, -1, -1, 0];
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if (keep[at + r * w + c] !== 0) continue;
      count++;
      [top, left, bottom, right] = [Math.min(top, r), Math.min(left, c), Math.max(bottom, r), Math.max(right, c)];
    }
  }
  return { height: bottom - top + 1, width: right - left + 1, count };
}

test('holes: each image loses one rectangle of sides from a seventh of its side up to the largest, or scattered pixels; about half each', () => {
  const [n, h, w] = [400, 28, 21];
  const keep = new Float32Array(n * h * w);
  const fill = new Float32Array(n * h * w);
  drawHoles(keep, fill, new Prng(3), [1, h, w], 0.5);
  let rectangles = 0;
  for (let i = 0; i < n; i++) {
    const at = i * h * w;
    for (let j = at; j < at + h * w; j++) assert.equal(fill[j], keep[j] === 0 ? HOLE_VALUE : 0);
    const box = missingBox(keep, at, h, w);
    assert.ok(box.count > 0);
    if (box.count === box.height * box.width && box.height <= 14 && box.width <= 11 && box.height >= 4 && box.width >= 3) rectangles++;
  }
  // A scattered draw of 10% or more of 588 pixels is never a full small rectangle; rectangles
  // always are: so the count is the number of rectangles drawn, about half of 400.
  assert.ok(rectangles > 160 && rectangles < 240, `${rectangles} rectangles`);
});

test('holes: the rectangle share sets how many images lose a rectangle (0.8 of 400 here; none at 0, all at 1)', () => {
  const [n, h, w] = [400, 28, 21];
  const count = (share: number) => {
    const keep = new Float32Array(n * h * w);
    drawHoles(keep, new Float32Array(keep.length), new Prng(5), [1, h, w], 0.5, share);
    let rectangles = 0;
    for (let i = 0; i < n; i++) {
      const box = missingBox(keep, i * h * w, h, w);
      if (box.count === box.height * box.width && box.height <= 14 && box.width <= 11 && box.height >= 4 && box.width >= 3) rectangles++;
    }
    return rectangles;
  };
  const most = count(0.8);
  assert.ok(most > 290 && most < 350, `${most} rectangles`);
  assert.equal(count(0), 0);
  assert.equal(count(1), n);
});

test('holes: every channel loses the same pixels; a flat square image is read as square', () => {
  const keep = new Float32Array(2 * 3 * 8 * 8);
  drawHoles(keep, new Float32Array(keep.length), new Prng(1), [3, 8, 8], 1);
  for (let i = 0; i < 2; i++) {
    for (let c = 1; c < 3; c++) {
      assert.deepEqual(keep.subarray((i * 3 + c) * 64, (i * 3 + c + 1) * 64), keep.subarray(i * 3 * 64, (i * 3 + 1) * 64));
    }
  }
  assert.deepEqual(imagePlane([784]), [28, 28]);
  assert.deepEqual(imagePlane([1, 28, 30]), [28, 30]);
  assert.deepEqual(imagePlane([10]), [1, 10]);
});

test('holes spec: parsed, written back, bounded; the noise layer marks holes while training and passes the input at inference', () => {
  assert.deepEqual(parseNoise('holes:0.6'), { kind: 'holes', largest: 0.6 });
  assert.equal(formatNoise(parseNoise('holes:0.6')), 'holes:0.6');
  assert.deepEqual(parseNoise('holes:0.6,0.8'), { kind: 'holes', largest: 0.6, rectangles: 0.8 });
  assert.equal(formatNoise(parseNoise('holes:0.6, 0.8')), 'holes:0.6,0.8');
  for (const bad of ['holes:0.6,1.5', 'holes:0.6,-0.1', 'holes:0.6,x']) {
    assert.throws(() => parseNoise(bad), (e) => e instanceof UsageError && /share of images that lose a rectangle must be a number in \[0, 1\]/.test(e.message), bad);
  }
  assert.throws(() => parseNoise('holes:0.6,0.8,1'), (e) => e instanceof UsageError && /expected holes:LARGEST or holes:LARGEST,RECTANGLES/.test(e.message));
  for (const bad of ['holes:0', 'holes:1.5', 'holes:x']) {
    assert.throws(() => parseNoise(bad), (e) => e instanceof UsageError && /largest hole's side, as a share of the image's, must be a number in \(0, 1\]/.test(e.message), bad);
  }
  const layer = new NoiseLayer({ type: 'noise', spec: 'holes:0.5' }, [1, 10, 10]);
  const x = new Tensor(new Float32Array(300).fill(0.5), [3, 1, 10, 10]);
  const noisy = layer.forward(x, { training: true, rng: new Prng(2) }).data;
  assert.ok(noisy.every((v) => v === 0.5 || v === HOLE_VALUE) && noisy.includes(HOLE_VALUE));
  assert.equal(layer.forward(x, { training: false, rng: null }), x);
});
