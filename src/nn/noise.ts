/**
 * Input corruption for denoising autoencoders (Vincent et al. 2008, 2010): masking noise,
 * additive Gaussian noise and salt-and-pepper noise, written as `KIND:AMOUNT` specs and drawn
 * from the seeded PRNG so that a seed fixes every corrupted batch; and the noise layer that
 * applies them while training.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { add, mul, Tensor } from '../tensor/index.js';
import { parseDecimal } from '../util/decimal.js';
import type { Prng } from '../util/prng.js';
import { drawHoles } from './holes.js';
import { type ForwardContext, StatelessLayer } from './layer.js';

/** One kind of corruption and its amount. */
export type NoiseSpec =
  /** Each value set to 0 with probability `rate`. */
  | { kind: 'mask'; rate: number }
  /** x + N(0, sigma²), not clipped. */
  | { kind: 'gaussian'; sigma: number }
  /** Each value, with probability `rate`, set to 0 or to 1 (even odds): inputs in [0, 1]. */
  | { kind: 'salt-pepper'; rate: number }
  /**
   * Per image, a rectangle of sides up to `largest` of the image's (in a share `rectangles` of the
   * images; default DEFAULT_RECTANGLE_SHARE), else scattered pixels, set to HOLE_VALUE
   * (src/nn/holes.ts): training for inpainting.
   */
  | { kind: 'holes'; largest: number; rectangles?: number };

/** The kinds, as written in a spec. */
export const NOISE_KINDS = ['mask', 'gaussian', 'salt-pepper', 'holes'] as const;

const EXAMPLES = 'e.g. mask:0.25, gaussian:0.5, salt-pepper:0.1, holes:0.6 or holes:0.6,0.8';

/**
 * Parses `mask:Q`, `gaussian:SIGMA`, `salt-pepper:P` or `holes:LARGEST[,RECTANGLES]`; a bad spec throws a UsageError saying
 * what was expected.
 * @example
 * parseNoise('mask:0.25'); // { kind: 'mask', rate: 0.25 }
 */
