/**
 * Input corruption for denoising autoencoders (Vincent et al. 2008, 2010): masking noise,
 * additive Gaussian noise and salt-and-pepper noise, written as `KIND:AMOUNT` specs and drawn
 * from the seeded PRNG so that a seed fixes every corrupted batch.
 */
import { UsageError } from '../errors.js';
import type { Prng } from '../util/prng.js';

/** One kind of corruption and its amount. */
export type NoiseSpec =
  /** Each value set to 0 with probability `rate`. */
  | { kind: 'mask'; rate: number }
  /** x + N(0, sigma²), not clipped. */
  | { kind: 'gaussian'; sigma: number }
  /** Each value, with probability `rate`, set to 0 or to 1 (even odds): inputs in [0, 1]. */
  | { kind: 'salt-pepper'; rate: number };

/** The kinds, as written in a spec. */
export const NOISE_KINDS = ['mask', 'gaussian', 'salt-pepper'] as const;

const EXAMPLES = 'e.g. mask:0.25, gaussian:0.5 or salt-pepper:0.1';

/**
 * Parses `mask:Q`, `gaussian:SIGMA` or `salt-pepper:P`; a bad spec throws a UsageError saying
 * what was expected.
 * @example
 * parseNoise('mask:0.25'); // { kind: 'mask', rate: 0.25 }
 */
export function parseNoise(text: string): NoiseSpec {
  const colon = text.indexOf(':');
  if (colon < 0) throw new UsageError(`noise "${text}": expected KIND:AMOUNT, ${EXAMPLES}`);
  const kind = text.slice(0, colon).trim();
  const amountText = text.slice(colon + 1).trim();
  const amount = amountText === '' ? NaN : Number(amountText);
  switch (kind) {
    case 'mask':
    case 'salt-pepper':
      if (!(amount >= 0 && amount < 1)) {
        throw new UsageError(`noise "${text}": the ${kind === 'mask' ? 'masking' : 'salt-and-pepper'} probability must be a number in [0, 1), got "${amountText}"`);
      }
      return { kind, rate: amount };
    case 'gaussian':
      if (!(amount >= 0 && Number.isFinite(amount))) {
        throw new UsageError(`noise "${text}": the Gaussian standard deviation must be a number ≥ 0, got "${amountText}"`);
      }
      return { kind, sigma: amount };
    default:
      throw new UsageError(`noise "${text}": unknown kind "${kind}"; expected ${NOISE_KINDS.join(', ')} (${EXAMPLES})`);
  }
}

/**
 * The spec's text form, the inverse of `parseNoise`.
 * @example
 * formatNoise({ kind: 'gaussian', sigma: 0.5 }); // 'gaussian:0.5'
 */
export function formatNoise(spec: NoiseSpec): string {
  return `${spec.kind}:${spec.kind === 'gaussian' ? spec.sigma : spec.rate}`;
}

/**
 * Corrupts `data` in place, drawing from `rng`.
 * @example
 * corrupt(batch.data, parseNoise('mask:0.25'), rng);
 */
export function corrupt(data: Float32Array, spec: NoiseSpec, rng: Prng): void {
  switch (spec.kind) {
    case 'mask': {
      const q = spec.rate;
      for (let i = 0; i < data.length; i++) if (rng.uniform() < q) data[i] = 0;
      return;
    }
    case 'gaussian': {
      const sigma = spec.sigma;
      for (let i = 0; i < data.length; i++) data[i] += sigma * rng.normal();
      return;
    }
    case 'salt-pepper': {
      const p = spec.rate;
      const half = p / 2;
      // One draw decides both whether and which: given u < p, u < p/2 has even odds.
      for (let i = 0; i < data.length; i++) {
        const u = rng.uniform();
        if (u < p) data[i] = u < half ? 0 : 1;
      }
      return;
    }
  }
}
