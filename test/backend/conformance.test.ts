/**
 * Conformance: every kernel of the Backend interface, native against the reference backend (the
 * specification), on random shapes (1, primes, odd sizes and a few large ones), all transpose
 * flags and alpha/beta variants, every activation and op, broadcasting strides, NaN/Inf, and
 * arrays that are views at a non-zero offset inside a larger buffer whose surrounding elements
 * must stay untouched. Also: the thread pool gives the same answer as one thread, lower ISAs
 * give the same answer as the best one, and concurrent callers are safe.
 *
 * TOLERANCES (why): native accumulates in float32 in a different order (packed, blocked,
 * FMA-contracted) while the reference accumulates in float64 (a JS number) and rounds once.
 *  - GEMM / linearForward: |got − ref| <= 2e-5 · (|ref| + √k · |alpha| · max|A| · max|B|) + beta part:
 *    a k-term float32 dot product has a typical rounding error of about √k · 2⁻²⁴ · scale.
 *  - Elementwise ops: relative 2e-6 (absolute floor 1e-30): float32 polynomial exp/log/tanh are
 *    1–2 ulp (ulp = 6e-8); FTZ/DAZ flush results below 1.2e-38 to zero, hence the floor.
 *    activationBackward adds 1e-7 · |dy|: 1 − y² cancels near |y| = 1.
 *  - Column/axis sums: 1e-5 · Σ|a| (float32 partial sums over at most a few hundred terms).
 *  - sum / sumSquares: 1e-9 relative to Σ|a| (both accumulate in float64; only order differs).
 *  - Losses: 1e-5 relative (float32 per-element terms, float64 accumulation); gradients 2e-6.
 *  - Soft Jaccard: loss 5e-7 absolute (it lies in [0, 1]; the probabilities differ by a few float32
 *    ulp, exp's polynomial against Math.exp, so a class's I/U by up to a few 1e-7 when it has one
 *    position, less over many, where the differences average out: 6e-8 seen); gradient 1e-5
 *    relative + 5e-7 · the largest |d loss/d p_c| (at most 1/(K·U_c), see jaccardScale): the
 *    gradient p_k·(g_k − Σ_c p_c g_c) cancels in float32 on both sides (p_k near 1 makes g_k − Σ
 *    nearly g_k·(1 − p_k), and p is float32 in both), an error of a few float32 ulp of that scale
 *    (at most 1.7e-7 of it seen over 1,300 random cases on every ISA).
 *  - Optimizers: 1e-5 relative + 1e-7..1e-6 absolute (float32 vs float64 arithmetic per element;
 *    the absolute part covers cancellation in momentum/velocity sums of O(1) gradients).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import {
  ACTIVATIONS, BINARY_OPS, UNARY_OPS, type Backend, type ConvGeometry, type UnaryOp,
} from '../../src/backend/backend.js';
import { createReferenceBackend } from '../../src/backend/reference/reference-backend.js';

// ---------------------------------------------------------------- native availability
// The backend under test is native, or with AEKIT_CONFORMANCE=wasm the WebAssembly build of the
// same kernels (test/backend/wasm/wasm-conformance.test.ts runs this file so); `native` names it.
type NativeModule = typeof import('../../src/backend/native/native-backend.js');
let nativeMod: NativeModule | null = null;
let native: Backend | null = null;
let skipReason: string | false = false;
const subject = process.env.AEKIT_CONFORMANCE === 'wasm' ? 'wasm' : 'native';
try {
  if (subject === 'wasm') {
    native = (await import('../../src/backend/wasm/load-node.js')).createNodeWasmBackend();
  } else {
    nativeMod = await import('../../src/backend/native/native-backend.js');
    native = nativeMod.createNativeBackend();
  }
} catch (e) {
  skipReason = `${subject} backend not available: ${(e as Error).message}`;
}
const ref = createReferenceBackend();

// ---------------------------------------------------------------- seeded data
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20240229);
const uniform = (lo: number, hi: number): number => lo + (hi - lo) * rand();

function randomArray(n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = uniform(lo, hi);
  return a;
}

// ---------------------------------------------------------------- views with guard bands
const SENTINEL = Math.fround(-12345.678);
interface Guarded {
  view: Float32Array;
  /** Asserts the elements around the view are untouched. */
  check(label: string): void;
}
/** A copy of `data` placed at an odd, non-zero offset inside a larger buffer filled with a sentinel. */
function guarded(data: Float32Array): Guarded {
  const before = 1 + Math.floor(rand() * 7);
  const after = 3 + Math.floor(rand() * 5);
  const buf = new Float32Array(before + data.length + after).fill(SENTINEL);
  buf.set(data, before);
  const view = buf.subarray(before, before + data.length);
  return {
    view,
    check(label: string) {
      for (let i = 0; i < before; i++) assert.equal(buf[i], SENTINEL, `${label}: element ${i - before} before the view was written`);
      for (let i = before + data.length; i < buf.length; i++) {
        assert.equal(buf[i], SENTINEL, `${label}: element ${i - before - data.length} after the view was written`);
      }
    },
  };
}

// ---------------------------------------------------------------- comparison
function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>,
  tol: (i: number, ref: number) => number): void {
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) assert.fail(`${label}: [${i}] got ${g}, want NaN`);
      continue;
    }
    if (!Number.isFinite(w)) {
      if (g !== w) assert.fail(`${label}: [${i}] got ${g}, want ${w}`);
      continue;
    }
    const t = tol(i, w);
    if (!(Math.abs(g - w) <= t)) assert.fail(`${label}: [${i}] got ${g}, want ${w} (|diff| ${Math.abs(g - w)} > tol ${t})`);
  }
}
const relTol = (rel: number, abs = 1e-30) => (_i: number, w: number) => rel * Math.abs(w) + abs;
function expectNumber(label: string, got: number, want: number, tol: number): void {
  if (Number.isNaN(want)) return assert.ok(Number.isNaN(got), `${label}: got ${got}, want NaN`);
  assert.ok(Math.abs(got - want) <= tol, `${label}: got ${got}, want ${want} (tol ${tol})`);
}
const maxAbs = (a: Float32Array): number => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const sumAbs = (a: Float32Array): number => a.reduce((s, x) => s + Math.abs(x), 0);

/**
 * The scale of the soft Jaccard's d loss/d p_c: max over the K present classes of 1/(K·U_c) (which
 * bounds I_c/(K·U_c²) too), from a float64 softmax of its own.
 */
function jaccardScale(z: Float32Array, labels: Float32Array, n: number, classes: number, positions: number): number {
  const sum = new Float64Array(classes), overlap = new Float64Array(classes), count = new Float64Array(classes);
  const e = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < positions; q++) {
      const at = (c: number) => (i * classes + c) * positions + q;
      let top = -Infinity;
      for (let c = 0; c < classes; c++) top = Math.max(top, z[at(c)]);
      let total = 0;
      for (let c = 0; c < classes; c++) total += (e[c] = Math.exp(z[at(c)] - top));
      const l = labels[i * positions + q];
      count[l]++;
      overlap[l] += e[l] / total;
      for (let c = 0; c < classes; c++) sum[c] += e[c] / total;
    }
  }
  const present = count.filter((v) => v > 0).length;
  return Math.max(...Array.from(count, (v, c) => (v > 0 ? 1 / (present * (sum[c] + v - overlap[c])) : 0)));
}

