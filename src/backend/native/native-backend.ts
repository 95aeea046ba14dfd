/**
 * The native backend: a thin TypeScript face over the C++ addon (build/Release/aekit_native.node).
 * Kernels are passed positional arguments and the Float32Arrays themselves (views included: the
 * addon reads each view's byteOffset), so a call costs a few hundred nanoseconds of N-API glue.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ACTIVATIONS, BINARY_OPS, UNARY_OPS,
  type Activation, type AdamParams, type Backend, type BinaryOp, type ConvGeometry, type GemmParams, type SgdParams, type UnaryOp,
} from '../backend.js';
import { BackendError } from '../../errors.js';
import { applyTuning, type TuningAddon, type TuningStatus } from './tuning.js';

/** The addon's exports (see native/binding.cc). */
export interface Addon extends TuningAddon {
  gemm(m: number, n: number, k: number, a: Float32Array, transA: boolean, b: Float32Array, transB: boolean,
    c: Float32Array, alpha: number, beta: number): void;
  linearForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
    m: number, k: number, n: number, act: number, slope: number): void;
  activationBackward(dy: Float32Array, y: Float32Array, dz: Float32Array, act: number, slope: number): void;
  unary(op: number, a: Float32Array, out: Float32Array, p0: number, p1: number): void;
  binary(op: number, a: Float32Array, aStrides: readonly number[], b: Float32Array, bStrides: readonly number[],
    out: Float32Array, shape: readonly number[]): void;
  reduceSum(a: Float32Array, shape: readonly number[], out: Float32Array, outStrides: readonly number[]): void;
  sumRows(a: Float32Array, m: number, n: number, out: Float32Array, beta: number): void;
  squaredError(pred: Float32Array, target: Float32Array, grad: Float32Array | null, scale: number): number;
  bceWithLogits(logits: Float32Array, target: Float32Array, grad: Float32Array | null, scale: number): number;
  sum(a: Float32Array): number;
  sumSquares(a: Float32Array): number;
  allFinite(a: Float32Array): boolean;
  axpby(a: Float32Array, alpha: number, out: Float32Array, beta: number): void;
  adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, beta1: number,
    beta2: number, eps: number, step: number, gradDecay: number, decoupledDecay: number): void;
  sgdStep(p: Float32Array, g: Float32Array, velocity: Float32Array, lr: number, momentum: number,
    nesterov: boolean, gradDecay: number, decoupledDecay: number): void;
  hammingRank(codes: Uint32Array, words: number, query: Uint32Array, indices: Uint32Array, distances: Uint8Array): void;
  conv2dForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, sizes: number[], act: number, slope: number): void;
  conv2dBackwardInput(dy: Float32Array, w: Float32Array, dx: Float32Array, sizes: number[], beta: number): void;
  conv2dBackwardFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, sizes: number[], beta: number): void;
  maxPool2d(x: Float32Array, y: Float32Array, indices: Int32Array, sizes: number[]): void;
  scatterAdd(src: Float32Array, indices: Int32Array, dst: Float32Array, planes: number, srcSize: number, dstSize: number, beta: number): void;
  gather(src: Float32Array, indices: Int32Array, dst: Float32Array, planes: number, srcSize: number, dstSize: number, beta: number): void;
  channelStats(x: Float32Array, n: number, channels: number, spatial: number, mean: Float32Array, variance: Float32Array): void;
  batchNormApply(x: Float32Array, n: number, channels: number, spatial: number, mean: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array): void;
  batchNormBackward(x: Float32Array, dy: Float32Array, n: number, channels: number, spatial: number, mean: Float32Array,
    invStd: Float32Array, gamma: Float32Array, batchStats: boolean, dx: Float32Array, beta: number, dGamma: Float32Array, dBeta: Float32Array): void;
  softmaxCrossEntropy(logits: Float32Array, labels: Float32Array, n: number, classes: number, positions: number,
    weights: Float32Array | null, grad: Float32Array | null): [number, number];
  softJaccard(logits: Float32Array, labels: Float32Array, n: number, classes: number, positions: number, grad: Float32Array | null): number;
  info(): { isa: string; threads: number } & GemmBlocking;
  kernelNames(): KernelNames;
  setThreads(n: number): number;
  setIsa(isa: string): string;
  setConvAlgo(algo: string): string;
  peakGflops(seconds: number): number;
  corePeakGflops(seconds: number): number;
}

