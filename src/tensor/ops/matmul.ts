/**
 * Matrix product with transpose flags: the primitive behind every dense layer's gradient.
 */
import { ShapeError } from '../../errors.js';
import { accumulateGrad, record } from '../autograd.js';
import { formatShape } from '../shape.js';
import { getBackend, Tensor } from '../tensor.js';

/**
 * C = op(A) · op(B), where op transposes when its flag is set. Both operands are 2-D.
 * @example
 * const c = matmul(a, b, false, true); // a · bᵀ
 */
export function matmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new ShapeError(`matmul: needs 2-D operands, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== kb) {
    throw new ShapeError(`matmul: inner sizes differ: ${formatShape(a.shape)}${transA ? 'ᵀ' : ''} · ${formatShape(b.shape)}${transB ? 'ᵀ' : ''}`);
  }
  const backend = getBackend();
  const out = Tensor.empty([m, n]);
  backend.gemm({ m, n, k, a: a.data, transA, b: b.data, transB, c: out.data, alpha: 1, beta: 0 });
  return record(out, {
    op: 'matmul',
    inputs: [a, b],
    backward(g) {
      // dA = dC · op(B)ᵀ, laid out as A is stored (transposed again when transA).
      accumulateGrad(a, (da, beta) => {
        if (transA) backend.gemm({ m: k, n: m, k: n, a: b.data, transA: transB, b: g, transB: true, c: da, alpha: 1, beta });
        else backend.gemm({ m, n: k, k: n, a: g, transA: false, b: b.data, transB: !transB, c: da, alpha: 1, beta });
      });
      // dB = op(A)ᵀ · dC, laid out as B is stored.
      accumulateGrad(b, (db, beta) => {
        if (transB) backend.gemm({ m: n, n: k, k: m, a: g, transA: true, b: a.data, transB: transA, c: db, alpha: 1, beta });
        else backend.gemm({ m: k, n, k: m, a: a.data, transA: !transA, b: g, transB: false, c: db, alpha: 1, beta });
      });
    },
  });
}
