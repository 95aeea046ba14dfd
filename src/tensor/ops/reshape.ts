/**
 * Reshape: a new shape over the same values (no copy).
 */
import { ShapeError } from '../../errors.js';
import { accumulateGrad, record } from '../autograd.js';
import { formatShape } from '../shape.js';
import { getBackend, sizeOf, Tensor } from '../tensor.js';

/**
 * The same values under another shape with as many elements; one dimension may be −1.
 * @example
 * reshape(x, [-1, 784]);
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1);
  const resolved = shape.length - known.length === 1 ? shape.map((d) => (d === -1 ? x.size / sizeOf(known) : d)) : [...shape];
  if (sizeOf(resolved) !== x.size || !resolved.every(Number.isInteger)) {
    throw new ShapeError(`reshape: cannot view ${formatShape(x.shape)} as ${formatShape(shape)}`);
  }
  const out = new Tensor(x.data, resolved);
  return record(out, {
    op: 'reshape',
    inputs: [x],
    backward(g) {
      accumulateGrad(x, (dx, beta) => getBackend().axpby(g, 1, dx, beta));
    },
  });
}