export function parseNoise(text: string): NoiseSpec {
  const colon = text.indexOf(':');
  if (colon < 0) throw new UsageError(`noise "${text}": expected KIND:AMOUNT, ${EXAMPLES}`);
  const kind = text.slice(0, colon).trim();
  const amountText = text.slice(colon + 1).trim();
  if (kind === 'holes') return parseHoles(text, amountText);
  const amount = parseDecimal(amountText);
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

/** `holes:LARGEST` or `holes:LARGEST,RECTANGLES`: the largest side's share of the image's, then the share of images that lose a rectangle. */
function parseHoles(text: string, amountText: string): NoiseSpec {
  const parts = amountText.split(',').map((part) => part.trim());
  if (parts.length > 2) throw new UsageError(`noise "${text}": expected holes:LARGEST or holes:LARGEST,RECTANGLES (${EXAMPLES})`);
  const largest = parseDecimal(parts[0]);
  if (!(largest > 0 && largest <= 1)) {
    throw new UsageError(`noise "${text}": the largest hole's side, as a share of the image's, must be a number in (0, 1], got "${parts[0]}"`);
  }
  if (parts.length === 1) return { kind: 'holes', largest };
  const rectangles = parseDecimal(parts[1]);
  if (!(rectangles >= 0 && rectangles <= 1)) {
    throw new UsageError(`noise "${text}": the share of images that lose a rectangle must be a number in [0, 1], got "${parts[1]}"`);
  }
  return { kind: 'holes', largest, rectangles };
}

/**
 * The spec's text form, the inverse of `parseNoise`.
 * @example
 * formatNoise({ kind: 'gaussian', sigma: 0.5 }); // 'gaussian:0.5'
 */
export function formatNoise(spec: NoiseSpec): string {
  if (spec.kind === 'holes') return `holes:${spec.largest}${spec.rectangles === undefined ? '' : `,${spec.rectangles}`}`;
  return `${spec.kind}:${spec.kind === 'gaussian' ? spec.sigma : spec.rate}`;
}

/**
 * Draws one corruption of n values as x ⊙ keep + fill: `keep` is 0 where a value is replaced and
 * 1 elsewhere, `fill` what is added (the replacement, or the Gaussian noise). One form for every
 * kind, so the noise layer is two elementwise primitives and needs no backward of its own.
 * @param shape one example's shape, which holes need to find rows and columns (default: square images)
 * @example
 * drawNoise(parseNoise('mask:0.25'), rng, keep, fill);
 */
export function drawNoise(spec: NoiseSpec, rng: Prng, keep: Float32Array, fill: Float32Array, shape?: readonly number[]): void {
  switch (spec.kind) {
    case 'holes':
      drawHoles(keep, fill, rng, shape ?? [keep.length], spec.largest, spec.rectangles);
      return;
    case 'mask': {
      const q = spec.rate;
      for (let i = 0; i < keep.length; i++) keep[i] = rng.uniform() < q ? 0 : 1;
      fill.fill(0);
      return;
    }
    case 'gaussian': {
      const sigma = spec.sigma;
      keep.fill(1);
      for (let i = 0; i < fill.length; i++) fill[i] = sigma * rng.normal();
      return;
    }
    case 'salt-pepper': {
      const p = spec.rate;
      const half = p / 2;
      // One draw decides both whether and which: given u < p, u < p/2 has even odds.
      for (let i = 0; i < keep.length; i++) {
        const u = rng.uniform();
        keep[i] = u < p ? 0 : 1;
        fill[i] = u < half ? 0 : u < p ? 1 : 0;
      }
      return;
    }
  }
}

/**
 * Corrupts `data` in place, drawing from `rng`, with the same values the noise layer gives
 * (holes need `shape`, one example's, unless each row is one square image).
 * @example
 * corrupt(batch.data, parseNoise('mask:0.25'), rng);
 */
export function corrupt(data: Float32Array, spec: NoiseSpec, rng: Prng, shape?: readonly number[]): void {
  const keep = new Float32Array(data.length);
  const fill = new Float32Array(data.length);
  drawNoise(spec, rng, keep, fill, shape);
  for (let i = 0; i < data.length; i++) data[i] = data[i] * keep[i] + fill[i];
}

/** A noise spec as text (mask:Q, gaussian:SIGMA, salt-pepper:P or holes:LARGEST), checked by `parseNoise`. */
export const noiseText = z.string().superRefine((text, ctx) => {
  try {
    parseNoise(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/** The spec of a noise layer: corruption while training, nothing at inference. */
export const noiseLayerSpec = z.object({
  type: z.literal('noise'),
  name: z.string().optional(),
  spec: noiseText,
}).strict();

/** A noise layer's spec. */
export type NoiseLayerSpec = z.output<typeof noiseLayerSpec>;

/**
 * Corrupts its input while training (a denoising autoencoder is a noise layer in front of the
 * encoder), drawing from the training loop's generator; passes it unchanged at inference. The
 * gradient flows through the kept values (all of them for Gaussian noise).
 * @example
 * const noise = new NoiseLayer({ type: 'noise', spec: 'mask:0.25' }, [784]);
 * const noisy = noise.forward(x, { training: true, rng: new Prng(1) });
 */
export class NoiseLayer extends StatelessLayer {
  readonly type = 'noise';
  readonly outputShape: readonly number[];
  readonly noise: NoiseSpec;

  constructor(private readonly config: NoiseLayerSpec, readonly inputShape: readonly number[]) {
    super();
    this.noise = parseNoise(config.spec);
    this.outputShape = inputShape;
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    if (!ctx.training || !ctx.rng) return x;
    const keep = Tensor.empty(x.shape);
    const fill = Tensor.empty(x.shape);
    drawNoise(this.noise, ctx.rng, keep.data, fill.data, this.inputShape);
    switch (this.noise.kind) {
      case 'mask': return mul(x, keep);
      case 'gaussian': return add(x, fill);
      case 'salt-pepper':
      case 'holes': return add(mul(x, keep), fill);
    }
  }

  spec(): NoiseLayerSpec {
    return { ...this.config };
  }
}
