/**
 * Convolutions and max pooling over NCHW tensors. Three backend kernels serve both convolutions:
 * the transposed convolution's forward pass is the convolution's input gradient, its input
 * gradient is the convolution's forward pass, and both weight gradients are the same kernel with
 * input and output exchanged. Pooling keeps the argmax indices that its backward pass and a
 * SegNet decoder's unpooling put values back at.
 */
import type { Activation, Backend, ConvGeometry } from '../../backend/backend.js';
import { ShapeError } from '../../errors.js';
import { accumulateGrad, record } from '../autograd.js';
import { formatShape } from '../shape.js';
import { getBackend, getPool, Tensor } from '../tensor.js';

/** A convolution's hyperparameters, per spatial axis as [height, width]. */
export interface ConvOptions {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

/**
 * The output length of a convolution along one axis: ⌊(in + 2p − d(k − 1) − 1) / s⌋ + 1.
 * @example
 * convOutputSize(5, 3, 2, 1); // 3
 */
export function convOutputSize(input: number, kernel: number, stride: number, padding: number, dilation = 1): number {
  return Math.floor((input + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * The output length of a transposed convolution along one axis: s(in − 1) − 2p + d(k − 1) +
 * outputPadding + 1 (Dumoulin & Visin's s(i − 1) + k − 2p, plus the output padding, for d = 1).
 * @example
 * convTransposeOutputSize(3, 3, 2, 1, 1); // 6
 */
export function convTransposeOutputSize(input: number, kernel: number, stride: number, padding: number, outputPadding = 0, dilation = 1): number {
  return stride * (input - 1) - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
}

/** The geometry of the convolution taking `input` [n, c, h, w] with weight [outC, c / groups, kh, kw] to `output` [n, outC, oh, ow]. */
function geometry(input: readonly number[], output: readonly number[], weight: readonly number[], o: ConvOptions): ConvGeometry {
  return {
    batch: input[0], inChannels: input[1], inHeight: input[2], inWidth: input[3],
    outChannels: output[1], outHeight: output[2], outWidth: output[3], kernelH: weight[2], kernelW: weight[3],
    strideH: o.stride[0], strideW: o.stride[1], padH: o.padding[0], padW: o.padding[1],
    dilationH: o.dilation[0], dilationW: o.dilation[1], groups: o.groups,
  };
}

function checkBias(op: string, bias: Tensor | null, channels: number): void {
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== channels)) {
    throw new ShapeError(`${op}: bias ${formatShape(bias.shape)} does not fit ${channels} output channels`);
  }
}

/** Writes into `out` (with accumulateGrad's beta) what `compute(buffer)` overwrites a buffer with. */
function writeOrAdd(backend: Backend, out: Float32Array, beta: 0 | 1, compute: (buffer: Float32Array) => void): void {
  if (beta === 0) {
    compute(out);
    return;
  }
  const pool = getPool();
  const buffer = pool.take(out.length);
  compute(buffer);
  backend.axpby(buffer, 1, out, 1);
  pool.give(buffer);
}

/** db = beta · db + Σ over images and pixels of g, per channel (g is [n, c, …pixels]). */
function channelSums(backend: Backend, g: Float32Array, shape: readonly number[], db: Float32Array, beta: 0 | 1): void {
  const pixels = shape.slice(2).reduce((a, b) => a * b, 1);
  writeOrAdd(backend, db, beta, (out) => backend.reduceSum(g, [shape[0], shape[1], pixels], out, [0, 1, 0]));
}

/**
 * The 2-d convolution (cross-correlation, as in every framework) of x [n, c, h, w] with weight
 * [outC, c / groups, kh, kw], plus a bias per output channel, then the activation (fused: applied
 * as the output is written, its derivative taken from the output).
 * @example
 * const y = conv2d(x, w, b, { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 });
 */
export function conv2d(x: Tensor, w: Tensor, bias: Tensor | null, options: ConvOptions, act: Activation = 'identity', slope = 0.01): Tensor {
  const { stride, padding, dilation, groups } = options;
  if (x.shape.length !== 4 || w.shape.length !== 4 || x.shape[1] !== w.shape[1] * groups || w.shape[0] % groups !== 0) {
    throw new ShapeError(`conv2d: input ${formatShape(x.shape)} does not fit weight ${formatShape(w.shape)} in ${groups} group(s) (expected input [batch, ${w.shape[1] * groups}, height, width])`);
  }
  checkBias('conv2d', bias, w.shape[0]);
  const outShape = [x.shape[0], w.shape[0],
    convOutputSize(x.shape[2], w.shape[2], stride[0], padding[0], dilation[0]), convOutputSize(x.shape[3], w.shape[3], stride[1], padding[1], dilation[1])];
  if (outShape[2] < 1 || outShape[3] < 1) throw new ShapeError(`conv2d: input ${formatShape(x.shape)} is smaller than the dilated kernel ${formatShape(w.shape)}`);
  const g = geometry(x.shape, outShape, w.shape, options);
  const backend = getBackend();
  const y = Tensor.empty(outShape);
  backend.conv2dForward(x.data, w.data, bias ? bias.data : null, y.data, g, act, slope);
  return record(y, {
    op: `conv2d(${act})`,
    inputs: bias ? [x, w, bias] : [x, w],
    backward(dy) {
      // dy is y's own gradient buffer, used by nothing else after this: the activation's derivative overwrites it.
      if (act !== 'identity') backend.activationBackward(dy, y.data, dy, act, slope);
      accumulateGrad(x, (dx, beta) => backend.conv2dBackwardInput(dy, w.data, dx, g, beta));
      accumulateGrad(w, (dw, beta) => backend.conv2dBackwardFilter(x.data, dy, dw, g, beta));
      if (bias) accumulateGrad(bias, (db, beta) => channelSums(backend, dy, outShape, db, beta));
    },
  });
}

/** A transposed convolution's hyperparameters: a convolution's, and the output padding that picks among the input sizes a strided convolution maps to one size. */
export interface ConvTransposeOptions extends ConvOptions {
  outputPadding: [number, number];
}

/**
 * The transposed convolution of x [n, c, h, w] with weight [c, outC / groups, kh, kw] (the layout
 * of the convolution it transposes, which maps outC channels to c), plus a bias per output channel:
 * the gradient of that convolution with respect to its input.
 * @example
 * const up = convTranspose2d(h, w, b, { stride: [2, 2], padding: [1, 1], outputPadding: [1, 1], dilation: [1, 1], groups: 1 });
 */
export function convTranspose2d(x: Tensor, w: Tensor, bias: Tensor | null, options: ConvTransposeOptions): Tensor {
  const { stride, padding, dilation, groups, outputPadding } = options;
  if (x.shape.length !== 4 || w.shape.length !== 4 || x.shape[1] !== w.shape[0] || w.shape[0] % groups !== 0) {
    throw new ShapeError(`conv_transpose2d: input ${formatShape(x.shape)} does not fit weight ${formatShape(w.shape)} (expected input [batch, ${w.shape[0]}, height, width])`);
  }
  for (const axis of [0, 1]) {
    if (outputPadding[axis] >= Math.max(stride[axis], dilation[axis])) {
      throw new ShapeError(`conv_transpose2d: output padding ${outputPadding[axis]} must be smaller than the stride or the dilation (${stride[axis]}, ${dilation[axis]})`);
    }
  }
  const outChannels = w.shape[1] * groups;
  checkBias('conv_transpose2d', bias, outChannels);
  const outShape = [x.shape[0], outChannels,
    convTransposeOutputSize(x.shape[2], w.shape[2], stride[0], padding[0], outputPadding[0], dilation[0]),
    convTransposeOutputSize(x.shape[3], w.shape[3], stride[1], padding[1], outputPadding[1], dilation[1])];
  if (outShape[2] < 1 || outShape[3] < 1) throw new ShapeError(`conv_transpose2d: padding leaves no output from input ${formatShape(x.shape)}`);
  // The convolution this one transposes: from our output (its input) to our input (its output).
  const g = geometry(outShape, x.shape, w.shape, options);
  const backend = getBackend();
  const y = Tensor.empty(outShape);
  backend.conv2dBackwardInput(x.data, w.data, y.data, g, 0);
  if (bias) {
    const pixels = outShape[2] * outShape[3];
    backend.binary('add', y.data, [outChannels * pixels, pixels, 1], bias.data, [0, 1, 0], y.data, [outShape[0], outChannels, pixels]);
  }
  return record(y, {
    op: 'conv_transpose2d',
    inputs: bias ? [x, w, bias] : [x, w],
    backward(dy) {
      accumulateGrad(x, (dx, beta) => writeOrAdd(backend, dx, beta, (out) => backend.conv2dForward(dy, w.data, null, out, g, 'identity', 0)));
      accumulateGrad(w, (dw, beta) => backend.conv2dBackwardFilter(dy, x.data, dw, g, beta));
      if (bias) accumulateGrad(bias, (db, beta) => channelSums(backend, dy, outShape, db, beta));
    },
  });
}

/** A max pooling's window, per spatial axis as [height, width]. */
export interface PoolOptions {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
}

/**
 * Pooled values and, for each, its place in its input plane (row · width + column). The indices
 * belong to y (`Tensor.savedIndices`): valid until y is freed, then back in the buffer pool.
 */
export interface Pooled {
  y: Tensor;
  indices: Int32Array;
}

/**
 * Max pooling of x [n, c, h, w]; the indices say where each maximum was, as unpooling needs.
 * @example
 * const { y, indices } = maxPool2d(x, { kernel: [2, 2], stride: [2, 2], padding: [0, 0] });
 */
export function maxPool2d(x: Tensor, options: PoolOptions): Pooled {
  const { kernel, stride, padding } = options;
  if (x.shape.length !== 4) throw new ShapeError(`max_pool2d: expected an input [batch, channels, height, width], got ${formatShape(x.shape)}`);
  if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1]) throw new ShapeError(`max_pool2d: padding [${padding.join(', ')}] must be at most half the kernel [${kernel.join(', ')}]`);
  const [n, c, h, w] = x.shape;
  const outH = convOutputSize(h, kernel[0], stride[0], padding[0]);
  const outW = convOutputSize(w, kernel[1], stride[1], padding[1]);
  if (outH < 1 || outW < 1) throw new ShapeError(`max_pool2d: input ${formatShape(x.shape)} is smaller than the kernel [${kernel.join(', ')}]`);
  const backend = getBackend();
  const y = Tensor.empty([n, c, outH, outW]);
  // Owned by y, so that the buffer is recycled with it: the backward pass and a partner
  // unpooling read it only while the step's tensors live.
  const indices = y.savedIndices(y.size);
  backend.maxPool2d(x.data, y.data, indices, {
    planes: n * c, inHeight: h, inWidth: w, outHeight: outH, outWidth: outW,
    kernelH: kernel[0], kernelW: kernel[1], strideH: stride[0], strideW: stride[1], padH: padding[0], padW: padding[1],
  });
  const out = record(y, {
    op: 'max_pool2d',
    inputs: [x],
    backward(dy) {
      accumulateGrad(x, (dx, beta) => backend.scatterAdd(dy, indices, dx, n * c, outH * outW, h * w, beta));
    },
  });
  return { y: out, indices };
}

/**
 * Max unpooling: x [n, c, h, w] put back at `indices` (from the max pooling of an input of
 * `size` [height, width]) in planes of that size, zeros elsewhere.
 * @example
 * const up = maxUnpool2d(y, indices, [28, 28]);
 */
export function maxUnpool2d(x: Tensor, indices: Int32Array, size: [number, number]): Tensor {
  if (x.shape.length !== 4 || indices.length !== x.size) {
    throw new ShapeError(`max_unpool2d: input ${formatShape(x.shape)} and ${indices.length} indices do not match (the indices of the pooling that made an input of this shape)`);
  }
  const [n, c, h, w] = x.shape;
  const backend = getBackend();
  const y = Tensor.empty([n, c, size[0], size[1]]);
  backend.scatterAdd(x.data, indices, y.data, n * c, h * w, size[0] * size[1], 0);
  return record(y, {
    op: 'max_unpool2d',
    inputs: [x],
    backward(dy) {
      accumulateGrad(x, (dx, beta) => backend.gather(dy, indices, dx, n * c, size[0] * size[1], h * w, beta));
    },
  });
}
