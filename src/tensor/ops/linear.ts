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
 * With `transW` the weight is used untransposed: act(x · w + bias) for w of shape [k, n], which
 * is how a tied decoder reads its encoder's weight without copying it (one tensor, two uses, and
 * autograd sums both gradients into it).
 * @param slope leaky relu's negative slope (ignored by other activations)
 * @param transW read w as [k, n] (a tied decoder) instead of nn.Linear's [n, k]
 * @example
 * const h = linear(x, w, b, 'sigmoid');
 * const xHat = linear(h, w, c, 'sigmoid', 0.01, true); // tied: act(h · w + c)
 */
export function linear(x: Tensor, w: Tensor, bias: Tensor | null, act: Activation = 'identity', slope = 0.01, transW = false): Tensor {
  const inAxis = transW ? 0 : 1;
  if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[inAxis]) {
    throw new ShapeError(`linear: input ${formatShape(x.shape)} does not fit ${transW ? 'transposed ' : ''}weight ${formatShape(w.shape)} (expected input [batch, ${w.shape[inAxis] ?? '?'}])`);
  }
  const [m, k] = x.shape;
  const n = w.shape[1 - inAxis];
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n)) {
    throw new ShapeError(`linear: bias ${formatShape(bias.shape)} does not fit ${transW ? 'transposed ' : ''}weight ${formatShape(w.shape)} (expected [${n}])`);
  }
  const backend = getBackend();
  const y = Tensor.empty([m, n]);
  if (transW) forwardTransposed(x.data, w.data, bias ? bias.data : null, y.data, m, k, n, act, slope);
  else backend.linearForward(x.data, w.data, bias ? bias.data : null, y.data, m, k, n, act, slope);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record(y, {
    op: `linear${transW ? 'ᵀ' : ''}(${act})`,
    inputs,
    backward(g) {
      // g is y's own gradient buffer and y has no other use after this, so dz overwrites it.
      const dz = g;
      if (act !== 'identity') backend.activationBackward(g, y.data, dz, act, slope);
      // dW = dzᵀ · x laid out [n, k]; for transW, xᵀ · dz laid out [k, n].
      accumulateGrad(w, (dw, beta) => {
        if (transW) backend.gemm({ m: k, n, k: m, a: x.data, transA: true, b: dz, transB: false, c: dw, alpha: 1, beta });
        else backend.gemm({ m: n, n: k, k: m, a: dz, transA: true, b: x.data, transB: false, c: dw, alpha: 1, beta });
      });
      if (bias) accumulateGrad(bias, (db, beta) => backend.sumRows(dz, m, n, db, beta));
      accumulateGrad(x, (dx, beta) => backend.gemm({ m, n: k, k: n, a: dz, transA: false, b: w.data, transB: transW, c: dx, alpha: 1, beta }));
    },
  });
}

/**
 * y = act(x · w + bias) for w stored [k, n]: the backend's fused kernel wants [n, k], so this is
 * a plain GEMM followed by the bias and the activation as two in-place sweeps over y (cheaper
 * than transposing a large weight every step).
 */
function forwardTransposed(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
  m: number, k: number, n: number, act: Activation, slope: number): void {
  const backend = getBackend();
  backend.gemm({ m, n, k, a: x, transA: false, b: w, transB: false, c: y, alpha: 1, beta: 0 });
  if (bias) backend.binary('add', y, [n, 1], bias, [0, 1], y, [m, n]);
  if (act !== 'identity') backend.unary(act, y, y, slope, 0);
}
