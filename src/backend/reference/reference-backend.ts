/**
 * The reference backend: plain TypeScript, written to be obviously right rather than fast.
 * It is the specification the native backend is tested against.
 */
import type {
  Activation, AdamParams, Backend, BinaryOp, ConvGeometry, GemmParams, SgdParams, UnaryOp,
} from '../backend.js';

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

function activate(z: number, act: Activation, slope: number): number {
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

/** Creates the reference backend. */
export function createReferenceBackend(): Backend {
  return {
    name: 'reference',

    gemm({ m, n, k, a, transA, b, transB, c, alpha, beta }: GemmParams): void {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let p = 0; p < k; p++) {
            const av = transA ? a[p * m + i] : a[i * k + p];
            const bv = transB ? b[j * k + p] : b[p * n + j];
            acc += av * bv;
          }
          c[i * n + j] = alpha * acc + (beta === 0 ? 0 : beta * c[i * n + j]);
        }
      }
    },

    linearForward(x, w, bias, y, m, k, n, act, slope): void {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = bias ? bias[j] : 0;
          for (let p = 0; p < k; p++) acc += x[i * k + p] * w[j * k + p];
          y[i * n + j] = activate(acc, act, slope);
        }
      }
    },

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

    squaredError(pred, target, grad, scale): number {
      let acc = 0;
      for (let i = 0; i < pred.length; i++) {
        const d = pred[i] - target[i];
        acc += d * d;
        if (grad) grad[i] = 2 * scale * d;
      }
      return scale * acc;
    },

    bceWithLogits(logits, target, grad, scale): number {
      let acc = 0;
      for (let i = 0; i < logits.length; i++) {
        const z = logits[i];
        const t = target[i];
        acc += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
        if (grad) grad[i] = scale * (sigmoid(z) - t);
      }
      return scale * acc;
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

    adamStep(p, g, m, v, { lr, beta1, beta2, eps, step, l2, weightDecay }: AdamParams): void {
      const c1 = 1 - Math.pow(beta1, step);
      const c2 = 1 - Math.pow(beta2, step);
      const shrink = 1 - lr * weightDecay;
      const gradDecay = 2 * l2;
      for (let i = 0; i < p.length; i++) {
        const grad = g[i] + gradDecay * p[i];
        m[i] = beta1 * m[i] + (1 - beta1) * grad;
        v[i] = beta2 * v[i] + (1 - beta2) * grad * grad;
        const update = (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
        p[i] = shrink * p[i] - lr * update;
      }
    },

    sgdStep(p, g, velocity, { lr, momentum, nesterov, l2, weightDecay }: SgdParams): void {
      const shrink = 1 - lr * weightDecay;
      const gradDecay = 2 * l2;
      for (let i = 0; i < p.length; i++) {
        const grad = g[i] + gradDecay * p[i];
        if (momentum === 0) {
          p[i] = shrink * p[i] - lr * grad;
          continue;
        }
        velocity[i] = momentum * velocity[i] + grad;
        p[i] = shrink * p[i] - lr * (nesterov ? grad + momentum * velocity[i] : velocity[i]);
      }
    },

    allFinite(a): boolean {
      for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
      return true;
    },

    hammingRank(codes, words, query, indices, distances): void {
      // A counting sort over the possible distances keeps equal distances in index order.
      const n = indices.length;
      const unsorted = new Uint8Array(n);
      const starts = new Uint32Array(257);
      for (let i = 0; i < n; i++) {
        let d = 0;
        for (let w = 0; w < words; w++) d += popcount((query[w] ^ codes[i * words + w]) >>> 0);
        unsorted[i] = d;
        starts[d + 1]++;
      }
      for (let d = 1; d < starts.length; d++) starts[d] += starts[d - 1];
      for (let i = 0; i < n; i++) {
        const at = starts[unsorted[i]]++;
        indices[at] = i;
        distances[at] = unsorted[i];
      }
    },

    conv2dForward(x, w, bias, y, g, act, slope): void {
      const out = new Float64Array(y.length);
      forEachTap(g, (xi, wi, yi) => { out[yi] += x[xi] * w[wi]; });
      const plane = g.outHeight * g.outWidth;
      for (let i = 0; i < y.length; i++) y[i] = activate(out[i] + (bias ? bias[Math.floor(i / plane) % g.outChannels] : 0), act, slope);
    },

    conv2dBackwardInput(dy, w, dx, g, beta): void {
      const out = new Float64Array(dx.length);
      forEachTap(g, (xi, wi, yi) => { out[xi] += dy[yi] * w[wi]; });
      for (let i = 0; i < dx.length; i++) dx[i] = out[i] + (beta === 0 ? 0 : beta * dx[i]);
    },

    conv2dBackwardFilter(x, dy, dw, g, beta): void {
      const out = new Float64Array(dw.length);
      forEachTap(g, (xi, wi, yi) => { out[wi] += x[xi] * dy[yi]; });
      for (let i = 0; i < dw.length; i++) dw[i] = out[i] + (beta === 0 ? 0 : beta * dw[i]);
    },

    maxPool2d(x, y, indices, g): void {
      const inPlane = g.inHeight * g.inWidth;
      let o = 0;
      for (let p = 0; p < g.planes; p++) {
        for (let oh = 0; oh < g.outHeight; oh++) {
          for (let ow = 0; ow < g.outWidth; ow++, o++) {
            let best = -Infinity;
            let at = -1;
            for (let kh = 0; kh < g.kernelH; kh++) {
              const ih = oh * g.strideH - g.padH + kh;
              if (ih < 0 || ih >= g.inHeight) continue;
              for (let kw = 0; kw < g.kernelW; kw++) {
                const iw = ow * g.strideW - g.padW + kw;
                if (iw < 0 || iw >= g.inWidth) continue;
                const v = x[p * inPlane + ih * g.inWidth + iw];
                // The first largest wins; a NaN wins at once and stays (it propagates, as in PyTorch).
                if (at < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
                  best = v;
                  at = ih * g.inWidth + iw;
                }
              }
            }
            y[o] = best;
            indices[o] = at;
          }
        }
      }
    },

    scatterAdd(src, indices, dst, planes, srcSize, dstSize, beta): void {
      for (let i = 0; i < dst.length; i++) dst[i] = beta === 0 ? 0 : beta * dst[i];
      for (let p = 0; p < planes; p++) {
        for (let i = 0; i < srcSize; i++) dst[p * dstSize + indices[p * srcSize + i]] += src[p * srcSize + i];
      }
    },

    gather(src, indices, dst, planes, srcSize, dstSize, beta): void {
      for (let p = 0; p < planes; p++) {
        for (let i = 0; i < dstSize; i++) {
          const o = p * dstSize + i;
          dst[o] = src[p * srcSize + indices[o]] + (beta === 0 ? 0 : beta * dst[o]);
        }
      }
    },

    channelStats(x, n, channels, spatial, mean, variance): void {
      const count = n * spatial;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        forEachOfChannel(n, channels, spatial, c, (i) => { sum += x[i]; });
        const mu = count > 0 ? sum / count : 0;
        let squares = 0;
        forEachOfChannel(n, channels, spatial, c, (i) => { squares += (x[i] - mu) ** 2; });
        mean[c] = mu;
        variance[c] = count > 0 ? squares / count : 0;
      }
    },

    batchNormApply(x, n, channels, spatial, mean, scale, shift, y): void {
      for (let c = 0; c < channels; c++) forEachOfChannel(n, channels, spatial, c, (i) => { y[i] = (x[i] - mean[c]) * scale[c] + shift[c]; });
    },

    batchNormBackward(x, dy, n, channels, spatial, mean, invStd, gamma, batchStats, dx, beta, dGamma, dBeta): void {
      const count = n * spatial;
      for (let c = 0; c < channels; c++) {
        let sumDy = 0;
        let sumDyXhat = 0;
        forEachOfChannel(n, channels, spatial, c, (i) => {
          sumDy += dy[i];
          sumDyXhat += dy[i] * (x[i] - mean[c]) * invStd[c];
        });
        dGamma[c] = sumDyXhat;
        dBeta[c] = sumDy;
        forEachOfChannel(n, channels, spatial, c, (i) => {
          const xhat = (x[i] - mean[c]) * invStd[c];
          const centred = batchStats ? dy[i] - (sumDy + xhat * sumDyXhat) / count : dy[i];
          dx[i] = gamma[c] * invStd[c] * centred + (beta === 0 ? 0 : beta * dx[i]);
        });
      }
    },

    softmaxCrossEntropy(logits, labels, n, classes, positions, weights, grad): [number, number] {
      let loss = 0;
      let weightSum = 0;
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < positions; p++) {
          const label = labels[i * positions + p];
          if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
            throw new RangeError(`softmaxCrossEntropy: label ${label} at ${i * positions + p} is not a class`);
          }
          const at = (c: number) => (i * classes + c) * positions + p;
          let max = -Infinity;
          for (let c = 0; c < classes; c++) max = Math.max(max, logits[at(c)]);
          let sumExp = 0;
          for (let c = 0; c < classes; c++) sumExp += Math.exp(logits[at(c)] - max);
          const w = weights ? weights[label] : 1;
          loss += w * (max + Math.log(sumExp) - logits[at(label)]);
          weightSum += w;
          if (grad) {
            for (let c = 0; c < classes; c++) grad[at(c)] = w * (Math.exp(logits[at(c)] - max) / sumExp - (c === label ? 1 : 0));
          }
        }
      }
      return [loss, weightSum];
    },
  };
}

