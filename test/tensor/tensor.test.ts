/** Tensor construction, tidy scopes and the buffer pool, and the errors misuse earns. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShapeError, UsageError } from '../../src/errors.js';
import { add, backward, getPool, linear, matmul, squaredError, sum, Tensor, tidy } from '../../src/tensor/index.js';

test('a tensor rejects a wrong array type and a size that does not fit its shape', () => {
  assert.throws(() => new Tensor(new Float64Array(4) as unknown as Float32Array, [4]), (e) => e instanceof UsageError && /Float32Array, got Float64Array/.test(e.message));
  assert.throws(() => new Tensor(new Float32Array(5), [2, 2]), (e) => e instanceof UsageError && /\[2, 2\] needs 4 values, got 5/.test(e.message));
});

test('shape mismatches name the op and both shapes', () => {
  assert.throws(() => matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5])), (e) => e instanceof ShapeError && /matmul/.test(e.message) && /\[2, 3\]/.test(e.message) && /\[4, 5\]/.test(e.message));
  assert.throws(() => add(Tensor.zeros([2, 3]), Tensor.zeros([4])), (e) => e instanceof ShapeError && /add: shapes \[2, 3\] and \[4\]/.test(e.message));
  assert.throws(() => linear(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]), null), (e) => e instanceof ShapeError && /linear/.test(e.message));
  assert.throws(() => squaredError(Tensor.zeros([2]), Tensor.zeros([3])), (e) => e instanceof ShapeError && /squaredError/.test(e.message));
});

test('tidy frees what it does not return, and a freed tensor says so when used', () => {
  let inner: Tensor | undefined;
  const kept = tidy(() => {
    inner = add(Tensor.zeros([3]), Tensor.zeros([3]));
    return sum(inner);
  });
  assert.equal(kept.item(), 0);
  assert.ok(inner!.isFreed);
  assert.throws(() => inner!.data, (e) => e instanceof UsageError && /freed/.test(e.message));
});

test('the steady-state training step allocates no new buffers', () => {
  const w = Tensor.from(Array.from({ length: 12 }, (_, i) => i / 12 - 0.5), [4, 3], true);
  const x = Tensor.from(Array.from({ length: 6 }, (_, i) => i / 6), [2, 3]);
  const run = () => tidy(() => {
    w.zeroGrad();
    const h = linear(x, w, null, 'sigmoid');
    const loss = squaredError(matmul(h, w), x, 0.5);
    backward(loss);
    return loss.item();
  });
  run();
  const before = getPool().totalAllocatedBytes;
  for (let i = 0; i < 5; i++) run();
  assert.equal(getPool().totalAllocatedBytes, before);
  assert.ok(w.grad && w.grad.some((v) => v !== 0));
});
