/**
 * Batch normalisation as one op over [batch, channels, …] (Ioffe & Szegedy 2015): each channel
 * standardised with a mean and a variance, then scaled by γ and shifted by β. Fused rather than
 * composed from elementwise ops, so a step is three sweeps over the data (statistics, normalisation,
 * backward) instead of a dozen.
 */
import { ShapeError } from '../../errors.js';
import { accumulateGrad, record } from '../autograd.js';
import { formatShape } from '../shape.js';
import { getBackend, getPool, Tensor } from '../tensor.js';

/** A channel's mean and (biased) variance, one value per channel. */
export interface ChannelStatistics {
  mean: Float32Array;
  variance: Float32Array;
}

/** How batchNorm standardises. */
export interface BatchNormOptions extends ChannelStatistics {
  eps: number;
  /**
   * True when mean and variance are x's own (training): then they depend on x and their gradient
   * flows back into it. False for fixed statistics (the running ones at inference).
   */
  fromBatch: boolean;
}

/** x's layout as [n, channels, spatial]. */
function planes(x: Tensor, what: string): [number, number, number] {
  if (x.shape.length < 2) throw new ShapeError(`${what}: expected [batch, channels, …], got ${formatShape(x.shape)}`);
  const [n, channels] = x.shape;
  return [n, channels, n * channels > 0 ? x.size / (n * channels) : 0];
}

/**
 * The mean and the biased variance of each channel of x [batch, channels, …], over the batch and
 * the positions: the statistics batch normalisation standardises with while training.
 * @example
 * const { mean, variance } = channelStatistics(x); // x [32, 16, 64, 64]: 16 of each
 */
export function channelStatistics(x: Tensor): ChannelStatistics {
  const [n, channels, spatial] = planes(x, 'channelStatistics');
  const stats = { mean: new Float32Array(channels), variance: new Float32Array(channels) };
  getBackend().channelStats(x.data, n, channels, spatial, stats.mean, stats.variance);
  return stats;
}

/**
 * γ·(x − mean)/√(variance + eps) + β per channel of x [batch, channels, …], with its gradient
 * with respect to x, γ and β.
 * @example
 * const y = batchNorm(x, gamma, beta, { ...channelStatistics(x), eps: 1e-5, fromBatch: true });
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, options: BatchNormOptions): Tensor {
  const [n, channels, spatial] = planes(x, 'batchNorm');
  const { mean, variance, eps, fromBatch } = options;
  for (const [name, v] of [['gamma', gamma.size], ['beta', beta.size], ['mean', mean.length], ['variance', variance.length]] as const) {
    if (v !== channels) throw new ShapeError(`batchNorm: ${name} has ${v} values for ${channels} channels of ${formatShape(x.shape)}`);
  }
  const backend = getBackend();
  const invStd = Float32Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
  const scale = Float32Array.from(invStd, (s, c) => gamma.data[c] * s);
  const y = Tensor.empty(x.shape);
  backend.batchNormApply(x.data, n, channels, spatial, mean, scale, beta.data, y.data);
  return record(y, {
    op: 'batch_norm',
    inputs: [x, gamma, beta],
    backward(dy) {
      const dGamma = new Float32Array(channels);
      const dBeta = new Float32Array(channels);
      // The input gradient is written straight into x's gradient; γ's and β's are per-channel sums.
      const sums = (dx: Float32Array, betaScale: number) =>
        backend.batchNormBackward(x.data, dy, n, channels, spatial, mean, invStd, gamma.data, fromBatch, dx, betaScale, dGamma, dBeta);
      if (x.requiresGrad) accumulateGrad(x, sums);
      else {
        const scratch = getPool().take(x.size);
        sums(scratch, 0);
        getPool().give(scratch);
      }
      accumulateGrad(gamma, (d, b) => { for (let c = 0; c < channels; c++) d[c] = dGamma[c] + (b === 0 ? 0 : b * d[c]); });
      accumulateGrad(beta, (d, b) => { for (let c = 0; c < channels; c++) d[c] = dBeta[c] + (b === 0 ? 0 : b * d[c]); });
    },
  });
}
