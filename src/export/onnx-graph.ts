/**
 * aekit layers as ONNX nodes (opset 17): each layer of a stack becomes the operators that compute
 * its inference pass (its type's entry in `ONNX_EMITTERS`), its tensors become initializers under
 * their model-file names, and layers ONNX cannot express are refused with the layer's place named.
 * The messages are built with the published ONNX schema (onnx-proto, protobufjs); nothing here
 * writes bytes by hand.
 */
import onnxProto from 'onnx-proto';
import type { Activation } from '../backend/backend.js';
import { UsageError } from '../errors.js';
import { type Conv2d, type ConvTranspose2d, pair } from '../nn/conv2d.js';
import type { Layer } from '../nn/layer.js';
import { type LayerOf, type LayerType, layerTypeOf } from '../nn/layer-types.js';
import type { MaxPool2d } from '../nn/pool.js';
import type { Sequential } from '../nn/sequential.js';
import type { Upsample } from '../nn/upsample.js';
import type { Tensor } from '../tensor/index.js';

const { onnx } = onnxProto;
const { AttributeType } = onnx.AttributeProto;
const { DataType } = onnx.TensorProto;

/** An attribute value: a float, an int, a string, or a list of ints. */
type AttributeValue = number | string | readonly number[] | { float: number };

/**
 * The graph being built: nodes in order, initializers by name, and what each layer left behind
 * for later ones (a pooling layer's indices and input shape, for its unpooling partner).
 */
export class OnnxGraph {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers = new Map<string, onnxProto.onnx.ITensorProto>();
  /** For each pooling layer exported so far: the value names of its indices and of its input's shape (its unpooling partner reads them). */
  readonly pools = new Map<MaxPool2d, PoolValues>();
  private counter = 0;
  /** A VAE's log-variance value, which an encoder graph gives beside the mean code. */
  logVariance: { value: string; shape: number[] } | null = null;

  /**
   * @param names every tensor of the model under its model-file name: initializers take these
   * names, and a decoder exported alone still finds a tied weight or a centring mean by it
   */
  constructor(private readonly names: ReadonlyMap<Tensor, string>) {}

