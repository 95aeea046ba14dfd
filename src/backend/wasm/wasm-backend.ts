/**
 * The WebAssembly backend: the native kernels (native/*.cc) built for wasm32 with SIMD128
 * (native/wasm/aekit.wasm, `npm run build:wasm`), behind the same Backend interface. It runs
 * wherever WebAssembly does: Node without a compiled addon, and the browser. Arguments are
 * checked here, as native/binding*.cc checks them for the addon, because a kernel reading past
 * an argument would read other data of the same linear memory, not fail.
 */
import {
  ACTIVATIONS, BINARY_OPS, UNARY_OPS,
  type Activation, type Backend, type BinaryOp, type ConvGeometry, type UnaryOp,
} from '../backend.js';
import type { WasmInstance, WasmMemory } from './wasm-api.js';
import { WasmHeap, type Arg, type KernelArray, type WasmMemoryExports } from './wasm-heap.js';

/** The module's exports (see native/wasm/exports.cc); pointers and sizes are numbers. */
export interface WasmKernelExports extends Omit<WasmMemoryExports, 'memory'> {
  /** Exported by the one-thread build; the threaded one imports its (shared) memory instead. */
  memory?: WasmMemory;
  _initialize(): void;
  aekit_gemm(m: number, n: number, k: number, a: number, transA: number, b: number, transB: number, c: number, alpha: number, beta: number): void;
  aekit_linear_forward(x: number, w: number, bias: number, y: number, m: number, k: number, n: number, act: number, slope: number): void;
  aekit_activation_backward(dy: number, y: number, dz: number, n: number, act: number, slope: number): void;
  aekit_unary(op: number, a: number, out: number, n: number, p0: number, p1: number): void;
  aekit_binary(op: number, a: number, as: number, b: number, bs: number, out: number, shape: number, rank: number): void;
  aekit_reduce_sum(a: number, shape: number, rank: number, out: number, outStrides: number): void;
  aekit_sum_rows(a: number, m: number, n: number, out: number, beta: number): void;
  aekit_sum(a: number, n: number): number;
  aekit_sum_squares(a: number, n: number): number;
  aekit_all_finite(a: number, n: number): number;
  aekit_squared_error(pred: number, target: number, grad: number, n: number, scale: number): number;
  aekit_bce_with_logits(z: number, t: number, grad: number, n: number, scale: number): number;
  aekit_softmax_cross_entropy(z: number, labels: number, weights: number, grad: number, n: number, classes: number, positions: number, out: number): void;
  aekit_soft_jaccard(z: number, labels: number, grad: number, n: number, classes: number, positions: number): number;
  aekit_axpby(a: number, alpha: number, out: number, beta: number, n: number): void;
  aekit_adam_step(p: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number, eps: number, step: number, gradDecay: number, decoupledDecay: number): void;
  aekit_sgd_step(p: number, g: number, vel: number, n: number, lr: number, momentum: number, nesterov: number, gradDecay: number, decoupledDecay: number): void;
  aekit_hamming_rank(codes: number, n: number, words: number, query: number, indices: number, distances: number): void;
  aekit_conv2d_forward(x: number, w: number, bias: number, y: number, sizes: number, act: number, slope: number): void;
  aekit_conv2d_backward_input(dy: number, w: number, dx: number, sizes: number, beta: number): void;
  aekit_conv2d_backward_filter(x: number, dy: number, dw: number, sizes: number, beta: number): void;
  aekit_max_pool2d(x: number, y: number, indices: number, sizes: number): void;
  aekit_scatter_add(src: number, indices: number, dst: number, planes: number, srcSize: number, dstSize: number, beta: number): void;
  aekit_gather(src: number, indices: number, dst: number, planes: number, srcSize: number, dstSize: number, beta: number): void;
  aekit_channel_stats(x: number, n: number, channels: number, spatial: number, mean: number, variance: number): void;
  aekit_batch_norm_apply(x: number, n: number, channels: number, spatial: number, mean: number, scale: number, shift: number, y: number): void;
  aekit_batch_norm_backward(x: number, dy: number, n: number, channels: number, spatial: number, mean: number, invStd: number, gamma: number,
    batchStats: number, dx: number, beta: number, dGamma: number, dBeta: number): void;
  aekit_gemm_blocking(out: number): void;
  /** Threaded build only: chunks its workers have run. */
  aekit_worker_chunks?(): number;
}