const d = describe;
const opts = { skip: skipReason };

// ---------------------------------------------------------------- GEMM
const GEMM_SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 13], [7, 1, 13], [13, 7, 1], [7, 13, 31], [31, 97, 13], [97, 31, 257], [257, 13, 97],
  [13, 257, 31], [1, 257, 97], [257, 1, 31], [31, 31, 257], [120, 300, 260], [5, 3, 0],
  // n equal to a panel width (8, 16, 32 columns): untransposed B read in place then has the packed
  // panel's row stride but not its alignment (the views below start off any vector boundary).
  [29, 8, 40], [45, 16, 70], [100, 32, 64], [37, 32, 200], [30, 64, 33],
];
const ALPHA_BETA: [number, number][] = [[1, 0], [0.5, 1], [-2, 0.25]];

function checkGemm(label: string, m: number, n: number, k: number, transA: boolean, transB: boolean,
  alpha: number, beta: number): void {
  const nb = native!;
  const a = randomArray(m * k), b = randomArray(k * n);
  const c0 = beta === 0 ? new Float32Array(m * n).fill(NaN) : randomArray(m * n);
  const ga = guarded(a), gb = guarded(b), gc = guarded(c0);
  const cRef = c0.slice();
  ref.gemm({ m, n, k, a, transA, b, transB, c: cRef, alpha, beta });
  nb.gemm({ m, n, k, a: ga.view, transA, b: gb.view, transB, c: gc.view, alpha, beta });
  const scale = Math.sqrt(k) * Math.abs(alpha) * maxAbs(a) * maxAbs(b);
  expectClose(label, gc.view, cRef, (i, w) => 2e-5 * (Math.abs(w) + scale + (beta === 0 ? 0 : Math.abs(beta * c0[i]))) + 1e-30);
  gc.check(label);
  ga.check(`${label} (a)`);
  gb.check(`${label} (b)`);
  assert.deepEqual(ga.view, a, `${label}: a was modified`);
}

d('native vs reference: gemm', opts, () => {
  test('every shape x transA x transB x alpha/beta (beta = 0 overwrites NaN)', () => {
    for (const [m, n, k] of GEMM_SHAPES) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const [alpha, beta] of ALPHA_BETA) {
            checkGemm(`gemm m=${m} n=${n} k=${k} tA=${transA} tB=${transB} a=${alpha} b=${beta}`, m, n, k, transA, transB, alpha, beta);
          }
        }
      }
    }
  });
  test('large 300x500x200 in all transpose combinations', () => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) checkGemm(`gemm 300x500x200 tA=${transA} tB=${transB}`, 300, 500, 200, transA, transB, 1, 0);
    }
  });
});

// ---------------------------------------------------------------- linearForward
const LINEAR_SHAPES: [number, number, number][] = [[1, 1, 1], [7, 31, 13], [13, 7, 97], [97, 257, 30], [130, 300, 270]];

d('native vs reference: linearForward (fused bias + activation)', opts, () => {
  test('every activation, with and without bias', () => {
    for (const [m, k, n] of LINEAR_SHAPES) {
      for (const act of ACTIVATIONS) {
        for (const withBias of [true, false]) {
          const label = `linearForward m=${m} k=${k} n=${n} ${act} bias=${withBias}`;
          const x = randomArray(m * k), w = randomArray(n * k), bias = withBias ? randomArray(n) : null;
          const gx = guarded(x), gw = guarded(w), gbias = bias ? guarded(bias) : null;
          const gy = guarded(new Float32Array(m * n).fill(NaN));
          const yRef = new Float32Array(m * n);
          ref.linearForward(x, w, bias, yRef, m, k, n, act, 0.01);
          native!.linearForward(gx.view, gw.view, gbias ? gbias.view : null, gy.view, m, k, n, act, 0.01);
          // Pre-activation error as for gemm; every activation here has |act'| <= 1.
          const scale = Math.sqrt(k) * maxAbs(x) * maxAbs(w) + (bias ? maxAbs(bias) : 0);
          expectClose(label, gy.view, yRef, (_i, v) => 2e-5 * (Math.abs(v) + scale) + 1e-30);
          gy.check(label);
          gbias?.check(`${label} (bias)`);
        }
      }
    }
  });
});

// ---------------------------------------------------------------- elementwise
const SIZES = [1, 7, 13, 97, 257, 100_003];
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 88.5, -88.5, 100, -100, 1e-3, -1e-3];

function unaryInput(op: UnaryOp, n: number): Float32Array {
  const positive = op === 'log' || op === 'sqrt' || op === 'pow_scalar';
  const a = positive ? randomArray(n, -0.5, 6) : randomArray(n, -6, 6);
  // Specials at the start, and spread through the array so they also land in tails and chunk edges.
  for (let i = 0; i < Math.min(n, SPECIALS.length); i++) a[i] = SPECIALS[i];
  for (let i = SPECIALS.length; i < n; i += 101) a[i] = uniform(-90, 90);
  return a;
}
const UNARY_PARAMS: Partial<Record<UnaryOp, [number, number]>> = {
  leaky_relu: [0.01, 0], clamp: [-0.3, 0.4], add_scalar: [0.75, 0], mul_scalar: [-1.5, 0],
  pow_scalar: [2.5, 0], rsub_scalar: [3, 0], rdiv_scalar: [2, 0],
};

