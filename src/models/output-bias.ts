/**
 * The decoder's last bias, started at the data's mean instead of zero.
 *
 * Why: with a zero bias a sigmoid output starts at 0.5 for every pixel, while most of MNIST's
 * pixels are 0 (a logit near −7). Adam moves each bias by about one learning rate per step, so
 * the quickest way down the loss is through the code: the code units turn into constants (they
 * saturate, mostly at 1) and their decoder weights draw the mean image. A saturated sigmoid has
 * almost no gradient, so those units never come back, and the model stays on the mean-image
 * plateau. Measured (`.scratch`-style sweep, 784-30-784 sigmoid, 55,000 digits, 20 epochs, batches
 * of 128, lr 2e-3): test sse 32.3 with a zero bias, 80% of the code values within 0.01 of 0 or 1
 * and the median unit's standard deviation over the test set 0.0006 (dead); 10.6 with the bias
 * at the logit of the mean, 0.6% saturated. Starting the output at the mean is the usual advice
 * for a last layer (its bias carries the data's first moment, the weights only the rest).
 */
import type { Matrix } from '../data/dataset.js';
import type { Layer } from '../nn/layer.js';
import type { Sequential } from '../nn/sequential.js';
import { sizeOf } from '../tensor/index.js';
import type { OutputConfig } from './config.js';

/** Mean values are clamped to [EDGE, 1 − EDGE] before the logit: a pixel always 0 starts at −6.9, not −∞. */
const EDGE = 1e-3;

/** Layers that only reshape: a bias before them still maps onto the model's output values. */
const SHAPE_ONLY = new Set(['reshape', 'flatten']);

/**
 * Sets the decoder's last bias so that, with all weights zero, the model would output the mean of
 * `train` (per feature, or per channel for a convolution): the logit of the mean for a sigmoid
 * output, the mean itself for a linear one. Left alone when the bias is not all zeros (a model
 * that was trained or loaded), when the layer has an activation of its own, or when a layer that
 * changes values (an uncenter, which adds the input mean back) follows it.
 * @param decoder the model's decoder
 * @param output the output activation and loss
 * @param train rows of the model's input (and target) space
 * @returns whether the bias was set
 * @example
 * startOutputAtMean(model.decoder, model.output, train);
 */
export function startOutputAtMean(decoder: Sequential, output: OutputConfig, train: Matrix): boolean {
  const found = lastBias(decoder);
  if (!found || train.n === 0 || train.features !== sizeOf(decoder.outputShape)) return false;
  const { bias } = found;
  if (bias.some((v) => v !== 0)) return false;
  const features = train.features;
  if (features % bias.length !== 0) return false;
  // Each bias value serves a run of `per` consecutive output values: one (dense) or a channel's plane (convolution).
  const per = features / bias.length;
  const sums = new Float64Array(bias.length);
  for (let i = 0; i < train.n; i++) {
    const row = i * features;
    for (let j = 0; j < features; j++) sums[Math.floor(j / per)] += train.x[row + j];
  }
  for (let c = 0; c < bias.length; c++) {
    const mean = sums[c] / (train.n * per);
    if (output.activation === 'sigmoid') {
      const p = Math.min(1 - EDGE, Math.max(EDGE, mean));
      bias[c] = Math.log(p / (1 - p));
    } else {
      bias[c] = mean;
    }
  }
  return true;
}

/** The bias of the decoder's last layer with parameters, when only reshapes follow it and it has no activation. */
function lastBias(decoder: Sequential): { bias: Float32Array } | null {
  const layers = decoder.layers;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    const bias = layer.parameters(decoder.tensorPrefix(i)).find((p) => p.kind === 'bias');
    if (bias) return activationOf(layer) === 'identity' ? { bias: bias.tensor.data } : null;
    if (!SHAPE_ONLY.has(layer.type)) return null;
  }
  return null;
}

function activationOf(layer: Layer): string {
  return (layer.spec() as { activation?: string }).activation ?? 'identity';
}