const ACT_INDEX = new Map<Activation, number>(ACTIVATIONS.map((a, i) => [a, i]));
const UNARY_INDEX = new Map<UnaryOp, number>(UNARY_OPS.map((a, i) => [a, i]));
const BINARY_INDEX = new Map<BinaryOp, number>(BINARY_OPS.map((a, i) => [a, i]));

function index<T>(map: Map<T, number>, key: T, what: string): number {
  const i = map.get(key);
  if (i === undefined) throw new RangeError(`aekit wasm: unknown ${what} "${String(key)}"`);
  return i;
}

function need(kernel: string, name: string, a: KernelArray, n: number): void {
  if (a.length < n) throw new RangeError(`aekit wasm ${kernel}: ${name} has ${a.length} elements, needs ${n}`);
}

function dims(kernel: string, ...values: number[]): void {
  for (const d of values) {
    if (!Number.isInteger(d) || d < 0 || d > 0x7fffffff) throw new RangeError(`aekit wasm ${kernel}: dimensions must be non-negative int32`);
  }
}

/** Every label an integer class in [0, classes): a kernel indexes by them. */
function checkLabels(kernel: string, labels: KernelArray, count: number, classes: number): void {
  for (let i = 0; i < count; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < classes && Number.isInteger(l))) throw new RangeError(`aekit wasm ${kernel}: label ${l} at ${i} is not a class`);
  }
}

/** The largest element reachable through `strides` over `shape` lies inside `length`. */
function stridedFits(shape: readonly number[], strides: readonly number[], length: number): boolean {
  let hi = 0;
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 0) return true;
    if (strides[d] < 0) return false;
    hi += (shape[d] - 1) * strides[d];
  }
  return hi < length;
}

const product = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
const ints = (values: readonly number[]): Int32Array => Int32Array.from(values);

function convSizes(g: ConvGeometry): Int32Array {
  return ints([g.batch, g.inChannels, g.inHeight, g.inWidth, g.outChannels, g.outHeight, g.outWidth, g.kernelH, g.kernelW,
    g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.groups]);
}

function checkConv(kernel: string, g: ConvGeometry, x: Float32Array, w: Float32Array, y: Float32Array): void {
  const ok = g.batch >= 0 && g.inChannels > 0 && g.inHeight > 0 && g.inWidth > 0 && g.outChannels > 0 && g.outHeight > 0 &&
    g.outWidth > 0 && g.kernelH > 0 && g.kernelW > 0 && g.strideH > 0 && g.strideW > 0 && g.padH >= 0 && g.padW >= 0 &&
    g.dilationH > 0 && g.dilationW > 0 && g.groups > 0 && g.inChannels % g.groups === 0 && g.outChannels % g.groups === 0;
  if (!ok) throw new RangeError(`aekit wasm ${kernel}: sizes out of range`);
  need(kernel, 'input', x, g.batch * g.inChannels * g.inHeight * g.inWidth);
  need(kernel, 'weight', w, g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW);
  need(kernel, 'output', y, g.batch * g.outChannels * g.outHeight * g.outWidth);
}

function checkIndices(kernel: string, indices: Int32Array, count: number, bound: number): void {
  if (indices.length < count) throw new RangeError(`aekit wasm ${kernel}: indices too short`);
  for (let i = 0; i < count; i++) {
    const v = indices[i];
    if (v < 0 || v >= bound) throw new RangeError(`aekit wasm ${kernel}: index ${v} at ${i} is outside [0, ${bound})`);
  }
}

