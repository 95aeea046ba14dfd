/**
 * The fused dense layer y = act(x · Wᵀ + b): one GEMM with bias and activation applied as the
 * product is written, which is where a training step spends its time.
 */
import type { Activation } from '../../backend/backend.js';
import { ShapeError } from '../../errors.js';
import { accumulateGrad, record } from '../autograd.js';
import { formatShape } from '../shape.js';
import { getBackend, Tensor } from '../tensor.js';

/**
 * act(x · wᵀ + bias) for x of shape [m, k], w of shape [n, k] (nn.Linear's [out, in]) and bias [n].
 * @param slope leaky relu's negative slope (ignored by other activations)
 * @example
 * const h = linear(x, w, b, 'sigmoid');
 */
export function linear(x: Tensor, w: Tensor, bias: Tensor | null, act: Activation = 'identity', slope = 0.01): Tensor {
  if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[1]) {
    throw new ShapeError(`linear: input ${formatShape(x.shape)} does not fit weight ${formatShape(w.shape)} (expected input [batch, ${w.shape[1] ?? '?'}])`);
  }
  const [m, k] = x.shape;
  const n = w.shape[0];
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n)) {
    throw new ShapeError(`linear: bias ${formatShape(bias.shape)} does not fit weight ${formatShape(w.shape)} (expected [${n}])`);
  }
  const backend = getBackend();
  const y = Tensor.empty([m, n]);
  backend.linearForward(x.data, w.data, bias ? bias.data : null, y.data, m, k, n, act, slope);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record(y, {
    op: `linear(${act})`,
    inputs,
    backward(g) {
      // g is y's own gradient buffer and y has no other use after this, so dz overwrites it.
      const dz = g;
      if (act !== 'identity') backend.activationBackward(g, y.data, dz, act, slope);
      accumulateGrad(w, (dw, beta) => backend.gemm({ m: n, n: k, k: m, a: dz, transA: true, b: x.data, transB: false, c: dw, alpha: 1, beta }));
      if (bias) accumulateGrad(bias, (db, beta) => backend.sumRows(dz, m, n, db, beta));
      accumulateGrad(x, (dx, beta) => backend.gemm({ m, n: k, k: n, a: dz, transA: false, b: w.data, transB: false, c: dx, alpha: 1, beta }));
    },
  });
}
