/**
 * Elementwise primitives: unary functions and scalar ops, and the four arithmetic operators with
 * numpy-style broadcasting. Each has its backward here.
 */
import type { BinaryOp, UnaryOp } from '../../backend/backend.js';
import { accumulateGrad, accumulateGradOverwrite, record } from '../autograd.js';
import { broadcastShapes, broadcastStrides, sameShape } from '../shape.js';
import { getBackend, getPool, Tensor } from '../tensor.js';

const contiguous = (shape: readonly number[]): number[] => broadcastStrides(shape, shape);

/** out = a ⊙ b for same-length contiguous arrays. */
function multiply(a: Float32Array, b: Float32Array, out: Float32Array): void {
  getBackend().binary('mul', a, [1], b, [1], out, [a.length]);
}

/** d out / d x for each unary op, as a factor written into `into` (x: input, y: output). */
function unaryBackward(op: UnaryOp, x: Float32Array, y: Float32Array, g: Float32Array, into: Float32Array, p0: number, p1: number): void {
  const backend = getBackend();
  switch (op) {
    case 'neg': case 'rsub_scalar': backend.axpby(g, -1, into, 0); return;
    case 'add_scalar': backend.axpby(g, 1, into, 0); return;
    case 'mul_scalar': backend.axpby(g, p0, into, 0); return;
    case 'exp': multiply(g, y, into); return;
    case 'sigmoid': case 'tanh': case 'relu':
      backend.activationBackward(g, y, into, op, 0); return;
    case 'leaky_relu': backend.activationBackward(g, y, into, op, p0); return;
    default:
      // The rest are cheap and rarely on a hot path: written out once here.
      for (let i = 0; i < g.length; i++) into[i] = g[i] * localDerivative(op, x[i], y[i], p0, p1);
  }
}

function localDerivative(op: UnaryOp, x: number, y: number, p0: number, p1: number): number {
  switch (op) {
    case 'log': return 1 / x;
    case 'square': return 2 * x;
    case 'sqrt': return 0.5 / y;
    case 'abs': return x > 0 ? 1 : x < 0 ? -1 : 0;
    case 'sign': return 0;
    case 'clamp': return x >= p0 && x <= p1 ? 1 : 0;
    case 'pow_scalar': return p0 * Math.pow(x, p0 - 1);
    case 'rdiv_scalar': return -y / x;
    default: throw new Error(`unreachable: ${op}`);
  }
}

/**
 * f(x) elementwise; p0 and p1 are the op's parameters (the scalar, the slope, clamp's bounds).
 * @example
 * unary('clamp', x, 0, 1);
 */
export function unary(op: UnaryOp, x: Tensor, p0 = 0, p1 = 0): Tensor {
  const out = Tensor.empty(x.shape);
  getBackend().unary(op, x.data, out.data, p0, p1);
  return record(out, {
    op,
    inputs: [x],
    backward(g) {
      accumulateGradOverwrite(x, (into) => unaryBackward(op, x.data, out.data, g, into, p0, p1));
    },
  });
}

/**
 * a ∘ b elementwise with broadcasting (shapes align from the right; size-1 axes stretch).
 * @example
 * binary('add', x, bias); // [m, n] + [n]
 */