const IN = (data: KernelArray | null): Arg => ({ data, mode: 'in' });
const OUT = (data: KernelArray | null): Arg => ({ data, mode: 'out' });
const INOUT = (data: KernelArray | null): Arg => ({ data, mode: 'inout' });
/** An output that is read first unless beta is 0 (then the kernel overwrites it). */
const ACC = (data: KernelArray, beta: number): Arg => (beta === 0 ? OUT(data) : INOUT(data));

/** The GEMM blocking of the wasm build (micro-tile and cache blocks). */
export interface WasmGemmBlocking { mr: number; nr: number; kc: number; mc: number }

/** A Backend plus what the benchmark records want to know about the build. */
export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  /** The GEMM's tile and cache blocks in this build. */
  gemmBlocking(): WasmGemmBlocking;
  /** How many threads run each kernel (the caller and its workers); 1 on the one-thread build. */
  readonly threads: number;
  /** Kernel chunks run by worker threads so far (0 on the one-thread build): shows the workers take part. */
  workerChunks(): number;
}

/** How the instance was made, when it is the threaded build (see wasm-threads.ts). */
export interface WasmThreading {
  /** The shared memory the instance imports. */
  memory: WasmMemory;
  /** Threads per kernel, the caller included. */
  threads: number;
}

/**
 * Creates the backend over an instance of native/wasm/aekit.wasm (its `_initialize` is called
 * here), or of aekit-threads.wasm started by `instantiateThreaded` (already initialised).
 * @param instance an instance of aekit.wasm made with no imports, or a threaded one
 * @param threading for a threaded instance: its shared memory and thread count
 * @example
 * const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), {});
 * setBackend(createWasmBackend(instance));
 */
