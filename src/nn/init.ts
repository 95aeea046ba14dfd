/**
 * Weight initialisation schemes, drawn from the seeded PRNG so that a seed fixes the model.
 */
import { Prng } from '../util/prng.js';

/** How a dense layer's weight is drawn; biases start at zero. */
export type InitScheme = 'xavier-uniform' | 'xavier-normal' | 'he-normal' | 'lecun-normal';

export const INIT_SCHEMES: readonly InitScheme[] = ['xavier-uniform', 'xavier-normal', 'he-normal', 'lecun-normal'];

/**
 * Fills `weight` (fanOut × fanIn) by `scheme`:
 * xavier (Glorot & Bengio 2010) keeps the variance 2/(fanIn + fanOut), he 2/fanIn, lecun 1/fanIn.
 * @example
 * initWeight(w, 784, 1000, 'xavier-uniform', new Prng(1));
 */
export function initWeight(weight: Float32Array, fanIn: number, fanOut: number, scheme: InitScheme, rng: Prng): void {
  switch (scheme) {
    case 'xavier-uniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < weight.length; i++) weight[i] = (2 * rng.uniform() - 1) * limit;
      return;
    }
    case 'xavier-normal': return fillNormal(weight, Math.sqrt(2 / (fanIn + fanOut)), rng);
    case 'he-normal': return fillNormal(weight, Math.sqrt(2 / fanIn), rng);
    case 'lecun-normal': return fillNormal(weight, Math.sqrt(1 / fanIn), rng);
  }
}

function fillNormal(weight: Float32Array, std: number, rng: Prng): void {
  for (let i = 0; i < weight.length; i++) weight[i] = rng.normal() * std;
}