  /** Adds a node; returns its output value names. */
  node(op: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, outputs = 1, at = op): string[] {
    const id = `${at}/${op}_${this.counter++}`;
    const names = Array.from({ length: outputs }, (_, k) => (outputs > 1 ? `${id}_${k}` : id));
    this.nodes.push({
      opType: op, name: id, input: [...inputs], output: names,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return names;
  }

  /** A float32 initializer (once per name: a tied weight is one tensor read by two layers). */
  floats(name: string, tensor: { shape: readonly number[]; data: Float32Array }): string {
    if (!this.initializers.has(name)) {
      this.initializers.set(name, { name, dataType: DataType.FLOAT, dims: [...tensor.shape], floatData: Array.from(tensor.data) });
    }
    return name;
  }

  /** The initializer of one of the model's tensors, under its model-file name. */
  weight(tensor: Tensor): string {
    const name = this.names.get(tensor);
    if (name === undefined) throw new Error('onnx export: a layer tensor without a model-file name');
    return this.floats(name, tensor);
  }

  /** An int64 initializer (shapes, axes). */
  ints(name: string, values: readonly number[]): string {
    this.initializers.set(name, { name, dataType: DataType.INT64, dims: [values.length], int64Data: [...values] });
    return name;
  }

  /**
   * Appends a stack's layers to the graph, from the value named `input`; returns its output's name.
   * @param partOf what is being exported, for refusals ("the decoder alone")
   */
  stack(stack: Sequential, input: string, partOf: string): string {
    let x = input;
    stack.layers.forEach((layer, i) => {
      x = this.layer(layer, x, `${stack.prefix}.${i}`, partOf);
    });
    return x;
  }

  /** One layer's nodes; `at` is its place (encoder.3). */
  private layer(layer: Layer, x: string, at: string, partOf: string): string {
    const type = layerTypeOf(layer);
    if (type === null) throw new UsageError(`${at} (${layer.type}): has no ONNX form in aekit's exporter`);
    return (ONNX_EMITTERS[type] as OnnxEmitter<LayerType>)(this, layer as LayerOf<LayerType>, x, at, partOf);
  }

  /** `x` through an activation; the identity adds no node. */
  activation(x: string, activation: Activation | 'identity', leakySlope: number, at: string): string {
    switch (activation) {
      case 'identity': return x;
      case 'sigmoid': return this.node('Sigmoid', [x], {}, 1, at)[0];
      case 'tanh': return this.node('Tanh', [x], {}, 1, at)[0];
      case 'relu': return this.node('Relu', [x], {}, 1, at)[0];
      case 'leaky_relu': return this.node('LeakyRelu', [x], { alpha: { float: leakySlope } }, 1, at)[0];
      default: throw new UsageError(`${at}: the activation "${String(activation)}" has no ONNX form in aekit's exporter`);
    }
  }
}

/** A pooling layer's values that its unpooling partner reads: its indices and its input's shape. */
interface PoolValues {
  indices: string;
  shape: string;
}

/**
 * The nodes of one layer type's inference pass, appended to `graph` from the value `x`; returns
 * the output's value name. `at` is the layer's place (encoder.3), `partOf` what is being exported
 * (for refusals: "the decoder alone").
 */
type OnnxEmitter<T extends LayerType> = (graph: OnnxGraph, layer: LayerOf<T>, x: string, at: string, partOf: string) => string;

/** Noise and dropout act only while training: at inference they pass their input on. */
const passThrough = (_graph: OnnxGraph, _layer: Layer, x: string) => x;

/** Each layer type's ONNX nodes. */
const ONNX_EMITTERS: { [T in LayerType]: OnnxEmitter<T> } = {
  noise: passThrough,
  dropout: passThrough,
  dense: (graph, layer, x, at) => {
    const [y] = graph.node('Gemm', [x, graph.weight(layer.weight), graph.weight(layer.bias)], { transB: 1 }, 1, at);
    return graph.activation(y, layer.activation, layer.leakySlope, at);
  },
  tied_dense: (graph, layer, x, at) => {
    // x · W with W the partner's [its units, its inputs] weight, under the partner's name.
    const [y] = graph.node('Gemm', [x, graph.weight(layer.sharedWeight), graph.weight(layer.bias)], {}, 1, at);
    return graph.activation(y, layer.activation, layer.spec().leakySlope, at);
  },
  conv2d: (graph, layer, x, at) => conv(graph, layer, 'Conv', {}, x, at),
  conv_transpose2d: (graph, layer, x, at) => conv(graph, layer, 'ConvTranspose', { output_padding: pair(layer.spec().outputPadding) }, x, at),
  gaussian: (graph, layer, x, at) => {
    // Inference codes are the posterior mean; the log-variance is kept for an encoder's second output.
    const [logVariance] = graph.node('Gemm', [x, graph.weight(layer.logVarianceWeight), graph.weight(layer.logVarianceBias)], { transB: 1 }, 1, at);
    graph.logVariance = { value: logVariance, shape: [layer.units] };
    return graph.node('Gemm', [x, graph.weight(layer.meanWeight), graph.weight(layer.meanBias)], { transB: 1 }, 1, at)[0];
  },
  activation: (graph, layer, x, at) => graph.activation(x, layer.spec().activation, layer.spec().leakySlope, at),
  batch_norm: (graph, layer, x, at) => {
    const inputs = [x, ...[layer.gamma, layer.beta, layer.runningMean, layer.runningVar].map((t) => graph.weight(t))];
    return graph.node('BatchNormalization', inputs, { epsilon: { float: layer.spec().eps } }, 1, at)[0];
  },
  // Over all of an example's axes (from axis 1 on), gain and bias of the example's shape (opset 17).
  layer_norm: (graph, layer, x, at) =>
    graph.node('LayerNormalization', [x, graph.weight(layer.gain), graph.weight(layer.bias)], { axis: 1, epsilon: { float: layer.spec().eps } }, 1, at)[0],
  flatten: (graph, _layer, x, at) => graph.node('Flatten', [x], { axis: 1 }, 1, at)[0],
  // 0 keeps the batch axis as it is.
  reshape: (graph, layer, x, at) => graph.node('Reshape', [x, graph.ints(`${at}.shape`, [0, ...layer.outputShape])], {}, 1, at)[0],
  center: (graph, layer, x, at) => graph.node('Sub', [x, graph.weight(layer.mean)], {}, 1, at)[0],
  uncenter: (graph, layer, x, at) => graph.node('Add', [x, graph.weight(layer.partner.mean)], {}, 1, at)[0],
  binarize: (graph, layer, x, at) => {
    const threshold = graph.floats(`${at}.threshold`, { shape: [], data: Float32Array.of(layer.spec().threshold) });
    const [above] = graph.node('Greater', [x, threshold], {}, 1, at);
    return graph.node('Cast', [above], { to: DataType.FLOAT }, 1, at)[0];
  },
  upsample,
  max_pool2d: pool,
  max_unpool2d: (graph, layer, x, at, partOf) => {
    const values = graph.pools.get(layer.partner);
    if (!values) {
      throw new UsageError(`${at} (max_unpool2d): puts values back where its partner pooling layer found its maxima, and ${partOf} does not hold that layer; export --part full`);
    }
    return unpool(graph, layer.partner, values, x, at);
  },
};

function conv(graph: OnnxGraph, layer: Conv2d | ConvTranspose2d, op: 'Conv' | 'ConvTranspose', extra: Record<string, AttributeValue>, x: string, at: string): string {
  const spec = layer.spec();
  const [ph, pw] = pair(spec.padding);
  const attributes: Record<string, AttributeValue> = {
    kernel_shape: pair(spec.kernel), strides: pair(spec.stride), pads: [ph, pw, ph, pw], dilations: pair(spec.dilation), group: spec.groups, ...extra,
  };
  const [y] = graph.node(op, [x, graph.weight(layer.weight), graph.weight(layer.bias)], attributes, 1, at);
  return graph.activation(y, layer.activation, layer.leakySlope, at);
}

function pool(graph: OnnxGraph, layer: MaxPool2d, x: string, at: string): string {
  const [ph, pw] = pair(layer.spec().padding);
  const [y, indices] = graph.node('MaxPool', [x], { kernel_shape: poolKernel(layer), strides: poolStride(layer), pads: [ph, pw, ph, pw] }, 2, at);
  // The partner unpools to this input's size exactly (MaxUnpool alone would guess it from the kernel, wrongly for odd sizes).
  const [shape] = graph.node('Shape', [x], {}, 1, at);
  graph.pools.set(layer, { indices, shape });
  return y;
}

/**
 * aekit's unpooling adds up the values sent to one place (it is the adjoint of the pooling).
 * Windows side by side send each place at most one, and ONNX's MaxUnpool is then the same map;
 * overlapping windows (stride < kernel) can pick one maximum twice, and ScatterElements with
 * reduction "add" over the flattened tensors (ONNX's indices count over the whole tensor) adds
 * them as aekit does.
 */
function unpool(graph: OnnxGraph, partner: MaxPool2d, values: PoolValues, x: string, at: string): string {
  const kernel = poolKernel(partner);
  const stride = poolStride(partner);
  const [ph, pw] = pair(partner.spec().padding);
  if (stride[0] >= kernel[0] && stride[1] >= kernel[1]) {
    return graph.node('MaxUnpool', [x, values.indices, values.shape], { kernel_shape: kernel, strides: stride, pads: [ph, pw, ph, pw] }, 1, at)[0];
  }
  const flat = graph.ints(`${at}.flat`, [-1]);
  const [zeros] = graph.node('ConstantOfShape', [values.shape], {}, 1, at);
  const [into] = graph.node('Reshape', [zeros, flat], {}, 1, at);
  const [indices] = graph.node('Reshape', [values.indices, flat], {}, 1, at);
  const [flatValues] = graph.node('Reshape', [x, flat], {}, 1, at);
  const [sums] = graph.node('ScatterElements', [into, indices, flatValues], { axis: 0, reduction: 'add' }, 1, at);
  return graph.node('Reshape', [sums, values.shape], {}, 1, at)[0];
}

function upsample(graph: OnnxGraph, layer: Upsample, x: string, at: string): string {
  const { mode, scale } = layer.spec();
  const [sh, sw] = pair(scale);
  const scales = graph.floats(`${at}.scales`, { shape: [4], data: Float32Array.of(1, 1, sh, sw) });
  // aekit's nearest takes input pixel floor(i / scale); its bilinear samples at (i + 0.5) / scale − 0.5, clamped (PyTorch's align_corners=False).
  const attributes: Record<string, AttributeValue> = mode === 'nearest'
    ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
    : { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' };
  return graph.node('Resize', [x, '', scales], attributes, 1, at)[0];
}

function poolKernel(layer: MaxPool2d): [number, number] {
  return pair(layer.spec().kernel);
}

function poolStride(layer: MaxPool2d): [number, number] {
  const spec = layer.spec();
  return pair(spec.stride ?? spec.kernel);
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.INTS, ints: [...value] };
}