/** The package root: the nearest folder above this file holding binding.gyp or package.json (works from src/ under tsx and from dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'binding.gyp')) || existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the package root (no binding.gyp or package.json above the native backend)');
    dir = parent;
  }
}

let addon: Addon | null = null;
/** What became of the tuning cache when the addon loaded. */
let tuning: TuningStatus = { state: 'off' };
/** The loaded addon file's digest: which build of the kernels a tuning was measured with. */
let kernels = '';
/** Why the addon could not be loaded (short, for the fallback warning), once a load failed. */
let loadFailure: string | null = null;

function load(): Addon {
  if (addon) return addon;
  if (loadFailure === null) {
    let path = '';
    try {
      path = join(packageRoot(), 'build', 'Release', 'aekit_native.node');
      if (!existsSync(path)) {
        loadFailure = `${path} is missing; build it with "npm run build" or "node scripts/build-native.mjs"`;
      } else {
        const loaded = createRequire(import.meta.url)(path) as Addon;
        const mismatch = kernelNameMismatch(loaded.kernelNames());
        if (mismatch) {
          loadFailure = `${path} was built from other sources: ${mismatch}; rebuild it with "node scripts/build-native.mjs"`;
        } else {
          addon = loaded;
          kernels = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
          tuning = applyTuning(addon, { isa: addon.info().isa, kernels });
          return addon;
        }
      }
    } catch (e) {
      loadFailure = `${path || 'the addon'} failed to load: ${(e as Error).message}`;
    }
  }
  throw new BackendError(`aekit: native backend unavailable: ${loadFailure}`);
}

/** The op and activation names the addon's kernels take by number, in the order of its enums (native/kernel_names.h). */
export interface KernelNames { activations: string[]; unaryOps: string[]; binaryOps: string[] }

/**
 * How the addon's names differ from this backend's lists (ACTIVATIONS, UNARY_OPS, BINARY_OPS,
 * which index them), or null when they agree: an addon built from other sources would otherwise
 * run the wrong op for a name.
 */
export function kernelNameMismatch(names: KernelNames): string | null {
  const lists: [string, readonly string[], string[]][] = [
    ['activations', ACTIVATIONS, names.activations], ['unary ops', UNARY_OPS, names.unaryOps], ['binary ops', BINARY_OPS, names.binaryOps],
  ];
  for (const [what, ours, theirs] of lists) {
    if (ours.length !== theirs.length || ours.some((name, i) => name !== theirs[i])) {
      return `its ${what} are [${theirs.join(', ')}], this backend's [${ours.join(', ')}]`;
    }
  }
  return null;
}

/** The addon's kernel names (see KernelNames). */
export function nativeKernelNames(): KernelNames {
  return load().kernelNames();
}

/** The reason the native addon is unavailable (null when it loaded or was never tried). */
export function nativeLoadFailure(): string | null {
  return loadFailure;
}

const ACT_INDEX = new Map<Activation, number>(ACTIVATIONS.map((a, i) => [a, i]));
const UNARY_INDEX = new Map<UnaryOp, number>(UNARY_OPS.map((a, i) => [a, i]));
const BINARY_INDEX = new Map<BinaryOp, number>(BINARY_OPS.map((a, i) => [a, i]));

function index<T>(map: Map<T, number>, key: T, what: string): number {
  const i = map.get(key);
  if (i === undefined) throw new BackendError(`aekit native: unknown ${what} "${String(key)}"`);
  return i;
}

/** A convolution's sizes in the order native/kernels.h's ConvGeom holds them. */
function convSizes(g: ConvGeometry): number[] {
  return [g.batch, g.inChannels, g.inHeight, g.inWidth, g.outChannels, g.outHeight, g.outWidth, g.kernelH, g.kernelW,
    g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.groups];
}