d('native vs reference: elementwise', opts, () => {
  test('unary: every op on every size, specials included; in place too', () => {
    for (const op of UNARY_OPS) {
      const [p0, p1] = UNARY_PARAMS[op] ?? [0, 0];
      for (const n of SIZES) {
        const label = `unary ${op} n=${n}`;
        const a = unaryInput(op, n);
        const outRef = new Float32Array(n);
        ref.unary(op, a, outRef, p0, p1);
        const ga = guarded(a), gout = guarded(new Float32Array(n).fill(NaN));
        native!.unary(op, ga.view, gout.view, p0, p1);
        expectClose(label, gout.view, outRef, relTol(2e-6));
        gout.check(label);
        native!.unary(op, ga.view, ga.view, p0, p1); // out aliases a
        expectClose(`${label} (in place)`, ga.view, outRef, relTol(2e-6));
        ga.check(`${label} (in place)`);
      }
    }
  });

  test('unary pow_scalar follows Math.pow for ±1 ** ±Infinity and NaN exponents', () => {
    const a = new Float32Array([1, -1, 2, 0, NaN, -2]);
    for (const p of [Infinity, -Infinity, NaN, 0, 3, -0.5]) {
      const r = new Float32Array(a.length), g = new Float32Array(a.length);
      ref.unary('pow_scalar', a, r, p, 0);
      native!.unary('pow_scalar', a, g, p, 0);
      expectClose(`pow_scalar p=${p}`, g, r, relTol(2e-6));
    }
  });

  test('binary: every op with broadcasting and non-contiguous strides', () => {
    // [shape, aStrides, bStrides, aLength, bLength]
    const cases: [number[], number[], number[], number, number][] = [
      [[], [], [], 1, 1],
      [[1], [1], [1], 1, 1],
      [[7, 13], [13, 1], [13, 1], 91, 91],
      [[7, 13], [13, 1], [0, 1], 91, 13], // row vector broadcast
      [[7, 13], [0, 1], [1, 0], 13, 7], // column vector broadcast on b
      [[7, 13], [1, 7], [0, 0], 91, 1], // transposed view of a, scalar b
      [[3, 5, 7], [35, 7, 1], [0, 7, 1], 105, 35],
      [[3, 5, 7], [1, 3, 15], [5, 1, 0], 105, 15], // fully transposed a
      [[31, 97], [194, 2], [0, 1], 31 * 194, 97], // inner stride 2 (scalar path)
      [[257, 300], [300, 1], [0, 1], 257 * 300, 300], // large: parallel rows
      [[97, 1031], [1031, 1], [1, 0], 97 * 1031, 97],
    ];
    for (const op of BINARY_OPS) {
      for (const [shape, as, bs, na, nbLen] of cases) {
        const label = `binary ${op} shape=[${shape.join(',')}] a=[${as.join(',')}] b=[${bs.join(',')}]`;
        const a = randomArray(na, -3, 3), b = randomArray(nbLen, -3, 3);
        if (na > 3) { a[0] = NaN; a[1] = Infinity; a[2] = 0; }
        if (nbLen > 3) { b[1] = NaN; b[2] = 0; }
        const total = shape.reduce((p, x) => p * x, 1);
        const outRef = new Float32Array(total);
        ref.binary(op, a, as, b, bs, outRef, shape);
        const ga = guarded(a), gb = guarded(b), gout = guarded(new Float32Array(total).fill(NaN));
        native!.binary(op, ga.view, as, gb.view, bs, gout.view, shape);
        expectClose(label, gout.view, outRef, relTol(1e-7));
        gout.check(label);
      }
    }
  });

  test('binary in place: out aliases a contiguous operand', () => {
    const a = randomArray(7 * 13), b = randomArray(13);
    const outRef = new Float32Array(91);
    ref.binary('mul', a, [13, 1], b, [0, 1], outRef, [7, 13]);
    const ga = guarded(a);
    native!.binary('mul', ga.view, [13, 1], b, [0, 1], ga.view, [7, 13]);
    expectClose('binary in place', ga.view, outRef, relTol(1e-7));
  });

  test('activationBackward: every activation, also with dz aliasing dy', () => {
    for (const act of ACTIVATIONS) {
      for (const n of SIZES) {
        const label = `activationBackward ${act} n=${n}`;
        const z = randomArray(n, -4, 4), y = new Float32Array(n);
        ref.unary(act === 'identity' ? 'mul_scalar' : (act), z, y, act === 'identity' ? 1 : 0.01, 0);
        const dy = randomArray(n);
        const dzRef = new Float32Array(n);
        ref.activationBackward(dy, y, dzRef, act, 0.01);
        const gdy = guarded(dy), gy = guarded(y), gdz = guarded(new Float32Array(n).fill(NaN));
        native!.activationBackward(gdy.view, gy.view, gdz.view, act, 0.01);
        // 1 - y² cancels near |y| = 1 (float32 without FMA on the baseline ISA): allow 1e-7 · |dy|.
        const tol = (i: number, w: number) => 1e-6 * Math.abs(w) + 1e-7 * Math.abs(dy[i]);
        expectClose(label, gdz.view, dzRef, tol);
        gdz.check(label);
        native!.activationBackward(gdy.view, gy.view, gdy.view, act, 0.01);
        expectClose(`${label} (aliased)`, gdy.view, dzRef, tol);
      }
    }
  });

  test('axpby: beta = 0 overwrites NaN, beta != 0 accumulates, out may alias a', () => {
    for (const n of SIZES) {
      for (const [alpha, beta] of [[1.5, 0], [0.5, -2], [1, 1]]) {
        const label = `axpby n=${n} alpha=${alpha} beta=${beta}`;
        const a = randomArray(n), out0 = beta === 0 ? new Float32Array(n).fill(NaN) : randomArray(n);
        const outRef = out0.slice();
        ref.axpby(a, alpha, outRef, beta);
        const ga = guarded(a), gout = guarded(out0);
        native!.axpby(ga.view, alpha, gout.view, beta);
        expectClose(label, gout.view, outRef, relTol(1e-6, 1e-7));
        gout.check(label);
        const aliasRef = a.slice();
        ref.axpby(aliasRef, alpha, aliasRef, beta);
        native!.axpby(ga.view, alpha, ga.view, beta);
        expectClose(`${label} (aliased)`, ga.view, aliasRef, relTol(1e-6, 1e-7));
      }
    }
  });
});

// ---------------------------------------------------------------- reductions
d('native vs reference: reductions', opts, () => {
  test('reduceSum over every axis subset of 2-D and 3-D shapes', () => {
    const cases: [number[], number[]][] = [
      [[7, 13], [0, 1]], [[7, 13], [1, 0]], [[7, 13], [0, 0]], [[7, 13], [13, 1]],
      [[3, 5, 7], [0, 7, 1]], [[3, 5, 7], [5, 1, 0]], [[3, 5, 7], [1, 0, 0]], [[3, 5, 7], [0, 1, 0]],
      [[3, 5, 7], [0, 0, 1]], [[3, 5, 7], [0, 0, 0]], [[256, 1000], [0, 1]], [[1], [0]], [[], []],
    ];
    for (const [shape, os] of cases) {
      const label = `reduceSum shape=[${shape.join(',')}] out=[${os.join(',')}]`;
      const total = shape.reduce((p, x) => p * x, 1);
      const outSize = shape.reduce((p, x, i) => p * (os[i] === 0 ? 1 : x), 1);
      const a = randomArray(total);
      const outRef = new Float32Array(outSize);
      ref.reduceSum(a, shape, outRef, os);
      const gout = guarded(new Float32Array(outSize).fill(NaN));
      native!.reduceSum(guarded(a).view, shape, gout.view, os);
      const tol = 1e-5 * sumAbs(a) + 1e-30;
      expectClose(label, gout.view, outRef, () => tol);
      gout.check(label);
    }
  });

  test('sumRows with beta 0 (NaN overwritten) and beta 0.5', () => {
    for (const [m, n] of [[1, 1], [7, 13], [13, 97], [256, 30], [256, 1000], [97, 257], [1, 1031]]) {
      for (const beta of [0, 0.5]) {
        const label = `sumRows m=${m} n=${n} beta=${beta}`;
        const a = randomArray(m * n);
        const out0 = beta === 0 ? new Float32Array(n).fill(NaN) : randomArray(n);
        const outRef = out0.slice();
        ref.sumRows(a, m, n, outRef, beta);
        const gout = guarded(out0);
        native!.sumRows(guarded(a).view, m, n, gout.view, beta);
        expectClose(label, gout.view, outRef, () => 1e-5 * m + 1e-30);
        gout.check(label);
      }
    }
  });

  test('sum and sumSquares (float64 accumulation)', () => {
    for (const n of [0, ...SIZES, 1_000_003]) {
      const a = randomArray(n, -2, 3);
      const ga = guarded(a);
      const s = sumAbs(a);
      expectNumber(`sum n=${n}`, native!.sum(ga.view), ref.sum(a), 1e-9 * s + 1e-30);
      expectNumber(`sumSquares n=${n}`, native!.sumSquares(ga.view), ref.sumSquares(a), 1e-9 * 3 * s + 1e-30);
    }
  });

  test('allFinite detects NaN, Infinity and -Infinity anywhere', () => {
    for (const n of [0, 1, 7, 97, 100_003]) {
      const a = randomArray(n, -1e30, 1e30);
      assert.equal(native!.allFinite(guarded(a).view), true, `allFinite n=${n}`);
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const pos of n > 0 ? [0, n >> 1, n - 1] : []) {
          const b = a.slice();
          b[pos] = bad;
          assert.equal(native!.allFinite(guarded(b).view), ref.allFinite(b), `allFinite n=${n} ${bad} at ${pos}`);
          assert.equal(native!.allFinite(b), false);
        }
      }
    }
  });
});

