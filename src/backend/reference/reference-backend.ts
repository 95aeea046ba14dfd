/**
 * The reference backend: plain TypeScript, written to be obviously right rather than fast.
 * It is the specification the native backend is tested against. Its kernels are split into files
 * along native/'s (gemm, elementwise, losses, soft Jaccard, optimizers, hamming, conv,
 * normalization), so each native kernel file has its specification beside it under the same name.
 */
import type { Backend } from '../backend.js';
import { convKernels } from './conv.js';
import { elementwiseKernels } from './elementwise.js';
import { gemmKernels } from './gemm.js';
import { hammingKernels } from './hamming.js';
import { lossesKernels } from './losses.js';
import { normalizationKernels } from './normalization.js';
import { optimizersKernels } from './optimizers.js';
import { softJaccardKernels } from './soft-jaccard.js';

/** Creates the reference backend. */
export function createReferenceBackend(): Backend {
  return {
    name: 'reference',
    ...gemmKernels,
    ...elementwiseKernels,
    ...lossesKernels,
    ...softJaccardKernels,
    ...optimizersKernels,
    ...hammingKernels,
    ...convKernels,
    ...normalizationKernels,
  };
}
