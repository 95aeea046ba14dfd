/**
 * Timing im2col against direct for `aekit tune` (src/backend/native/conv-timing.ts), on stand-in
 * kernels that take a known wall time per algorithm: an obvious winner stops the measurement
 * early, a tie runs to the most repetitions, the faster is chosen, the addon is left on 'auto',
 * and every pass gets inputs apart from the buffer it writes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConvGeometry } from '../../src/backend/backend.js';
import { ConvWorkspace, measureConvChoice, type ConvKernels } from '../../src/backend/native/conv-timing.js';
import type { ConvAlgorithm, ConvPass } from '../../src/backend/native/tuning.js';

const g: ConvGeometry = { batch: 4, inChannels: 2, inHeight: 6, inWidth: 6, outChannels: 3, outHeight: 3, outWidth: 3,
  kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 };

/** Kernels that spin for `ms[algo]` milliseconds of wall time and note what they were given. */
function standIn(ms: Record<ConvAlgorithm, number>) {
  let algo: 'auto' | ConvAlgorithm = 'auto';
  const seen: { pass: ConvPass; algo: string; reads: Float32Array[]; writes: Float32Array; batch: number; how?: string }[] = [];
  const spin = (pass: ConvPass, reads: Float32Array[], writes: Float32Array, geometry: ConvGeometry, how?: string) => {
    seen.push({ pass, algo, reads, writes, batch: geometry.batch, how });
    const t0 = performance.now();
    while (performance.now() - t0 < ms[algo as ConvAlgorithm]);
  };
  const kernels: ConvKernels = {
    conv2dForward: (x, w, b, y, geometry, act, slope) => spin('forward', b ? [x, w, b] : [x, w], y, geometry, `${b ? 'bias' : 'none'} ${act} ${slope}`),
    conv2dBackwardInput: (dy, w, dx, geometry) => spin('backwardInput', [dy, w], dx, geometry),
    conv2dBackwardFilter: (x, dy, dw, geometry) => spin('backwardFilter', [x, dy], dw, geometry),
  };
  return { kernels, seen, force: (a: 'auto' | ConvAlgorithm) => { algo = a; }, algo: () => algo };
}

test('an obvious winner is chosen after two pairs of calls, and the addon is left on auto', () => {
  const s = standIn({ im2col: 2, direct: 0.2 });
  const c = measureConvChoice(s.kernels, s.force, 'im2col', 'forward', g);
  assert.equal(c.algorithm, 'direct');
  assert.equal(c.rule, 'im2col');
  // Two pairs when both ratios are beyond 1.5; a third only if a delay on a loaded machine hid one.
  assert.ok(c.reps! <= 3, `${c.reps} repetitions`);
  assert.equal(s.seen.length, 2 * c.reps!, 'every pair of calls timed');
  assert.ok(c.im2colMs >= 2 && c.directMs >= 0.2 && c.directMs < c.im2colMs);
  assert.deepEqual(c.geometry, g);
  assert.equal(s.algo(), 'auto');
  // Alternating, the order flipped every other pair.
  assert.deepEqual(s.seen.slice(0, 4).map((x) => x.algo), ['im2col', 'direct', 'direct', 'im2col']);
});

test('a tie runs to the most repetitions and keeps the built-in rule', () => {
  const s = standIn({ im2col: 0.3, direct: 0.3 });
  const c = measureConvChoice(s.kernels, s.force, 'direct', 'backwardFilter', g, new ConvWorkspace(), { maxReps: 5 });
  // Delays only add time, so neither fastest call can be 15% below the other: never clear.
  assert.equal(c.reps, 5);
  assert.equal(c.algorithm, 'direct', 'a close call keeps the rule');
  assert.ok(s.seen.every((x) => x.pass === 'backwardFilter'));
});

test('each pass reads its inputs and writes a buffer apart from them, at the batch it trains with', () => {
  const ws = new ConvWorkspace();
  for (const pass of ['forward', 'backwardInput', 'backwardFilter'] as const) {
    const s = standIn({ im2col: 0, direct: 0 });
    measureConvChoice(s.kernels, s.force, 'im2col', pass, g, ws, { maxReps: 1 });
    for (const call of s.seen) {
      assert.equal(call.batch, g.batch);
      assert.ok(call.reads.every((r) => r.buffer !== call.writes.buffer), `${pass} writes into an input`);
    }
    const [a, b] = s.seen[0].reads;
    const sizes = { forward: [4 * 2 * 36, 3 * 2 * 9], backwardInput: [4 * 3 * 9, 3 * 2 * 9], backwardFilter: [4 * 2 * 36, 4 * 3 * 9] }[pass];
    assert.deepEqual([a.length, b.length], sizes);
    assert.ok(a.some((v) => v !== 0) && a.every((v) => v >= -0.5 && v < 0.5));
  }
});

test('a forward pass is timed as each way training calls it, one after the other', () => {
  const s = standIn({ im2col: 0, direct: 0 });
  measureConvChoice(s.kernels, s.force, 'im2col', 'forward', g, new ConvWorkspace(), { maxReps: 2 },
    [{ activation: 'leaky_relu', slope: 0.01, bias: true }, { activation: 'identity', slope: 0, bias: false }]);
  // Two repetitions of a pair of algorithms, each running both calls.
  assert.deepEqual(s.seen.map((x) => `${x.algo} ${x.how}`), [
    'im2col bias leaky_relu 0.01', 'im2col none identity 0', 'direct bias leaky_relu 0.01', 'direct none identity 0',
    'direct bias leaky_relu 0.01', 'direct none identity 0', 'im2col bias leaky_relu 0.01', 'im2col none identity 0']);
  assert.equal(s.seen[0].reads[2].length, g.outChannels, 'a bias of one value per output channel');
});
