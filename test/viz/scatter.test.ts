import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { CLASS_COLOURS, scatterPlot } from '../../src/viz/scatter.js';

function pixel(image: ReturnType<typeof scatterPlot>, x: number, y: number): number[] {
  const o = (y * image.width + x) * 3;
  return [...image.data.subarray(o, o + 3)];
}

function count(image: ReturnType<typeof scatterPlot>, colour: readonly number[]): number {
  let c = 0;
  for (let p = 0; p < image.width * image.height; p++) {
    if (Math.abs(image.data[3 * p] - colour[0]) < 1e-6 && Math.abs(image.data[3 * p + 1] - colour[1]) < 1e-6 && Math.abs(image.data[3 * p + 2] - colour[2]) < 1e-6) c++;
  }
  return c;
}

test('ten colours, all distinct', () => {
  assert.equal(CLASS_COLOURS.length, 10);
  const keys = new Set(CLASS_COLOURS.map((c) => c.join(',')));
  assert.equal(keys.size, 10);
});

test('two panels side by side, with a legend; points land where their coordinates say', () => {
  // Panel of 100 px: margin 12, so panel 0 spans x 12..111 and panel 1 x 124..223; the legend
  // adds 44 px: width = 2 · (100 + 12) + 12 + 44 = 280, height = 100 + 24 = 124.
  const points = Float32Array.of(0, 0, 1, 1, -1, -1);
  const image = scatterPlot([{ points, labels: [0, 3, 3] }, { points, labels: [1, 1, 1] }], { size: 100, radius: 0, clip: 0 });
  assert.equal(image.channels, 3);
  assert.equal(image.width, 280);
  assert.equal(image.height, 124);
  // The view is [-1, 1] padded by 5%: the point (0, 0) sits in the middle of the panel.
  // inner = 100 − 2·(0 + 2) = 96; x = 12 + 2 + round(0.5 · 96) = 62; y likewise.
  assert.deepEqual(pixel(image, 62, 62), [...CLASS_COLOURS[0]].map(Math.fround));
  assert.deepEqual(pixel(image, 124 + 50, 62), [...CLASS_COLOURS[1]].map(Math.fround));
  // Class 3 has two one-pixel points in panel 0 (and its legend dot of 9 × 9 pixels).
  assert.equal(count(image, CLASS_COLOURS[3]), 2 + 81);
  // The frame's corner is dark; the background white.
  assert.ok(pixel(image, 12, 12).every((v) => v < 0.3));
  assert.deepEqual(pixel(image, 2, 2), [1, 1, 1]);
});

test('no labels: one colour and no legend; outliers are clipped out of view', () => {
  const points = new Float32Array(2 * 1000);
  for (let i = 0; i < 1000; i++) {
    points[2 * i] = Math.cos(i);
    points[2 * i + 1] = Math.sin(i);
  }
  points[0] = 1e6; // one wild point must not squeeze the circle into a corner
  const image = scatterPlot([{ points }], { size: 200 });
  assert.equal(image.width, 200 + 24);
  const blue = count(image, CLASS_COLOURS[0]);
  assert.ok(blue > 500, `${blue} blue pixels`);
});

test('bad input is a usage error', () => {
  assert.throws(() => scatterPlot([]), UsageError);
  assert.throws(() => scatterPlot([{ points: [1, 2, 3] }]), /pairs/);
  assert.throws(() => scatterPlot([{ points: [1, 2], labels: [0, 1] }]), /2 labels for 1 points/);
});