// ---------------------------------------------------------------- losses
d('native vs reference: losses', opts, () => {
  for (const loss of ['squaredError', 'bceWithLogits'] as const) {
    test(`${loss} with and without grad`, () => {
      for (const n of SIZES) {
        for (const withGrad of [true, false]) {
          const label = `${loss} n=${n} grad=${withGrad}`;
          const pred = loss === 'bceWithLogits' ? randomArray(n, -12, 12) : randomArray(n, -1, 2);
          const target = randomArray(n, 0, 1);
          if (n > 4 && loss === 'bceWithLogits') { pred[0] = 40; pred[1] = -40; pred[2] = 0; pred[3] = 1e-6; }
          const scale = 1 / n;
          const gRef = withGrad ? new Float32Array(n) : null;
          const vRef = ref[loss](pred, target, gRef, scale);
          const gg = withGrad ? guarded(new Float32Array(n).fill(NaN)) : null;
          const v = native![loss](guarded(pred).view, guarded(target).view, gg ? gg.view : null, scale);
          expectNumber(label, v, vRef, 1e-5 * Math.abs(vRef) + 1e-12);
          if (gg && gRef) {
            expectClose(`${label} grad`, gg.view, gRef, (_i, w) => 2e-6 * Math.abs(w) + 1e-7 * scale);
            gg.check(label);
          }
        }
      }
    });
  }
});

// ---------------------------------------------------------------- Hamming ranking
d('native vs reference: hammingRank', opts, () => {
  const randomWords = (n: number) => Uint32Array.from({ length: n }, () => Math.floor(rand() * 2 ** 32));
  test('every width from 1 to 8 words, odd database sizes, query and codes as views; exact on every ISA', () => {
    const mod = nativeMod;
    const best = mod?.nativeInfo().isa;
    try {
      for (const isa of mod ? ['baseline', 'avx2', 'avx512'] as const : ['wasm'] as const) {
        if (mod && isa !== 'wasm' && mod.setNativeIsa(isa) !== isa) continue;
        for (const words of [1, 2, 3, 4, 5, 8]) {
          for (const n of [0, 1, 3, 4, 5, 97, 1001, 20_003]) {
            // Few distinct codes, so that most distances are ties and the order among them is tested.
            const pool = randomWords(7 * words);
            const codes = new Uint32Array(n * words + 3).subarray(1, 1 + n * words);
            for (let i = 0; i < n; i++) codes.set(pool.subarray((i % 7) * words, (i % 7 + 1) * words), i * words);
            for (let i = 0; i < n; i += 5) codes[i * words] ^= 1 << (i % 32);
            const query = randomWords(words + 2).subarray(2);
            const label = `[${isa}] ${words} words, n=${n}`;
            const want = { indices: new Uint32Array(n), distances: new Uint8Array(n) };
            ref.hammingRank(codes, words, query, want.indices, want.distances);
            const got = { indices: new Uint32Array(n).fill(7), distances: new Uint8Array(n).fill(7) };
            native!.hammingRank(codes, words, query, got.indices, got.distances);
            assert.deepEqual(got.indices, want.indices, label);
            assert.deepEqual(got.distances, want.distances, label);
          }
        }
      }
    } finally {
      mod?.setNativeIsa(best as 'avx512' | 'avx2' | 'baseline');
    }
  });

  test('lengths that do not fit are refused, not read past', () => {
    const codes = new Uint32Array(10);
    assert.throws(() => native!.hammingRank(codes, 2, new Uint32Array(2), new Uint32Array(6), new Uint8Array(6)), /hammingRank/);
    assert.throws(() => native!.hammingRank(codes, 2, new Uint32Array(1), new Uint32Array(5), new Uint8Array(5)), /hammingRank/);
    assert.throws(() => native!.hammingRank(codes, 9, new Uint32Array(9), new Uint32Array(1), new Uint8Array(1)), /hammingRank/);
    assert.throws(() => native!.hammingRank(codes, 2, new Uint32Array(2), new Uint32Array(5), new Uint8Array(4)), /hammingRank/);
  });
});