/** Creates the native backend; throws BackendError when the addon is missing or does not load. */
export function createNativeBackend(): Backend {
  return nativeBackendOver(load());
}

/**
 * The native backend over an addon already loaded (benchmarks load a saved build beside the
 * current one to time them in one process); the addon must have this backend's kernel names.
 * @example
 * const before = nativeBackendOver(createRequire(import.meta.url)('/tmp/before.node'));
 */
export function nativeBackendOver(n: Addon): Backend {
  const mismatch = kernelNameMismatch(n.kernelNames());
  if (mismatch) throw new BackendError(`aekit native: the addon was built from other sources: ${mismatch}`);
  return {
    name: 'native',
    gemm({ m, n: cols, k, a, transA, b, transB, c, alpha, beta }: GemmParams): void {
      n.gemm(m, cols, k, a, transA, b, transB, c, alpha, beta);
    },
    linearForward(x, w, bias, y, m, k, cols, act, slope): void {
      n.linearForward(x, w, bias, y, m, k, cols, index(ACT_INDEX, act, 'activation'), slope);
    },
    activationBackward(dy, y, dz, act, slope): void {
      n.activationBackward(dy, y, dz, index(ACT_INDEX, act, 'activation'), slope);
    },
    unary(op, a, out, p0, p1): void {
      n.unary(index(UNARY_INDEX, op, 'unary op'), a, out, p0, p1);
    },
    binary(op, a, aStrides, b, bStrides, out, shape): void {
      n.binary(index(BINARY_INDEX, op, 'binary op'), a, aStrides, b, bStrides, out, shape);
    },
    reduceSum(a, shape, out, outStrides): void {
      n.reduceSum(a, shape, out, outStrides);
    },
    sumRows(a, m, cols, out, beta): void {
      n.sumRows(a, m, cols, out, beta);
    },
    squaredError(pred, target, grad, scale): number {
      return n.squaredError(pred, target, grad, scale);
    },
    bceWithLogits(logits, target, grad, scale): number {
      return n.bceWithLogits(logits, target, grad, scale);
    },
    sum(a): number {
      return n.sum(a);
    },
    sumSquares(a): number {
      return n.sumSquares(a);
    },
    axpby(a, alpha, out, beta): void {
      n.axpby(a, alpha, out, beta);
    },
    adamStep(p, g, m, v, { lr, beta1, beta2, eps, step, l2, weightDecay }: AdamParams): void {
      n.adamStep(p, g, m, v, lr, beta1, beta2, eps, step, 2 * l2, weightDecay);
    },
    sgdStep(p, g, velocity, { lr, momentum, nesterov, l2, weightDecay }: SgdParams): void {
      n.sgdStep(p, g, velocity, lr, momentum, nesterov, 2 * l2, weightDecay);
    },
    hammingRank(codes, words, query, indices, distances): void {
      n.hammingRank(codes, words, query, indices, distances);
    },
    conv2dForward(x, w, bias, y, g, act, slope): void {
      n.conv2dForward(x, w, bias, y, convSizes(g), index(ACT_INDEX, act, 'activation'), slope);
    },
    conv2dBackwardInput(dy, w, dx, g, beta): void {
      n.conv2dBackwardInput(dy, w, dx, convSizes(g), beta);
    },
    conv2dBackwardFilter(x, dy, dw, g, beta): void {
      n.conv2dBackwardFilter(x, dy, dw, convSizes(g), beta);
    },
    maxPool2d(x, y, indices, g): void {
      n.maxPool2d(x, y, indices, [g.planes, g.inHeight, g.inWidth, g.outHeight, g.outWidth, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW]);
    },
    scatterAdd(src, indices, dst, planes, srcSize, dstSize, beta): void {
      n.scatterAdd(src, indices, dst, planes, srcSize, dstSize, beta);
    },
    gather(src, indices, dst, planes, srcSize, dstSize, beta): void {
      n.gather(src, indices, dst, planes, srcSize, dstSize, beta);
    },
    channelStats(x, batch, channels, spatial, mean, variance): void {
      n.channelStats(x, batch, channels, spatial, mean, variance);
    },
    batchNormApply(x, batch, channels, spatial, mean, scale, shift, y): void {
      n.batchNormApply(x, batch, channels, spatial, mean, scale, shift, y);
    },
    batchNormBackward(x, dy, batch, channels, spatial, mean, invStd, gamma, batchStats, dx, beta, dGamma, dBeta): void {
      n.batchNormBackward(x, dy, batch, channels, spatial, mean, invStd, gamma, batchStats, dx, beta, dGamma, dBeta);
    },
    softmaxCrossEntropy(logits, labels, batch, classes, positions, weights, grad): [number, number] {
      return n.softmaxCrossEntropy(logits, labels, batch, classes, positions, weights, grad);
    },
    softJaccard(logits, labels, batch, classes, positions, grad): number {
      return n.softJaccard(logits, labels, batch, classes, positions, grad);
    },
    allFinite(a): boolean {
      return n.allFinite(a);
    },
  };
}

