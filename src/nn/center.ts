/**
 * Input centring as a pair of layers: `center` subtracts the training data's mean per feature (a
 * buffer saved with the model, set by `adapt` as Keras's Normalization is), and `uncenter`, its
 * mirror at the decoder's end, adds its partner's mean back.
 */
import { z } from 'zod';
import { ShapeError, UsageError } from '../errors.js';
import { add, sub, Tensor } from '../tensor/index.js';
import { formatDims, type ForwardContext, type NamedBuffer, StatelessLayer } from './layer.js';

/** The spec of a centring layer. */
export const centerSpec = z.object({
  type: z.literal('center'),
  name: z.string().optional(),
}).strict();

/** The spec of the layer that adds a centring layer's mean back. */
export const uncenterSpec = z.object({
  type: z.literal('uncenter'),
  name: z.string().optional(),
  /** The center layer whose mean is added back, by name (e.g. "encoder.0"). */
  partner: z.string(),
}).strict();

export type CenterSpec = z.output<typeof centerSpec>;
export type UncenterSpec = z.output<typeof uncenterSpec>;

/**
 * x − mean, with the mean a saved buffer of the example's shape.
 * @example
 * const center = new Center({ type: 'center' }, [3]);
 * center.adapt({ x: Float32Array.of(1, 2, 3, 3, 4, 5), n: 2, features: 3 }); // mean [2, 3, 4]
 */
export class Center extends StatelessLayer {
  readonly type = 'center';
  readonly outputShape: readonly number[];
  /** The mean per feature, zeros until `adapt` or loading sets it. */
  readonly mean: Tensor;

  constructor(private readonly config: CenterSpec, readonly inputShape: readonly number[]) {
    super();
    this.outputShape = inputShape;
    this.mean = Tensor.zeros(inputShape);
  }

  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    return sub(x, this.mean);
  }

  override buffers(prefix: string): NamedBuffer[] {
    return [{ name: `${prefix}.mean`, tensor: this.mean }];
  }

  /** Sets the mean to the column means of `data` (rows of this layer's input), summed in float64. */
  adapt(data: { x: Float32Array; n: number; features: number }): void {
    if (data.features !== this.mean.size) {
      throw new UsageError(`center: adapt needs rows of ${this.mean.size} values (shape ${formatDims(this.inputShape)}), got ${data.features}`);
    }
    const sums = new Float64Array(data.features);
    for (let i = 0; i < data.n; i++) {
      for (let j = 0; j < data.features; j++) sums[j] += data.x[i * data.features + j];
    }
    for (let j = 0; j < data.features; j++) this.mean.data[j] = sums[j] / data.n;
  }

  spec(): CenterSpec {
    return { ...this.config };
  }
}

/**
 * x + mean of its partner center layer: undoes the centring at the decoder's end.
 * @example
 * const back = new Uncenter({ type: 'uncenter', partner: 'encoder.0' }, [3], center);
 */
export class Uncenter extends StatelessLayer {
  readonly type = 'uncenter';
  readonly outputShape: readonly number[];

  constructor(private readonly config: UncenterSpec, readonly inputShape: readonly number[], readonly partner: Center) {
    super();
    if (inputShape.join(',') !== partner.inputShape.join(',')) {
      throw new ShapeError(`uncenter: takes examples of its partner ${config.partner}'s shape ${formatDims(partner.inputShape)}, got ${formatDims(inputShape)}`);
    }
    this.outputShape = inputShape;
  }

  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    return add(x, this.partner.mean);
  }

  spec(): UncenterSpec {
    return { ...this.config };
  }
}