// ---------------------------------------------------------------- convolution and pooling
d('native vs reference: convolution and pooling', opts, () => {
  const geometry = (batch: number, inC: number, h: number, w: number, outC: number, k: [number, number], s: number, p: number, dil: number, groups: number): ConvGeometry => ({
    batch, inChannels: inC, inHeight: h, inWidth: w, outChannels: outC,
    outHeight: Math.floor((h + 2 * p - dil * (k[0] - 1) - 1) / s) + 1, outWidth: Math.floor((w + 2 * p - dil * (k[1] - 1) - 1) / s) + 1,
    kernelH: k[0], kernelW: k[1], strideH: s, strideW: s, padH: p, padW: p, dilationH: dil, dilationW: dil, groups,
  });
  const cases: ConvGeometry[] = [
    geometry(1, 1, 28, 28, 8, [3, 3], 1, 1, 1, 1),
    geometry(3, 5, 13, 11, 7, [3, 3], 2, 1, 1, 1),
    geometry(2, 4, 9, 9, 6, [3, 2], 1, 0, 2, 2),
    geometry(2, 3, 7, 5, 5, [1, 1], 1, 0, 1, 1),
    geometry(1, 2, 6, 6, 4, [4, 4], 2, 1, 1, 1),
    geometry(16, 32, 14, 14, 64, [3, 3], 2, 1, 1, 1),
    // Large outputs: the native kernel convolves these a few images at a time (several chunks).
    geometry(9, 16, 32, 32, 8, [3, 3], 1, 1, 1, 1),
    geometry(5, 8, 48, 48, 8, [3, 3], 1, 1, 1, 2),
    // Shapes the direct kernels split by stride phase: first layers with one channel, odd sizes,
    // stride 3, dilation with stride, a kernel wider than the stride leaves phases without taps,
    // an input smaller than the stride.
    geometry(4, 1, 28, 28, 32, [3, 3], 2, 1, 1, 1),
    geometry(2, 3, 15, 17, 11, [5, 3], 3, 2, 1, 1),
    geometry(2, 5, 12, 13, 9, [3, 3], 2, 2, 2, 1),
    geometry(3, 2, 9, 7, 3, [1, 1], 2, 0, 1, 1),
    geometry(2, 3, 1, 1, 4, [3, 3], 2, 1, 1, 1),
    geometry(2, 17, 8, 8, 19, [3, 3], 1, 1, 1, 1),
    // SegNet's last layer on 64x64 maps: the direct filter gradient takes the images in runs that
    // fit the cache (here runs of 2, the last one short) and adds the runs' sums.
    geometry(3, 16, 64, 64, 11, [3, 3], 1, 1, 1, 1),
    // Stride 1 with a padding as wide as a 3x3 kernel reaches and wider (a 1x1 kernel with
    // padding): edge outputs made of padding alone, around the direct kernels' shared padding.
    geometry(2, 3, 6, 5, 4, [1, 1], 1, 1, 1, 1),
    geometry(2, 3, 6, 7, 5, [3, 3], 1, 2, 1, 1),
  ];
  // Both algorithms: im2col + GEMM and the direct kernels (forced; normally chosen per shape).
  const algorithms = nativeMod ? ['im2col', 'direct'] as const : [];
  const withAlgorithm = (algo: 'im2col' | 'direct', body: () => void) => {
    nativeMod!.setNativeConvAlgo(algo);
    try {
      body();
    } finally {
      nativeMod!.setNativeConvAlgo('auto');
    }
  };
  // Tolerance as for GEMM: a K-term float32 dot product, K = channels per group × taps.
  const tol = (g: ConvGeometry, scale: number) => (_i: number, v: number) => 2e-5 * (Math.abs(v) + Math.sqrt(g.inChannels / g.groups * g.kernelH * g.kernelW) * scale);
  const label = (g: ConvGeometry) => `${g.batch}x${g.inChannels}x${g.inHeight}x${g.inWidth} -> ${g.outChannels} k${g.kernelH}x${g.kernelW} s${g.strideH} p${g.padH} d${g.dilationH} g${g.groups}`;
  const sizes = (g: ConvGeometry) => ({
    x: g.batch * g.inChannels * g.inHeight * g.inWidth, y: g.batch * g.outChannels * g.outHeight * g.outWidth,
    w: g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW,
  });

  for (const algo of algorithms) test(`conv2dForward (${algo}) with and without bias, every activation fused, inputs as views`, () => withAlgorithm(algo, () => {
    for (const [i, g] of cases.entries()) {
      const n = sizes(g);
      const x = randomArray(n.x), w = randomArray(n.w), bias = randomArray(g.outChannels);
      for (const b of [bias, null]) {
        for (const act of i === 1 ? ACTIVATIONS : ['identity', 'relu'] as const) {
          const want = new Float32Array(n.y);
          ref.conv2dForward(x, w, b, want, g, act, 0.1);
          const y = guarded(new Float32Array(n.y).fill(NaN));
          native!.conv2dForward(guarded(x).view, guarded(w).view, b ? guarded(b).view : null, y.view, g, act, 0.1);
          expectClose(`conv2dForward ${label(g)} ${act}`, y.view, want, tol(g, 1 + (b ? 1 : 0)));
          y.check(label(g));
        }
      }
    }
  }));

  for (const algo of algorithms) test(`conv2dBackwardInput and conv2dBackwardFilter (${algo}), beta 0 (NaN overwritten) and 1`, () => withAlgorithm(algo, () => {
    for (const g of cases) {
      const n = sizes(g);
      const x = randomArray(n.x), w = randomArray(n.w), dy = randomArray(n.y);
      for (const beta of [0, 1]) {
        const start = (size: number) => (beta === 0 ? new Float32Array(size).fill(NaN) : randomArray(size));
        const dx0 = start(n.x), dw0 = start(n.w);
        const wantDx = dx0.slice(), wantDw = dw0.slice();
        ref.conv2dBackwardInput(dy, w, wantDx, g, beta);
        ref.conv2dBackwardFilter(x, dy, wantDw, g, beta);
        const dx = guarded(dx0), dw = guarded(dw0);
        native!.conv2dBackwardInput(guarded(dy).view, guarded(w).view, dx.view, g, beta);
        native!.conv2dBackwardFilter(guarded(x).view, guarded(dy).view, dw.view, g, beta);
        // The filter gradient sums over every image and output pixel as well.
        const filterTerms = g.batch * g.outHeight * g.outWidth;
        expectClose(`conv2dBackwardInput ${label(g)} beta ${beta}`, dx.view, wantDx, (_i, v) => 2e-5 * (Math.abs(v) + Math.sqrt(g.outChannels * g.kernelH * g.kernelW) + beta));
        expectClose(`conv2dBackwardFilter ${label(g)} beta ${beta}`, dw.view, wantDw, (_i, v) => 2e-5 * (Math.abs(v) + Math.sqrt(filterTerms) + beta));
        dx.check(label(g));
        dw.check(label(g));
      }
    }
  }));

  test('maxPool2d values and indices, scatterAdd and gather exactly; indices out of range are refused', () => {
    // 2x2 at stride 2 without padding has a vector path of its own (native): rows of 14, 32, 16 and
    // 3 outputs (vector and tail, odd input widths) and NaNs in the data of the last two cases.
    for (const [planes, h, w, k, s, p, nans] of [[6, 28, 28, 2, 2, 0, 0], [3, 9, 65, 2, 2, 0, 0], [4, 8, 33, 2, 2, 0, 1], [2, 6, 7, 2, 2, 0, 1],
      [5, 7, 9, 3, 2, 1, 0], [2, 5, 5, 3, 1, 1, 0], [1, 1, 1, 1, 1, 0, 0]]) {
      const oh = Math.floor((h + 2 * p - k) / s) + 1, ow = Math.floor((w + 2 * p - k) / s) + 1;
      const g = { planes, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, kernelH: k, kernelW: k, strideH: s, strideW: s, padH: p, padW: p };
      // Few distinct values, so that ties are common and the first-maximum rule is tested.
      const x = Float32Array.from({ length: planes * h * w }, () => (nans && rand() < 0.1 ? NaN : Math.floor(rand() * 5)));
      const want = { y: new Float32Array(planes * oh * ow), idx: new Int32Array(planes * oh * ow) };
      ref.maxPool2d(x, want.y, want.idx, g);
      const got = { y: new Float32Array(want.y.length), idx: new Int32Array(want.idx.length) };
      native!.maxPool2d(guarded(x).view, got.y, got.idx, g);
      assert.deepEqual(got.y, want.y);
      assert.deepEqual(got.idx, want.idx);
      const src = randomArray(want.y.length);
      const back = { ref: randomArray(x.length), native: new Float32Array(0) };
      back.native = back.ref.slice();
      ref.scatterAdd(src, want.idx, back.ref, planes, oh * ow, h * w, 1);
      native!.scatterAdd(src, want.idx, back.native, planes, oh * ow, h * w, 1);
      expectClose(`scatterAdd ${planes}x${h}x${w}`, back.native, back.ref, relTol(1e-6, 1e-7));
      const gathered = { ref: new Float32Array(src.length), native: new Float32Array(src.length).fill(NaN) };
      ref.gather(x, want.idx, gathered.ref, planes, h * w, oh * ow, 0);
      native!.gather(x, want.idx, gathered.native, planes, h * w, oh * ow, 0);
      assert.deepEqual(gathered.native, gathered.ref);
    }
    assert.throws(() => native!.scatterAdd(new Float32Array(2), Int32Array.of(0, 4), new Float32Array(4), 1, 2, 4, 0), /scatterAdd: index 4 at 1 is outside \[0, 4\)/);
    assert.throws(() => native!.gather(new Float32Array(4), Int32Array.of(-1), new Float32Array(1), 1, 4, 1, 0), /gather: index -1 at 0 is outside/);
  });
});

