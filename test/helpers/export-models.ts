/**
 * Small models that both export checks (ONNX Runtime and PyTorch) run, declared once so that
 * the two exports are held to the same layers.
 */
import type { AutoencoderConfigInput } from '../../src/models/config.js';

/** Layer norm over an image (after a convolution) and over a vector, mirrored into the decoder. */
export const LAYER_NORM_MODEL: AutoencoderConfigInput = {
  input: [1, 6, 6],
  encoder: [
    { type: 'conv2d', filters: 2, kernel: 3, stride: 2, padding: 1, activation: 'relu' }, { type: 'layer_norm' },
    { type: 'flatten' }, { type: 'dense', units: 5, activation: 'tanh' }, { type: 'layer_norm', eps: 1e-3 }, { type: 'dense', units: 3 },
  ],
  decoder: 'mirror',
  output: { activation: 'sigmoid', loss: 'bce' },
};
