/**
 * Central-difference gradient checking. The checked function's output is projected onto fixed
 * random weights, L = Σ r_i · f(x)_i, and L is accumulated in float64 from the float32 outputs,
 * so the only float32 error left in the numerical gradient is each output's own rounding.
 */
import assert from 'node:assert/strict';
import { backward, mul, sum, Tensor, tidy } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';

export interface GradCheckOptions {
  /** Finite-difference step. */
  eps?: number;
  /** Relative tolerance, see gradCheck. */
  tolerance?: number;
  seed?: number;
}

/** Random tensor with values uniform in [low, high). */
export function randomTensor(rng: Prng, shape: number[], low = -1, high = 1, requiresGrad = true): Tensor {
  const t = Tensor.zeros(shape, requiresGrad);
  for (let i = 0; i < t.size; i++) t.data[i] = low + (high - low) * rng.uniform();
  return t;
}

/**
 * Asserts that backward() through `f` matches central differences for every input that requires
 * a gradient. A difference counts as wrong when it exceeds tolerance · (|numerical| + scale), with
 * scale the largest numerical entry, so tiny entries are judged against the gradient's size.
 */
export function gradCheck(name: string, f: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradCheckOptions = {}): void {
  const eps = options.eps ?? 1e-2;
  const tolerance = options.tolerance ?? 2e-2;
  const rng = new Prng(options.seed ?? 7);
  let projection: Float64Array | null = null;

  const evaluate = (): number => tidy(() => {
    const out = f(...inputs).data;
    if (!projection) projection = Float64Array.from(out, () => rng.uniform() * 2 - 1);
    let acc = 0;
    for (let i = 0; i < out.length; i++) acc += projection[i] * out[i];
    return acc;
  });

  evaluate();
  for (const t of inputs) t.zeroGrad();
  tidy(() => {
    const out = f(...inputs);
    const r = new Tensor(Float32Array.from(projection!), out.shape);
    backward(sum(mul(out, r)));
  });

  for (const [index, t] of inputs.entries()) {
    if (!t.requiresGrad) continue;
    const analytic = t.grad;
    assert.ok(analytic, `${name}: input ${index} received no gradient`);
    const numerical = new Float64Array(t.size);
    for (let i = 0; i < t.size; i++) {
      const saved = t.data[i];
      t.data[i] = saved + eps;
      const plus = evaluate();
      t.data[i] = saved - eps;
      const minus = evaluate();
      t.data[i] = saved;
      numerical[i] = (plus - minus) / (2 * eps);
    }
    const scale = numerical.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (let i = 0; i < t.size; i++) {
      const err = Math.abs(analytic[i] - numerical[i]);
      assert.ok(err <= tolerance * (Math.abs(numerical[i]) + scale) + 1e-6,
        `${name}: input ${index} element ${i}: analytic ${analytic[i]} vs numerical ${numerical[i]}`);
    }
  }
}

