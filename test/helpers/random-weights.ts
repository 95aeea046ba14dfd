/**
 * A network's tensors that a fresh model holds at constants (biases at 0, batch-norm γ and running
 * statistics at 1 and 0, layer-norm gains at 1, input means at 0) drawn at random, so that an exported copy that dropped
 * or misplaced any of them gives other outputs. Weights keep their own initialisation, which keeps
 * activations at the sizes of a real model.
 */
import type { Sequential } from '../../src/nn/sequential.js';
import { Prng } from '../../src/util/prng.js';

/** Redraws the constant-initialised tensors of `stacks` from `seed`: shifts in ±0.1, scales and variances in [0.5, 1.5]. */
export function randomizeWeights(stacks: readonly Sequential[], seed: number): void {
  const rng = new Prng(seed);
  const batchNorm = new Set(stacks.flatMap((s) => s.buffers().filter((b) => b.name.endsWith('.running_var')).map((b) => b.name.replace(/running_var$/, 'weight'))));
  // A layer norm's gain, which starts at 1 like γ.
  for (const stack of stacks) stack.layers.forEach((layer, i) => { if (layer.type === 'layer_norm') batchNorm.add(`${stack.tensorPrefix(i)}.weight`); });
  for (const stack of stacks) {
    for (const { name, tensor } of [...stack.parameters(), ...stack.buffers()]) {
      const scale = name.endsWith('.running_var') || batchNorm.has(name);
      if (!scale && !/\.(bias|running_mean|mean)$/.test(name)) continue;
      const d = tensor.data;
      for (let i = 0; i < d.length; i++) d[i] = scale ? 0.5 + rng.uniform() : 0.2 * rng.uniform() - 0.1;
    }
  }
}

/** n examples of `size` values in [0, 1] from `seed`. */
export function unitInputs(n: number, size: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  return Float32Array.from({ length: n * size }, () => rng.uniform());
}

/** The largest |a_i − b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