// ---------------------------------------------------------------- batch norm, softmax cross-entropy
d('native vs reference: batch normalisation and softmax cross-entropy', opts, () => {
  // [n, channels, spatial]: images (odd planes, tails of every width), vectors, batch 1, one value.
  const LAYOUTS = [[4, 3, 49], [2, 5, 17], [32, 16, 64], [1, 3, 9], [64, 7, 1], [3, 2, 1], [1, 1, 1]];

  test('channelStats, batchNormApply and batchNormBackward (batch and fixed statistics), on views', () => {
    for (const [n, c, s] of LAYOUTS) {
      const label = `[${n}, ${c}, ${s}]`;
      // An offset mean, so that a one-pass variance would lose digits.
      const x = randomArray(n * c * s, 2, 4);
      const want = { mean: new Float32Array(c), variance: new Float32Array(c) };
      ref.channelStats(x, n, c, s, want.mean, want.variance);
      const mean = guarded(new Float32Array(c)), variance = guarded(new Float32Array(c));
      native!.channelStats(guarded(x).view, n, c, s, mean.view, variance.view);
      expectClose(`${label} mean`, mean.view, want.mean, relTol(1e-6, 1e-7));
      expectClose(`${label} variance`, variance.view, want.variance, relTol(1e-4, 1e-7));
      mean.check(label); variance.check(label);

      const scale = randomArray(c), shift = randomArray(c);
      const yRef = new Float32Array(x.length);
      ref.batchNormApply(x, n, c, s, want.mean, scale, shift, yRef);
      const y = guarded(new Float32Array(x.length));
      native!.batchNormApply(guarded(x).view, n, c, s, want.mean, scale, shift, y.view);
      expectClose(`${label} apply`, y.view, yRef, relTol(1e-6, 1e-6));
      y.check(label);
      const inPlace = x.slice();
      native!.batchNormApply(inPlace, n, c, s, want.mean, scale, shift, inPlace);
      expectClose(`${label} apply in place`, inPlace, yRef, relTol(1e-6, 1e-6));

      const invStd = Float32Array.from(want.variance, (v) => 1 / Math.sqrt(v + 1e-5));
      const gamma = randomArray(c), dy = randomArray(x.length);
      for (const [batchStats, beta] of [[true, 0], [true, 1], [false, 0.5]] as const) {
        const what = `${label} backward batchStats=${batchStats} beta=${beta}`;
        const start = randomArray(x.length);
        const r = { dx: start.slice(), dGamma: new Float32Array(c), dBeta: new Float32Array(c) };
        ref.batchNormBackward(x, dy, n, c, s, want.mean, invStd, gamma, batchStats, r.dx, beta, r.dGamma, r.dBeta);
        const dx = guarded(start), dGamma = guarded(new Float32Array(c)), dBeta = guarded(new Float32Array(c));
        native!.batchNormBackward(x, guarded(dy).view, n, c, s, want.mean, invStd, gamma, batchStats, dx.view, beta, dGamma.view, dBeta.view);
        // Sums over a channel round with the channel's size: tolerances scale with the magnitudes summed.
        const dxScale = 1e-5 * maxAbs(r.dx) + 1e-6, dyTotal = sumAbs(dy);
        expectClose(`${what} dx`, dx.view, r.dx, (_i, w) => 1e-4 * Math.abs(w) + dxScale);
        expectClose(`${what} dGamma`, dGamma.view, r.dGamma, (_i, w) => 1e-5 * Math.abs(w) + 1e-5 * dyTotal);
        expectClose(`${what} dBeta`, dBeta.view, r.dBeta, (_i, w) => 1e-5 * Math.abs(w) + 1e-6 * dyTotal);
        dx.check(what); dGamma.check(what); dBeta.check(what);
      }
    }
    assert.throws(() => native!.channelStats(new Float32Array(5), 2, 3, 1, new Float32Array(3), new Float32Array(3)), /x has 5 elements, needs 6/);
  });

  test('softmaxCrossEntropy: loss, weight sum and gradient, with and without class weights; bad labels refused', () => {
    for (const [n, classes, positions] of [[3, 11, 37], [2, 4, 8], [1, 2, 1], [5, 10, 1], [2, 3, 4096]]) {
      const logits = randomArray(n * classes * positions, -6, 6);
      const labels = Float32Array.from({ length: n * positions }, () => Math.floor(rand() * classes));
      for (const weights of [null, randomArray(classes, 0, 3)]) {
        const label = `[${n}, ${classes}, ${positions}] weights=${weights ? 'yes' : 'no'}`;
        const gRef = new Float32Array(logits.length);
        const [lossRef, wRef] = ref.softmaxCrossEntropy(logits, labels, n, classes, positions, weights, gRef);
        const grad = guarded(new Float32Array(logits.length));
        const [loss, w] = native!.softmaxCrossEntropy(guarded(logits).view, guarded(labels).view, n, classes, positions, weights, grad.view);
        expectNumber(`${label} loss`, loss, lossRef, 1e-5 * Math.abs(lossRef) + 1e-6);
        expectNumber(`${label} weight sum`, w, wRef, 1e-6 * wRef);
        expectClose(`${label} grad`, grad.view, gRef, relTol(1e-5, 1e-6));
        grad.check(label);
        const [lossOnly] = native!.softmaxCrossEntropy(logits, labels, n, classes, positions, weights, null);
        expectNumber(`${label} loss without gradient`, lossOnly, lossRef, 1e-5 * Math.abs(lossRef) + 1e-6);
      }
    }
    for (const bad of [2, -1, 0.5, NaN]) {
      assert.throws(() => native!.softmaxCrossEntropy(new Float32Array(4), Float32Array.of(0, bad), 1, 2, 2, null, null), /is not a class/);
    }
  });

  test('softJaccard: loss and gradient, with classes absent from the labels and odd position counts; bad labels refused', () => {
    // [n, classes, positions] and the classes no label takes: position counts that are no multiple
    // of a vector width, one position (classification), several blocks and several tasks per example.
    const cases: [number, number, number, number[]][] = [
      [3, 11, 37, []], [2, 4, 8, [1]], [1, 2, 1, []], [5, 10, 1, [0, 3, 9]], [2, 3, 4097, [0]], [3, 11, 2053, [2, 7, 10]],
      [33, 11, 67, [5]], [1, 11, 4096, []],
    ];
    for (const [n, classes, positions, absent] of cases) {
      const logits = randomArray(n * classes * positions, -6, 6);
      const taken = Array.from({ length: classes }, (_, c) => c).filter((c) => !absent.includes(c));
      const labels = Float32Array.from({ length: n * positions }, () => taken[Math.floor(rand() * taken.length)]);
      const label = `[${n}, ${classes}, ${positions}] absent [${absent.join(', ')}]`;
      const gRef = new Float32Array(logits.length);
      const lossRef = ref.softJaccard(logits, labels, n, classes, positions, gRef);
      const grad = guarded(new Float32Array(logits.length).fill(NaN));
      const loss = native!.softJaccard(guarded(logits).view, guarded(labels).view, n, classes, positions, grad.view);
      expectNumber(`${label} loss`, loss, lossRef, 5e-7);
      const scale = jaccardScale(logits, labels, n, classes, positions);
      expectClose(`${label} grad`, grad.view, gRef, (_i, w) => 1e-5 * Math.abs(w) + 5e-7 * scale);
      grad.check(label);
      assert.ok(absent.every((c) => gRef.subarray(c * positions, (c + 1) * positions).some((g) => g !== 0)),
        `${label}: absent classes still get a gradient (through the softmax), so the comparison covers them`);
      assert.equal(native!.softJaccard(logits, labels, n, classes, positions, null), loss, `${label}: the loss without a gradient is the same number`);
    }
    for (const bad of [2, -1, 0.5, NaN]) {
      assert.throws(() => native!.softJaccard(new Float32Array(4), Float32Array.of(0, bad), 1, 2, 2, null), /is not a class/);
    }
  });
});

