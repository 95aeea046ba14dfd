/**
 * The reference backend's part for elementwise maps, broadcasting binary ops, sums and reductions (native/elementwise.cc).
 * Plain TypeScript written to be obviously right: the specification the native kernels are tested against.
 */
import type { Activation, Backend, BinaryOp, UnaryOp } from '../backend.js';

/** The logistic function, without overflow for large |z|. */
export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** act(z) for the activations the linear layer and the convolution fuse. */
export function activate(z: number, act: Activation, slope: number): number {
  switch (act) {
    case 'identity': return z;
    case 'sigmoid': return sigmoid(z);
    case 'tanh': return Math.tanh(z);
    case 'relu': return z > 0 ? z : 0;
    case 'leaky_relu': return z > 0 ? z : slope * z;
  }
}

/** act'(z) expressed through y = act(z). */
function derivativeFromOutput(y: number, act: Activation, slope: number): number {
  switch (act) {
    case 'identity': return 1;
    case 'sigmoid': return y * (1 - y);
    case 'tanh': return 1 - y * y;
    case 'relu': return y > 0 ? 1 : 0;
    // With slope > 0, y > 0 exactly when z > 0.
    case 'leaky_relu': return y > 0 ? 1 : slope;
  }
}

function unaryValue(op: UnaryOp, x: number, p0: number, p1: number): number {
  switch (op) {
    case 'neg': return -x;
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'square': return x * x;
    case 'sqrt': return Math.sqrt(x);
    case 'abs': return Math.abs(x);
    case 'sign': return x > 0 ? 1 : x < 0 ? -1 : 0;
    case 'sigmoid': return sigmoid(x);
    case 'tanh': return Math.tanh(x);
    case 'relu': return x > 0 ? x : 0;
    case 'leaky_relu': return x > 0 ? x : p0 * x;
    case 'clamp': return x < p0 ? p0 : x > p1 ? p1 : x;
    case 'add_scalar': return x + p0;
    case 'mul_scalar': return x * p0;
    case 'pow_scalar': return Math.pow(x, p0);
    case 'rsub_scalar': return p0 - x;
    case 'rdiv_scalar': return p0 / x;
  }
}

function binaryValue(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'max': return a > b ? a : b;
    case 'min': return a < b ? a : b;
  }
}

/** Visits every index of `shape` in row-major order, passing the offsets given by each stride set. */
function forEachIndex(shape: readonly number[], strides: readonly (readonly number[])[],
  visit: (linear: number, offsets: number[]) => void): void {
  const rank = shape.length;
  const total = shape.reduce((p, d) => p * d, 1);
  const index = new Array<number>(rank).fill(0);
  const offsets = strides.map(() => 0);
  for (let linear = 0; linear < total; linear++) {
    visit(linear, offsets);
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      for (let s = 0; s < strides.length; s++) offsets[s] += strides[s][d];
      if (index[d] < shape[d]) break;
      for (let s = 0; s < strides.length; s++) offsets[s] -= strides[s][d] * shape[d];
      index[d] = 0;
    }
  }
}

/** The elementwise kernels of the Backend interface. */
export const elementwiseKernels: Pick<Backend, 'activationBackward' | 'unary' | 'binary' | 'reduceSum' | 'sumRows' | 'sum' | 'sumSquares' | 'axpby' | 'allFinite'> = {
  activationBackward(dy, y, dz, act, slope): void {
    for (let i = 0; i < y.length; i++) dz[i] = dy[i] * derivativeFromOutput(y[i], act, slope);
  },

  unary(op, a, out, p0, p1): void {
    for (let i = 0; i < a.length; i++) out[i] = unaryValue(op, a[i], p0, p1);
  },

  binary(op, a, aStrides, b, bStrides, out, shape): void {
    forEachIndex(shape, [aStrides, bStrides], (i, [ao, bo]) => {
      out[i] = binaryValue(op, a[ao], b[bo]);
    });
  },

  reduceSum(a, shape, out, outStrides): void {
    const outSize = shape.reduce((p, d, i) => p * (outStrides[i] === 0 ? 1 : d), 1);
    out.fill(0, 0, outSize);
    forEachIndex(shape, [outStrides], (i, [oo]) => {
      out[oo] += a[i];
    });
  },

  sumRows(a, m, n, out, beta): void {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let i = 0; i < m; i++) acc += a[i * n + j];
      out[j] = (beta === 0 ? 0 : beta * out[j]) + acc;
    }
  },

  sum(a): number {
    let acc = 0;
    for (let i = 0; i < a.length; i++) acc += a[i];
    return acc;
  },

  sumSquares(a): number {
    let acc = 0;
    for (let i = 0; i < a.length; i++) acc += a[i] * a[i];
    return acc;
  },

  axpby(a, alpha, out, beta): void {
    for (let i = 0; i < a.length; i++) out[i] = alpha * a[i] + (beta === 0 ? 0 : beta * out[i]);
  },

  allFinite(a): boolean {
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
    return true;
  },
};
