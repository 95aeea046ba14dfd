/**
 * The reference backend's part for convolution, its two gradients, max pooling with indices, and their scatter/gather (native/conv.cc).
 * Plain TypeScript written to be obviously right: the specification the native kernels are tested against.
 */
import type { Backend, ConvGeometry } from '../backend.js';
import { activate } from './elementwise.js';

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

/** The conv kernels of the Backend interface. */
export const convKernels: Pick<Backend, 'conv2dForward' | 'conv2dBackwardInput' | 'conv2dBackwardFilter' | 'maxPool2d' | 'scatterAdd' | 'gather'> = {
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
};