export function binary(op: Exclude<BinaryOp, 'max' | 'min'>, a: Tensor, b: Tensor): Tensor {
  const backend = getBackend();
  const shape = broadcastShapes(op, a.shape, b.shape);
  const aStrides = broadcastStrides(a.shape, shape);
  const bStrides = broadcastStrides(b.shape, shape);
  const out = Tensor.empty(shape);
  backend.binary(op, a.data, aStrides, b.data, bStrides, out.data, shape);
  const full = contiguous(shape);

  /** Adds `term(g)` (a full-shape array) into t's gradient, summed over t's broadcast axes. */
  const sendTo = (t: Tensor, strides: number[], term: (g: Float32Array, into: Float32Array) => void, g: Float32Array): void => {
    if (!t.requiresGrad) return;
    const pool = getPool();
    const scratch = pool.take(out.size);
    term(g, scratch);
    if (sameShape(t.shape, shape)) accumulateGrad(t, (dt, beta) => backend.axpby(scratch, 1, dt, beta));
    else accumulateGradOverwrite(t, (dt) => backend.reduceSum(scratch, shape, dt, strides));
    pool.give(scratch);
  };
  const copy = (g: Float32Array, into: Float32Array): void => backend.axpby(g, 1, into, 0);
  const negate = (g: Float32Array, into: Float32Array): void => backend.axpby(g, -1, into, 0);
  const times = (t: Tensor, strides: number[]) => (g: Float32Array, into: Float32Array): void =>
    backend.binary('mul', g, full, t.data, strides, into, shape);

  return record(out, {
    op,
    inputs: [a, b],
    backward(g) {
      switch (op) {
        case 'add':
          sendTo(a, aStrides, copy, g);
          sendTo(b, bStrides, copy, g);
          return;
        case 'sub':
          sendTo(a, aStrides, copy, g);
          sendTo(b, bStrides, negate, g);
          return;
        case 'mul':
          sendTo(a, aStrides, times(b, bStrides), g);
          sendTo(b, bStrides, times(a, aStrides), g);
          return;
        case 'div':
          // d(a/b)/da = 1/b; d(a/b)/db = −(a/b)/b = −out/b.
          sendTo(a, aStrides, (gr, into) => backend.binary('div', gr, full, b.data, bStrides, into, shape), g);
          sendTo(b, bStrides, (gr, into) => {
            backend.binary('mul', gr, full, out.data, full, into, shape);
            backend.binary('div', into, full, b.data, bStrides, into, shape);
            backend.axpby(into, -1, into, 0);
          }, g);
          return;
      }
    },
  });
}

/** a + b with broadcasting. */
export const add = (a: Tensor, b: Tensor): Tensor => binary('add', a, b);
/** a − b with broadcasting. */
export const sub = (a: Tensor, b: Tensor): Tensor => binary('sub', a, b);
/** a ⊙ b with broadcasting. */
export const mul = (a: Tensor, b: Tensor): Tensor => binary('mul', a, b);
/** a / b with broadcasting. */
export const div = (a: Tensor, b: Tensor): Tensor => binary('div', a, b);
/** e^x */
export const exp = (x: Tensor): Tensor => unary('exp', x);
/** ln x */
export const log = (x: Tensor): Tensor => unary('log', x);
/** x² */
export const square = (x: Tensor): Tensor => unary('square', x);
/** √x */
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
/** |x| */
export const abs = (x: Tensor): Tensor => unary('abs', x);
/** −x */
export const neg = (x: Tensor): Tensor => unary('neg', x);
/** 1 / (1 + e^−x) */
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
/** tanh x */
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
/** max(x, 0) */
export const relu = (x: Tensor): Tensor => unary('relu', x);
/** x for x > 0, slope · x otherwise. */
export const leakyRelu = (x: Tensor, slope = 0.01): Tensor => unary('leaky_relu', x, slope);
/** x limited to [low, high]. */
export const clamp = (x: Tensor, low: number, high: number): Tensor => unary('clamp', x, low, high);
/** x + s */
export const addScalar = (x: Tensor, s: number): Tensor => unary('add_scalar', x, s);
/** x · s */
export const mulScalar = (x: Tensor, s: number): Tensor => unary('mul_scalar', x, s);
/** x^p */
export const powScalar = (x: Tensor, p: number): Tensor => unary('pow_scalar', x, p);
/** s − x */
export const rsubScalar = (x: Tensor, s: number): Tensor => unary('rsub_scalar', x, s);
/** s / x */
export const rdivScalar = (x: Tensor, s: number): Tensor => unary('rdiv_scalar', x, s);