/** The instruction set the addon dispatched to ("avx512", "avx2" or "baseline") and its thread count. */
export function nativeInfo(): { isa: string; threads: number } {
  const { isa, threads } = load().info();
  return { isa, threads };
}

/**
 * The active ISA's GEMM blocking: the micro-tile (mr rows x nr columns of C per kernel call) and
 * the cache blocks (kc: depth of a packed panel, sized for L1; mc: rows of a packed A block, for L2).
 */
export interface GemmBlocking { mr: number; nr: number; kc: number; mc: number }

export function nativeGemmBlocking(): GemmBlocking {
  const { mr, nr, kc, mc } = load().info();
  return { mr, nr, kc, mc };
}

/**
 * FP32 FMA throughput on all pool threads with the best ISA (many independent accumulator
 * chains, best of repeated rounds over about `seconds`; 0 runs a single round, about 16 ms on
 * this machine), in GFLOP/s: the GEMM benchmark samples its peak from single rounds.
 */
export function measurePeakGflops(seconds = 1): number {
  return load().peakGflops(seconds);
}

/**
 * The same FMA loop on the calling thread alone, timed by its CPU clock: GFLOP per CPU-second of
 * one core. Unlike wall-clock peak it is not lowered by other processes sharing the cores, so it
 * gives a contention-independent denominator for CPU-time efficiency.
 */
export function measureCorePeakGflops(seconds = 0.3): number {
  return load().corePeakGflops(seconds);
}

/** Testing/benchmark hook: the number of threads native kernels use (caller included). Returns the count set. */
export function setNativeThreads(threads: number): number {
  return load().setThreads(threads);
}

/** Testing hook: lowers (never raises above the CPU's) the ISA the kernels dispatch to. Returns the ISA in use. */
export function setNativeIsa(isa: 'avx512' | 'avx2' | 'baseline'): string {
  return load().setIsa(isa);
}

/**
 * Testing and tuning hook: every convolution's forward and input gradient run im2col + GEMM or
 * the direct kernels; 'auto' restores the per-shape choice. Returns the setting in force.
 */
export function setNativeConvAlgo(algo: 'auto' | 'im2col' | 'direct'): string {
  return load().setConvAlgo(algo);
}

/** Whether this machine's tuning cache (`aekit tune`) was applied when the addon loaded, and if not why. */
export function nativeTuningStatus(): TuningStatus {
  load();
  return tuning;
}

/**
 * The loaded addon's build, as a digest of its file: a tuning measured with other kernels (an
 * older aekit, a rebuild after a change) is not applied.
 */
export function nativeKernelsDigest(): string {
  load();
  return kernels;
}

/** The addon's tuning hooks, for `aekit tune` and the benchmarks (see tuning.ts). */
export function nativeTuningHooks(): TuningAddon & { setConvAlgo(algo: 'auto' | 'im2col' | 'direct'): string } {
  const n = load();
  return {
    setConvTuned: (pass, sizes, algo) => n.setConvTuned(pass, sizes, algo),
    clearConvTuned: () => n.clearConvTuned(),
    convRule: (pass, sizes) => n.convRule(pass, sizes),
    setConvAlgo: (algo) => n.setConvAlgo(algo),
  };
}