export function createWasmBackend(instance: WasmInstance, threading?: WasmThreading): WasmBackend {
  const x = instance.exports as unknown as WasmKernelExports;
  if (!threading) x._initialize();
  const memory = threading?.memory ?? x.memory;
  if (!memory) throw new RangeError('aekit wasm: the module exports no memory and none was given');
  const heap = new WasmHeap({ memory, aekit_alloc: x.aekit_alloc, aekit_free: x.aekit_free });
  return {
    name: 'wasm',
    threads: threading?.threads ?? 1,
    workerChunks: () => x.aekit_worker_chunks?.() ?? 0,
    gemm({ m, n, k, a, transA, b, transB, c, alpha, beta }): void {
      dims('gemm', m, n, k);
      need('gemm', 'a', a, m * k); need('gemm', 'b', b, k * n); need('gemm', 'c', c, m * n);
      heap.call([IN(a), IN(b), ACC(c, beta)], ([pa, pb, pc]) => x.aekit_gemm(m, n, k, pa, +transA, pb, +transB, pc, alpha, beta));
    },
    linearForward(xs, w, bias, y, m, k, n, act, slope): void {
      const K = 'linearForward';
      dims(K, m, n, k);
      need(K, 'x', xs, m * k); need(K, 'w', w, n * k); if (bias) need(K, 'bias', bias, n); need(K, 'y', y, m * n);
      const a = index(ACT_INDEX, act, 'activation');
      heap.call([IN(xs), IN(w), IN(bias), OUT(y)], ([px, pw, pb, py]) => x.aekit_linear_forward(px, pw, pb, py, m, k, n, a, slope));
    },
    activationBackward(dy, y, dz, act, slope): void {
      need('activationBackward', 'dy', dy, y.length); need('activationBackward', 'dz', dz, y.length);
      const a = index(ACT_INDEX, act, 'activation');
      heap.call([IN(dy), IN(y), OUT(dz)], ([pdy, py, pdz]) => x.aekit_activation_backward(pdy, py, pdz, y.length, a, slope));
    },
    unary(op, a, out, p0, p1): void {
      need('unary', 'out', out, a.length);
      const o = index(UNARY_INDEX, op, 'unary op');
      heap.call([IN(a), OUT(out)], ([pa, po]) => x.aekit_unary(o, pa, po, a.length, p0, p1));
    },
    binary(op, a, aStrides, b, bStrides, out, shape): void {
      const K = 'binary';
      const o = index(BINARY_INDEX, op, 'binary op');
      if (aStrides.length !== shape.length || bStrides.length !== shape.length) throw new RangeError(`aekit wasm ${K}: strides and shape must have the same rank`);
      dims(K, ...shape);
      const total = product(shape);
      if (total > 0 && (!stridedFits(shape, aStrides, a.length) || !stridedFits(shape, bStrides, b.length))) {
        throw new RangeError(`aekit wasm ${K}: strides reach outside a or b`);
      }
      need(K, 'out', out, total);
      if (total === 0) return;
      heap.call([IN(a), IN(ints(aStrides)), IN(b), IN(ints(bStrides)), OUT(out), IN(ints(shape))],
        ([pa, pas, pb, pbs, po, ps]) => x.aekit_binary(o, pa, pas, pb, pbs, po, ps, shape.length));
    },
    reduceSum(a, shape, out, outStrides): void {
      const K = 'reduceSum';
      if (outStrides.length !== shape.length) throw new RangeError(`aekit wasm ${K}: outStrides and shape differ in rank`);
      dims(K, ...shape);
      const outSize = shape.reduce((p, d, i) => (outStrides[i] !== 0 ? p * d : p), 1);
      need(K, 'a', a, product(shape)); need(K, 'out', out, outSize);
      if (product(shape) > 0 && !stridedFits(shape, outStrides, out.length)) throw new RangeError(`aekit wasm ${K}: outStrides reach outside out`);
      // The kernel zeroes out first, but only the entries the strides reach: keep the others.
      heap.call([IN(a), IN(ints(shape)), INOUT(out), IN(ints(outStrides))],
        ([pa, ps, po, pos]) => x.aekit_reduce_sum(pa, ps, shape.length, po, pos));
    },
    sumRows(a, m, n, out, beta): void {
      dims('sumRows', m, n);
      need('sumRows', 'a', a, m * n); need('sumRows', 'out', out, n);
      heap.call([IN(a), ACC(out, beta)], ([pa, po]) => x.aekit_sum_rows(pa, m, n, po, beta));
    },
    squaredError(pred, target, grad, scale): number {
      need('loss', 'target', target, pred.length); if (grad) need('loss', 'grad', grad, pred.length);
      return heap.call([IN(pred), IN(target), OUT(grad)], ([pp, pt, pg]) => x.aekit_squared_error(pp, pt, pg, pred.length, scale));
    },
    bceWithLogits(logits, target, grad, scale): number {
      need('loss', 'target', target, logits.length); if (grad) need('loss', 'grad', grad, logits.length);
      return heap.call([IN(logits), IN(target), OUT(grad)], ([pz, pt, pg]) => x.aekit_bce_with_logits(pz, pt, pg, logits.length, scale));
    },
    sum(a): number {
      return heap.call([IN(a)], ([pa]) => x.aekit_sum(pa, a.length));
    },
    sumSquares(a): number {
      return heap.call([IN(a)], ([pa]) => x.aekit_sum_squares(pa, a.length));
    },
    allFinite(a): boolean {
      return heap.call([IN(a)], ([pa]) => x.aekit_all_finite(pa, a.length)) !== 0;
    },
    axpby(a, alpha, out, beta): void {
      need('axpby', 'out', out, a.length);
      heap.call([IN(a), ACC(out, beta)], ([pa, po]) => x.aekit_axpby(pa, alpha, po, beta, a.length));
    },
    adamStep(p, g, m, v, { lr, beta1, beta2, eps, step, l2, weightDecay }): void {
      need('adamStep', 'g', g, p.length); need('adamStep', 'm', m, p.length); need('adamStep', 'v', v, p.length);
      heap.call([INOUT(p), IN(g), INOUT(m), INOUT(v)],
        ([pp, pg, pm, pv]) => x.aekit_adam_step(pp, pg, pm, pv, p.length, lr, beta1, beta2, eps, step, 2 * l2, weightDecay));
    },
    sgdStep(p, g, velocity, { lr, momentum, nesterov, l2, weightDecay }): void {
      need('sgdStep', 'g', g, p.length);
      if (momentum !== 0) need('sgdStep', 'velocity', velocity, p.length);
      heap.call([INOUT(p), IN(g), INOUT(momentum !== 0 ? velocity : null)],
        ([pp, pg, pv]) => x.aekit_sgd_step(pp, pg, pv, p.length, lr, momentum, +nesterov, 2 * l2, weightDecay));
    },
    hammingRank(codes, words, query, indices, distances): void {
      const n = indices.length;
      if (!(words >= 1 && words <= 8 && distances.length === n && codes.length >= n * words && query.length >= words)) {
        throw new RangeError(`aekit wasm hammingRank: codes of 1 to 8 words, ${n} of them, and a query of as many words`);
      }
      heap.call([IN(codes), IN(query), OUT(indices), OUT(distances)],
        ([pc, pq, pi, pd]) => x.aekit_hamming_rank(pc, n, words, pq, pi, pd));
    },
    conv2dForward(xs, w, bias, y, g, act, slope): void {
      checkConv('conv2dForward', g, xs, w, y);
      if (bias) need('conv2dForward', 'bias', bias, g.outChannels);
      const a = index(ACT_INDEX, act, 'activation');
      heap.call([IN(xs), IN(w), IN(bias), OUT(y), IN(convSizes(g))],
        ([px, pw, pb, py, ps]) => x.aekit_conv2d_forward(px, pw, pb, py, ps, a, slope));
    },
    conv2dBackwardInput(dy, w, dx, g, beta): void {
      checkConv('conv2dBackwardInput', g, dx, w, dy);
      heap.call([IN(dy), IN(w), ACC(dx, beta), IN(convSizes(g))], ([pdy, pw, pdx, ps]) => x.aekit_conv2d_backward_input(pdy, pw, pdx, ps, beta));
    },
    conv2dBackwardFilter(xs, dy, dw, g, beta): void {
      checkConv('conv2dBackwardFilter', g, xs, dw, dy);
      heap.call([IN(xs), IN(dy), ACC(dw, beta), IN(convSizes(g))], ([px, pdy, pdw, ps]) => x.aekit_conv2d_backward_filter(px, pdy, pdw, ps, beta));
    },
    maxPool2d(xs, y, indices, g): void {
      const K = 'maxPool2d';
      const ok = g.planes >= 0 && g.inHeight > 0 && g.inWidth > 0 && g.outHeight > 0 && g.outWidth > 0 && g.kernelH > 0 && g.kernelW > 0 &&
        g.strideH > 0 && g.strideW > 0 && g.padH >= 0 && g.padW >= 0;
      if (!ok) throw new RangeError(`aekit wasm ${K}: sizes out of range`);
      const out = g.planes * g.outHeight * g.outWidth;
      need(K, 'x', xs, g.planes * g.inHeight * g.inWidth); need(K, 'y', y, out);
      if (indices.length < out) throw new RangeError(`aekit wasm ${K}: indices too short`);
      const sizes = ints([g.planes, g.inHeight, g.inWidth, g.outHeight, g.outWidth, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW]);
      heap.call([IN(xs), OUT(y), OUT(indices), IN(sizes)], ([px, py, pi, ps]) => x.aekit_max_pool2d(px, py, pi, ps));
    },
    scatterAdd(src, indices, dst, planes, srcSize, dstSize, beta): void {
      dims('scatterAdd', planes, srcSize, dstSize);
      need('scatterAdd', 'src', src, planes * srcSize); need('scatterAdd', 'dst', dst, planes * dstSize);
      checkIndices('scatterAdd', indices, planes * srcSize, dstSize);
      heap.call([IN(src), IN(indices), ACC(dst, beta)], ([ps, pi, pd]) => x.aekit_scatter_add(ps, pi, pd, planes, srcSize, dstSize, beta));
    },
    gather(src, indices, dst, planes, srcSize, dstSize, beta): void {
      dims('gather', planes, srcSize, dstSize);
      need('gather', 'src', src, planes * srcSize); need('gather', 'dst', dst, planes * dstSize);
      checkIndices('gather', indices, planes * dstSize, srcSize);
      heap.call([IN(src), IN(indices), ACC(dst, beta)], ([ps, pi, pd]) => x.aekit_gather(ps, pi, pd, planes, srcSize, dstSize, beta));
    },
    channelStats(xs, n, channels, spatial, mean, variance): void {
      const K = 'channelStats';
      dims(K, n, channels, spatial, n * channels * spatial);
      need(K, 'x', xs, n * channels * spatial); need(K, 'mean', mean, channels); need(K, 'variance', variance, channels);
      heap.call([IN(xs), OUT(mean), OUT(variance)], ([px, pm, pv]) => x.aekit_channel_stats(px, n, channels, spatial, pm, pv));
    },
    batchNormApply(xs, n, channels, spatial, mean, scale, shift, y): void {
      const K = 'batchNormApply';
      dims(K, n, channels, spatial, n * channels * spatial);
      const size = n * channels * spatial;
      need(K, 'x', xs, size); need(K, 'mean', mean, channels); need(K, 'scale', scale, channels); need(K, 'shift', shift, channels); need(K, 'y', y, size);
      heap.call([IN(xs), IN(mean), IN(scale), IN(shift), OUT(y)],
        ([px, pm, psc, psh, py]) => x.aekit_batch_norm_apply(px, n, channels, spatial, pm, psc, psh, py));
    },
    batchNormBackward(xs, dy, n, channels, spatial, mean, invStd, gamma, batchStats, dx, beta, dGamma, dBeta): void {
      const K = 'batchNormBackward';
      dims(K, n, channels, spatial, n * channels * spatial);
      const size = n * channels * spatial;
      need(K, 'x', xs, size); need(K, 'dy', dy, size); need(K, 'dx', dx, size);
      for (const [name, a] of [['mean', mean], ['invStd', invStd], ['gamma', gamma], ['dGamma', dGamma], ['dBeta', dBeta]] as const) need(K, name, a, channels);
      heap.call([IN(xs), IN(dy), IN(mean), IN(invStd), IN(gamma), ACC(dx, beta), OUT(dGamma), OUT(dBeta)],
        ([px, pdy, pm, pis, pg, pdx, pdg, pdb]) => x.aekit_batch_norm_backward(px, pdy, n, channels, spatial, pm, pis, pg, +batchStats, pdx, beta, pdg, pdb));
    },
    softmaxCrossEntropy(logits, labels, n, classes, positions, weights, grad): [number, number] {
      const K = 'softmaxCrossEntropy';
      dims(K, n, classes, positions, n * classes * positions);
      const size = n * classes * positions;
      need(K, 'logits', logits, size); need(K, 'labels', labels, n * positions);
      if (weights) need(K, 'weights', weights, classes);
      if (grad) need(K, 'grad', grad, size);
      checkLabels(K, labels, n * positions, classes);
      const out = new Float64Array(2);
      heap.call([IN(logits), IN(labels), IN(weights), OUT(grad), OUT(out)],
        ([pz, pl, pw, pg, po]) => x.aekit_softmax_cross_entropy(pz, pl, pw, pg, n, classes, positions, po));
      return [out[0], out[1]];
    },
    softJaccard(logits, labels, n, classes, positions, grad): number {
      const K = 'softJaccard';
      dims(K, n, classes, positions, n * classes * positions);
      const size = n * classes * positions;
      need(K, 'logits', logits, size); need(K, 'labels', labels, n * positions);
      if (grad) need(K, 'grad', grad, size);
      checkLabels(K, labels, n * positions, classes);
      return heap.call([IN(logits), IN(labels), OUT(grad)], ([pz, pl, pg]) => x.aekit_soft_jaccard(pz, pl, pg, n, classes, positions));
    },
    gemmBlocking(): WasmGemmBlocking {
      const out = new Int32Array(4);
      heap.call([OUT(out)], ([po]) => x.aekit_gemm_blocking(po));
      return { mr: out[0], nr: out[1], kc: out[2], mc: out[3] };
    },
  };
}