// ---------------------------------------------------------------- optimizers
d('native vs reference: optimizers', opts, () => {
  test('adam with coupled, decoupled and both decays, several steps', () => {
    for (const n of SIZES) {
      for (const [l2, weightDecay] of [[0.025, 0], [0, 0.05], [0.025, 0.5]]) {
        const label = `adam n=${n} l2=${l2} weightDecay=${weightDecay}`;
        const p = randomArray(n), m = new Float32Array(n), v = new Float32Array(n);
        const rp = p.slice(), rm = m.slice(), rv = v.slice();
        const gp = guarded(p), gm = guarded(m), gv = guarded(v);
        for (let step = 1; step <= 3; step++) {
          const g = randomArray(n);
          const params = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, step, l2, weightDecay };
          ref.adamStep(rp, g, rm, rv, params);
          native!.adamStep(gp.view, guarded(g).view, gm.view, gv.view, params);
        }
        expectClose(`${label} p`, gp.view, rp, relTol(1e-5, 1e-7));
        expectClose(`${label} m`, gm.view, rm, relTol(1e-5, 1e-7));
        expectClose(`${label} v`, gv.view, rv, relTol(1e-5, 1e-9));
        gp.check(label); gm.check(label); gv.check(label);
      }
    }
  });

  test('sgd: momentum 0, momentum, nesterov, with coupled and decoupled weight decay', () => {
    for (const n of SIZES) {
      for (const [momentum, nesterov] of [[0, false], [0.9, false], [0.9, true]] as const) {
        const label = `sgd n=${n} momentum=${momentum} nesterov=${nesterov}`;
        const p = randomArray(n), vel = new Float32Array(n);
        const rp = p.slice(), rvel = vel.slice();
        const gp = guarded(p), gvel = guarded(vel);
        for (let step = 0; step < 3; step++) {
          const g = randomArray(n);
          const params = { lr: 0.05, momentum, nesterov, l2: 5e-4, weightDecay: 0.1 };
          ref.sgdStep(rp, g, rvel, params);
          native!.sgdStep(gp.view, guarded(g).view, gvel.view, params);
        }
        expectClose(`${label} p`, gp.view, rp, relTol(1e-5, 1e-6));
        expectClose(`${label} velocity`, gvel.view, rvel, relTol(1e-5, 1e-6));
        gp.check(label); gvel.check(label);
      }
    }
  });
});