/** Calls visit(index) for every element of channel c of x viewed as [n, channels, spatial]. */
function forEachOfChannel(n: number, channels: number, spatial: number, c: number, visit: (index: number) => void): void {
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < spatial; s++) visit((i * channels + c) * spatial + s);
  }
}

/**
 * Calls visit(x index, w index, y index) for every multiply of the convolution: each output
 * pixel with each tap of its group's input channels that falls inside the input. The three
 * convolution kernels are this one loop, accumulating into a different array.
 */
function forEachTap(g: ConvGeometry, visit: (xi: number, wi: number, yi: number) => void): void {
  const inPerGroup = g.inChannels / g.groups;
  const outPerGroup = g.outChannels / g.groups;
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      const group = Math.floor(oc / outPerGroup);
      for (let oh = 0; oh < g.outHeight; oh++) {
        for (let ow = 0; ow < g.outWidth; ow++) {
          const yi = ((n * g.outChannels + oc) * g.outHeight + oh) * g.outWidth + ow;
          for (let ic = 0; ic < inPerGroup; ic++) {
            const c = group * inPerGroup + ic;
            for (let kh = 0; kh < g.kernelH; kh++) {
              const ih = oh * g.strideH - g.padH + kh * g.dilationH;
              if (ih < 0 || ih >= g.inHeight) continue;
              for (let kw = 0; kw < g.kernelW; kw++) {
                const iw = ow * g.strideW - g.padW + kw * g.dilationW;
                if (iw < 0 || iw >= g.inWidth) continue;
                visit(((n * g.inChannels + c) * g.inHeight + ih) * g.inWidth + iw, ((oc * inPerGroup + ic) * g.kernelH + kh) * g.kernelW + kw, yi);
              }
            }
          }
        }
      }
    }
  }
}

/** The number of 1 bits in a 32-bit word (the SWAR count). */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
