/**
 * The reference backend's part for one optimizer step over a flat parameter array (native/optimizers.cc).
 * Plain TypeScript written to be obviously right: the specification the native kernels are tested against.
 */
import type { AdamParams, Backend, SgdParams } from '../backend.js';

/** The optimizers kernels of the Backend interface. */
export const optimizersKernels: Pick<Backend, 'adamStep' | 'sgdStep'> = {
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
};
