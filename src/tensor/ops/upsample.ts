/**
 * Upsampling of NCHW images by whole factors: nearest neighbour, or bilinear with PyTorch's
 * align_corners=False sampling (output pixel i samples the input at (i + 0.5) / scale − 0.5,
 * clamped at the edges). Both are one separable interpolation: each output row and column mixes
 * two input ones with two weights, which the backward pass spreads back.
 */
import { ShapeError } from '../../errors.js';
import { accumulateGrad, record } from '../autograd.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/** How to fill the new pixels. */
export type UpsampleMode = 'nearest' | 'bilinear';

/** For each output index along one axis: the two input indices it mixes and their weights. */
interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  wLo: Float64Array;
  wHi: Float64Array;
}

function axisTaps(input: number, scale: number, mode: UpsampleMode): AxisTaps {
  const n = input * scale;
  const taps = { lo: new Int32Array(n), hi: new Int32Array(n), wLo: new Float64Array(n), wHi: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    if (mode === 'nearest') {
      taps.lo[i] = taps.hi[i] = Math.floor(i / scale);
      taps.wLo[i] = 1;
      continue;
    }
    const src = Math.max(0, (i + 0.5) / scale - 0.5);
    const lo = Math.min(Math.floor(src), input - 1);
    taps.lo[i] = lo;
    taps.hi[i] = Math.min(lo + 1, input - 1);
    taps.wHi[i] = src - lo;
    taps.wLo[i] = 1 - taps.wHi[i];
  }
  return taps;
}

/**
 * x [n, c, h, w] upsampled to [n, c, h · scale[0], w · scale[1]].
 * @example
 * upsample(x, [2, 2], 'bilinear');
 */
export function upsample(x: Tensor, scale: [number, number], mode: UpsampleMode): Tensor {
  if (x.shape.length !== 4) throw new ShapeError(`upsample: expected an input [batch, channels, height, width], got ${formatShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  const rows = axisTaps(h, scale[0], mode);
  const cols = axisTaps(w, scale[1], mode);
  const oh = h * scale[0];
  const ow = w * scale[1];
  const planes = n * c;
  const y = Tensor.empty([n, c, oh, ow]);
  const xd = x.data;
  const yd = y.data;
  for (let p = 0; p < planes; p++) {
    const inBase = p * h * w;
    for (let i = 0; i < oh; i++) {
      const r0 = inBase + rows.lo[i] * w;
      const r1 = inBase + rows.hi[i] * w;
      const a = rows.wLo[i];
      const b = rows.wHi[i];
      const outRow = (p * oh + i) * ow;
      for (let j = 0; j < ow; j++) {
        const c0 = cols.lo[j];
        const c1 = cols.hi[j];
        yd[outRow + j] = a * (cols.wLo[j] * xd[r0 + c0] + cols.wHi[j] * xd[r0 + c1]) + b * (cols.wLo[j] * xd[r1 + c0] + cols.wHi[j] * xd[r1 + c1]);
      }
    }
  }
  return record(y, {
    op: `upsample(${mode})`,
    inputs: [x],
    backward(dy) {
      accumulateGrad(x, (dx, beta) => {
        if (beta === 0) dx.fill(0);
        for (let p = 0; p < planes; p++) {
          const inBase = p * h * w;
          for (let i = 0; i < oh; i++) {
            const r0 = inBase + rows.lo[i] * w;
            const r1 = inBase + rows.hi[i] * w;
            const a = rows.wLo[i];
            const b = rows.wHi[i];
            const outRow = (p * oh + i) * ow;
            for (let j = 0; j < ow; j++) {
              const g = dy[outRow + j];
              dx[r0 + cols.lo[j]] += a * cols.wLo[j] * g;
              dx[r0 + cols.hi[j]] += a * cols.wHi[j] * g;
              dx[r1 + cols.lo[j]] += b * cols.wLo[j] * g;
              dx[r1 + cols.hi[j]] += b * cols.wHi[j] * g;
            }
          }
        }
      });
    },
  });
}
