/**
 * Sums over axes (the primitive) and means (a composite: a sum times a scalar).
 */
import { accumulateGrad, record } from '../autograd.js';
import { normalizeAxes } from '../shape.js';
import { getBackend, Tensor } from '../tensor.js';
import { mulScalar } from './elementwise.js';

/** The one-element zero array that `binary` reads with stride 0 to broadcast a gradient back. */
const ZERO = new Float32Array(1);

/**
 * Σ over `axes` (all axes by default); `keepDims` leaves the summed axes in place with size 1.
 * @example
 * sum(x, 0); // column sums of a matrix
 */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const reduced = normalizeAxes('sum', axes, x.shape.length);
  const keptShape = x.shape.map((d, i) => (reduced.includes(i) ? 1 : d));
  // Strides of the output seen from the input's index space: 0 on summed axes.
  const outStrides = new Array<number>(x.shape.length).fill(0);
  for (let i = x.shape.length - 1, stride = 1; i >= 0; i--) {
    if (!reduced.includes(i)) {
      outStrides[i] = stride;
      stride *= x.shape[i];
    }
  }
  const outShape = keepDims ? keptShape : x.shape.filter((_, i) => !reduced.includes(i));
  const backend = getBackend();
  const out = Tensor.empty(outShape);
  backend.reduceSum(x.data, x.shape, out.data, outStrides);
  return record(out, {
    op: 'sum',
    inputs: [x],
    backward(g) {
      // Every input element receives the gradient of the sum it went into.
      accumulateGrad(x, (dx, beta) => {
        if (beta === 0) backend.binary('add', g, outStrides, ZERO, outStrides.map(() => 0), dx, x.shape);
        else backend.binary('add', dx, stridesOf(x.shape), g, outStrides, dx, x.shape);
      });
    },
  });
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let i = shape.length - 1, s = 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * The mean over `axes` (all by default).
 * @example
 * mean(h, 0); // each hidden unit's mean activation over the batch
 */
export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const reduced = normalizeAxes('mean', axes, x.shape.length);
  const count = reduced.reduce((p, i) => p * x.shape[i], 1);
  return mulScalar(sum(x, reduced, keepDims), 1 / count);
}
