/**
 * The reference backend's part for batch normalisation: channel statistics, the affine map and its gradient (native/normalization.cc).
 * Plain TypeScript written to be obviously right: the specification the native kernels are tested against.
 */
import type { Backend } from '../backend.js';

/** Calls visit(index) for every element of channel c of x viewed as [n, channels, spatial]. */
function forEachOfChannel(n: number, channels: number, spatial: number, c: number, visit: (index: number) => void): void {
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < spatial; s++) visit((i * channels + c) * spatial + s);
  }
}

/** The normalization kernels of the Backend interface. */
export const normalizationKernels: Pick<Backend, 'channelStats' | 'batchNormApply' | 'batchNormBackward'> = {
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
};
