/** The tensor layer: Tensor, tidy scopes, autograd and the primitive ops. */
export { Tensor, tidy, getBackend, setBackend, setBackendChooser, withBackend, getPool, sizeOf, type GradNode } from './tensor.js';
export { backward, findNonFinite, noGrad, tapeOf } from './autograd.js';
export { matmul } from './ops/matmul.js';
export { linear } from './ops/linear.js';
export * from './ops/elementwise.js';
export { sum, mean } from './ops/reduce.js';
export { squaredError, bceWithLogits, rowBceWithLogits, softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from './ops/loss.js';
export { softJaccard } from './ops/soft-jaccard.js';
export { reshape } from './ops/reshape.js';
export { batchNorm, channelStatistics, type BatchNormOptions, type ChannelStatistics } from './ops/normalization.js';
export { upsample, type UpsampleMode } from './ops/upsample.js';
export { conv2d, convOutputSize, convTranspose2d, convTransposeOutputSize, maxPool2d, maxUnpool2d, type ConvOptions, type ConvTransposeOptions, type Pooled, type PoolOptions } from './ops/conv.js';
