/**
 * The reference backend's part for the dense products (native/gemm.cc): the GEMM and the fused linear layer.
 * Plain TypeScript written to be obviously right: the specification the native kernels are tested against.
 */
import type { Backend, GemmParams } from '../backend.js';
import { activate } from './elementwise.js';

/** The gemm kernels of the Backend interface. */
export const gemmKernels: Pick<Backend, 'gemm' | 'linearForward'> = {
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
};
