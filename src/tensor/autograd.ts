/**
 * Reverse-mode automatic differentiation over the graph the ops record: the ops in forward
 * order form the tape, and backward walks it from the end.
 */
import { NumericError, UsageError } from '../errors.js';
import { getBackend, getPool, type GradNode, Tensor } from './tensor.js';

/** The tensors that lead to `root` through recorded ops, in forward (topological) order. */
export function tapeOf(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative depth-first search: deep stacks must not overflow the call stack.
  const stack: { t: Tensor; next: number }[] = [{ t: root, next: 0 }];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.t.node?.inputs ?? [];
    if (top.next < inputs.length) {
      const input = inputs[top.next++];
      if (!seen.has(input) && input.requiresGrad) {
        seen.add(input);
        stack.push({ t: input, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order;
}

/**
 * Computes d(root)/d(t) for every tensor t on the tape that requires a gradient, adding into
 * their `grad` (call `zeroGrad()` on parameters between steps).
 * @param root a one-element tensor, usually the loss
 * @param seed the gradient of the final objective with respect to root (1 by default)
 */
export function backward(root: Tensor, seed = 1): void {
  if (root.size !== 1) throw new UsageError(`backward() needs a one-element tensor such as a loss, got shape [${root.shape.join(', ')}]`);
  if (!root.requiresGrad) throw new UsageError('backward(): the tensor does not depend on any parameter that requires a gradient');
  const tape = tapeOf(root);
  const { buffer, beta } = root.gradTarget();
  buffer[0] = beta * buffer[0] + seed;
  for (let i = tape.length - 1; i >= 0; i--) {
    const t = tape[i];
    const grad = t.grad;
    if (t.node && grad) t.node.backward(grad);
  }
}

/**
 * Adds a gradient into `t`: `write(out, beta)` must set out = contribution + beta · out. Skipped
 * when t needs no gradient.
 */
export function accumulateGrad(t: Tensor, write: (out: Float32Array, beta: 0 | 1) => void): void {
  if (!t.requiresGrad) return;
  const { buffer, beta } = t.gradTarget();
  write(buffer, beta);
}

/**
 * Adds a gradient into `t` from a kernel that can only overwrite: it writes into a scratch
 * buffer that is then added, unless the gradient is fresh and can be written directly.
 */
export function accumulateGradOverwrite(t: Tensor, write: (out: Float32Array) => void): void {
  if (!t.requiresGrad) return;
  const { buffer, beta } = t.gradTarget();
  if (beta === 0) {
    write(buffer);
    return;
  }
  const pool = getPool();
  const scratch = pool.take(t.size);
  write(scratch);
  getBackend().axpby(scratch, 1, buffer, 1);
  pool.give(scratch);
}

let noGradDepth = 0;

/**
 * Runs `fn` without recording gradients: for evaluation and inference, where the graph and the
 * losses' saved gradients would be wasted work.
 * @example
 * const code = noGrad(() => model.encode(x));
 */
export function noGrad<T>(fn: () => T): T {
  noGradDepth++;
  try {
    return fn();
  } finally {
    noGradDepth--;
  }
}

/** False inside `noGrad`. */
export function isRecording(): boolean {
  return noGradDepth === 0;
}

/** Records `node` as the maker of `out` when any input requires a gradient; returns out. */
export function record(out: Tensor, node: GradNode): Tensor {
  if (noGradDepth === 0 && node.inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = node;
  }
  return out;
}

/**
 * Names the first op on the tape whose output (or, after backward, gradient) holds a NaN or
 * Inf: the message a user needs instead of a silently poisoned model.
 */
export function findNonFinite(root: Tensor, step: number | string): NumericError | null {
  const backend = getBackend();
  const tape = tapeOf(root);
  const onTape = new Set(tape);
  const bad = (t: Tensor): boolean => !t.isFreed && !backend.allFinite(t.data);
  for (const t of tape) {
    // Inputs that need no gradient (the data) are not on the tape but may be the culprit.
    const data = t.node?.inputs.find((input) => !onTape.has(input) && bad(input));
    if (data) return new NumericError(`step ${step}: an input of ${t.node!.op} (shape [${data.shape.join(', ')}]) holds NaN or Inf`);
    if (bad(t)) {
      const where = t.node ? `the output of ${t.node.op}` : 'a parameter';
      return new NumericError(`step ${step}: ${where} (shape [${t.shape.join(', ')}]) holds NaN or Inf`);
    }
  }
  for (let i = tape.length - 1; i >= 0; i--) {
    const grad = tape[i].grad;
    if (grad && !backend.allFinite(grad)) {
      const op = tape[i].node?.op ?? 'a parameter';
      return new NumericError(`step ${step}: the gradient reaching ${op} (shape [${tape[i].shape.join(', ')}]) holds NaN or Inf`);
    }
  }
  return null;
}
