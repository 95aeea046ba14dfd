/**
 * A stack of layers run one after the other, which can keep every layer's output: the trace
 * that activity penalties (and pictures of hidden units) read.
 */
import type { Tensor } from '../tensor/index.js';
import { type ForwardContext, INFERENCE, type Layer, type NamedBuffer, type NamedParameter } from './layer.js';
import { torchIndices } from './torch-names.js';

/**
 * Layers in order, their tensors named `<prefix>.<index>.<tensor>` (e.g. encoder.0.weight), where
 * the index is the layer's place in the equivalent PyTorch `nn.Sequential` (see torch-names.ts).
 * @example
 * const encoder = new Sequential('encoder', [784], [dense1, dense2]);
 * const code = encoder.forward(x);
 */
export class Sequential {
  /**
   * @param prefix the first part of its tensors' names
   * @param inputShape the shape of one example it takes
   * @param layers built for that shape, each taking the one before it's output shape
   */
  constructor(readonly prefix: string, readonly inputShape: readonly number[], readonly layers: readonly Layer[]) {
    this.places = torchIndices(layers.map((l) => l.spec()));
  }

  /** Each layer's index in the PyTorch nn.Sequential, the number in its tensors' names. */
  private readonly places: number[];

  /** The name prefix of layer i's tensors: `<prefix>.<its nn.Sequential index>`. */
  tensorPrefix(i: number): string {
    return `${this.prefix}.${this.places[i]}`;
  }

  /** The shape of one example the stack gives (its input's when it is empty). */
  get outputShape(): readonly number[] {
    return this.layers.at(-1)?.outputShape ?? this.inputShape;
  }

  /** The stack's output for a batch. */
  forward(x: Tensor, ctx: ForwardContext = INFERENCE): Tensor {
    for (const layer of this.layers) x = layer.forward(x, ctx);
    return x;
  }

  /** Every layer's output, in order (the last is the stack's output). */
  trace(x: Tensor, ctx: ForwardContext = INFERENCE): Tensor[] {
    const outputs: Tensor[] = [];
    for (const layer of this.layers) outputs.push(x = layer.forward(x, ctx));
    return outputs;
  }

  /** The layers' own penalty terms, given their outputs from `trace`. */
  penalties(outputs: readonly Tensor[]): Tensor[] {
    return this.layers.flatMap((layer, i) => layer.penalty(outputs[i]) ?? []);
  }

  /** Every trainable tensor under its file name. */
  parameters(): NamedParameter[] {
    return this.layers.flatMap((layer, i) => layer.parameters(this.tensorPrefix(i)));
  }

  /** Every saved, untrained tensor under its file name. */
  buffers(): NamedBuffer[] {
    return this.layers.flatMap((layer, i) => layer.buffers(this.tensorPrefix(i)));
  }
}