// ---------------------------------------------------------------- threads, ISAs, concurrency
d('native: thread pool, ISA dispatch, concurrent callers', { skip: skipReason || (subject === 'wasm' && 'the addon\'s threads and ISAs') }, () => {
  test('one thread gives the same results as the pool (bit-identical by design)', () => {
    const mod = nativeMod!;
    const threads = mod.nativeInfo().threads;
    const run = () => {
      const r = mulberry32(7);
      const arr = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
      const a = arr(300 * 500), b = arr(500 * 400), c = new Float32Array(300 * 400);
      native!.gemm({ m: 300, n: 400, k: 500, a, transA: false, b, transB: true, c, alpha: 1, beta: 0 });
      // Tall, as a weight gradient: many A units, which chunks pack and put off while others pack.
      const at = arr(256 * 1000), bt = arr(256 * 300), ct = new Float32Array(1000 * 300);
      native!.gemm({ m: 1000, n: 300, k: 256, a: at, transA: true, b: bt, transB: false, c: ct, alpha: 1, beta: 0 });
      const z = arr(200_003), t = arr(200_003).map(Math.abs), g = new Float32Array(z.length);
      const loss = native!.bceWithLogits(z, t, g, 1 / z.length);
      const s = native!.sumSquares(z);
      const u = new Float32Array(z.length);
      native!.unary('tanh', z, u, 0, 0);
      // Soft Jaccard: 3 tasks per example (4099 positions), and 2 tasks of 55 and 9 small examples.
      const jaccard = [[4, 11, 4099], [64, 5, 37]].map(([n, classes, positions]) => {
        const logits = arr(n * classes * positions).map((v) => 4 * v);
        const labels = Float32Array.from({ length: n * positions }, () => Math.floor(r() * classes));
        const grad = new Float32Array(logits.length);
        return { loss: native!.softJaccard(logits, labels, n, classes, positions, grad), grad };
      });
      return { c, ct, loss, g, s, u, jaccard };
    };
    try {
      mod.setNativeThreads(Math.max(2, threads));
      const many = run();
      mod.setNativeThreads(1);
      const one = run();
      expectClose('gemm 1 thread vs pool', one.c, many.c, relTol(0, 0));
      expectClose('tall gemm 1 thread vs pool', one.ct, many.ct, relTol(0, 0));
      expectClose('bce grad 1 thread vs pool', one.g, many.g, relTol(0, 0));
      expectClose('tanh 1 thread vs pool', one.u, many.u, relTol(0, 0));
      assert.equal(one.loss, many.loss);
      assert.equal(one.s, many.s);
      one.jaccard.forEach((j, i) => {
        assert.equal(j.loss, many.jaccard[i].loss, `soft Jaccard ${i} loss 1 thread vs pool`);
        expectClose(`soft Jaccard ${i} grad 1 thread vs pool`, j.grad, many.jaccard[i].grad, relTol(0, 0));
      });
    } finally {
      mod.setNativeThreads(threads);
    }
  });

  test('every ISA this CPU supports matches the reference (gemm, linearForward, transcendental ops, soft Jaccard)', () => {
    const mod = nativeMod!;
    const best = mod.nativeInfo().isa;
    const isas = ['baseline', 'avx2', 'avx512'] as const;
    try {
      for (const isa of isas) {
        if (mod.setNativeIsa(isa) !== isa) continue; // above what the CPU supports
        for (const [m, n, k] of [[13, 257, 31], [97, 31, 257], [120, 300, 260]] as const) {
          for (const transA of [false, true]) {
            for (const transB of [false, true]) checkGemm(`[${isa}] gemm ${m}x${n}x${k} tA=${transA} tB=${transB}`, m, n, k, transA, transB, 0.5, 1);
          }
        }
        for (const act of ACTIVATIONS) {
          const [m, k, n] = [37, 61, 45];
          const x = randomArray(m * k), w = randomArray(n * k), bias = randomArray(n);
          const y = new Float32Array(m * n), yRef = new Float32Array(m * n);
          ref.linearForward(x, w, bias, yRef, m, k, n, act, 0.02);
          native!.linearForward(x, w, bias, y, m, k, n, act, 0.02);
          const scale = Math.sqrt(k) * maxAbs(x) * maxAbs(w) + maxAbs(bias);
          expectClose(`[${isa}] linearForward ${act}`, y, yRef, (_i, v) => 2e-5 * (Math.abs(v) + scale));
        }
        for (const op of ['exp', 'log', 'tanh', 'sigmoid', 'sqrt'] as const) {
          const a = unaryInput(op, 1001), o = new Float32Array(1001), r = new Float32Array(1001);
          ref.unary(op, a, r, 0, 0);
          native!.unary(op, a, o, 0, 0);
          expectClose(`[${isa}] unary ${op}`, o, r, relTol(2e-6));
        }
        const p = randomArray(1001), g = randomArray(1001), mm = new Float32Array(1001), vv = new Float32Array(1001);
        const rp = p.slice(), rm = mm.slice(), rv = vv.slice();
        const ap = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1, l2: 0, weightDecay: 0.1 };
        ref.adamStep(rp, g, rm, rv, ap);
        native!.adamStep(p, g, mm, vv, ap);
        expectClose(`[${isa}] adam`, p, rp, relTol(1e-5, 1e-7));
        const [jn, jc, jp] = [3, 11, 1031];
        const logits = randomArray(jn * jc * jp, -8, 8), labels = Float32Array.from({ length: jn * jp }, () => Math.floor(rand() * (jc - 1)));
        const jRef = new Float32Array(logits.length), jGot = new Float32Array(logits.length);
        expectNumber(`[${isa}] softJaccard loss`, native!.softJaccard(logits, labels, jn, jc, jp, jGot), ref.softJaccard(logits, labels, jn, jc, jp, jRef), 5e-7);
        const jScale = jaccardScale(logits, labels, jn, jc, jp);
        expectClose(`[${isa}] softJaccard grad`, jGot, jRef, (_i, w) => 1e-5 * Math.abs(w) + 5e-7 * jScale);
      }
    } finally {
      mod.setNativeIsa(best as 'avx512' | 'avx2' | 'baseline');
    }
  });

  test('concurrent callers (worker threads + main thread) get correct results', async () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const addonPath = join(root, 'build', 'Release', 'aekit_native.node');
    // Plain JS workers load the addon directly (no TS loader needed) and hammer gemm + sum while
    // the main thread does the same; every result is checked against one computed up front.
    const workerSource = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.addonPath);
      const { m, n, k, a, b, expected, sumExpected } = workerData;
      const c = new Float32Array(m * n);
      let bad = 0;
      for (let it = 0; it < workerData.iters; it++) {
        addon.gemm(m, n, k, a, false, b, true, c, 1, 0);
        for (let i = 0; i < c.length; i++) if (c[i] !== expected[i]) { bad++; break; }
        if (addon.sum(a) !== sumExpected) bad++;
      }
      parentPort.postMessage(bad);
    `;
    const m = 128, n = 200, k = 300;
    const a = randomArray(m * k), b = randomArray(n * k);
    const expected = new Float32Array(m * n);
    native!.gemm({ m, n, k, a, transA: false, b, transB: true, c: expected, alpha: 1, beta: 0 });
    const sumExpected = native!.sum(a);
    const require = createRequire(import.meta.url);
    require(addonPath);
    const workers = [0, 1, 2].map(() => new Worker(workerSource, {
      eval: true, workerData: { addonPath, m, n, k, a, b, expected, sumExpected, iters: 40 },
    }));
    const results = workers.map((w) => new Promise<number>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    }));
    let mainBad = 0;
    const c = new Float32Array(m * n);
    for (let it = 0; it < 40; it++) {
      native!.gemm({ m, n, k, a, transA: false, b, transB: true, c, alpha: 1, beta: 0 });
      if (!c.every((x, i) => x === expected[i])) mainBad++;
      await new Promise((r) => setImmediate(r));
    }
    const bad = await Promise.all(results);
    await Promise.all(workers.map((w) => w.terminate()));
    assert.deepEqual(bad, [0, 0, 0], 'worker results differ from the single-caller result');
    assert.equal(mainBad, 0);
  });
});

test('selectBackend honours AEKIT_BACKEND', { skip: subject === 'wasm' && 'run once, with the native suite' }, async () => {
  // Run in child processes: the selection is cached per process.
  const { spawnSync } = await import('node:child_process');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const script = `import('./src/backend/select.ts').then((m) => { try { console.log(m.selectBackend().name); } catch (e) { console.log(e.name + ': ' + e.message); } });`;
  const runWith = (value: string | undefined) => {
    const env = { ...process.env };
    if (value === undefined) delete env.AEKIT_BACKEND; else env.AEKIT_BACKEND = value;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8' });
    return { out: r.stdout.trim(), err: r.stderr.trim() };
  };
  assert.equal(runWith('reference').out, 'reference');
  const bogus = runWith('gpu');
  assert.match(bogus.out, /^BackendError: .*"native", "wasm" or "reference".*"gpu"/);
  assert.equal(runWith('wasm').out, 'wasm');
  const auto = runWith(undefined);
  if (native) {
    assert.equal(auto.out, 'native');
    assert.equal(runWith('native').out, 'native');
  } else {
    assert.equal(auto.out, 'wasm');
    assert.match(auto.err, /^aekit: native addon not available \(.*\); using the wasm backend$/);
    assert.match(runWith('native').out, /^BackendError: /);
  }
});
