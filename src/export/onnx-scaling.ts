/**
 * A run's input scaling (`aekit train --scale`) as ONNX nodes, so that an exported graph takes the
 * raw rows `aekit encode` takes and, where it ends in the input space, gives values in the data's
 * own units as `aekit decode` and `aekit reconstruct` write them. The arithmetic is aekit's: in
 * float64 (aekit's offsets and factors are JavaScript numbers), rounded to float32 at the end.
 */
import onnxProto from 'onnx-proto';
import type { Scaling } from '../data/scaling.js';
import type { OnnxGraph } from './onnx-graph.js';

const { DataType } = onnxProto.onnx.TensorProto;

/**
 * An offset or factor as a float64 initializer that broadcasts against a batch of `shape`
 * examples: one number, or one per feature laid out in the example's shape.
 */
function constant(graph: OnnxGraph, name: string, value: number | readonly number[], shape: readonly number[]): string {
  const values = typeof value === 'number' ? [value] : value;
  graph.initializers.set(name, { name, dataType: DataType.DOUBLE, dims: typeof value === 'number' ? [] : [...shape], doubleData: [...values] });
  return name;
}

/**
 * (x − offset) · factor, as `aekit encode` scales its input rows.
 * @param shape one example's shape
 * @returns the name of the scaled value (float32)
 */
export function scaleInput(graph: OnnxGraph, x: string, scaling: Scaling, shape: readonly number[]): string {
  const [wide] = graph.node('Cast', [x], { to: DataType.DOUBLE }, 1, 'scale');
  const [shifted] = graph.node('Sub', [wide, constant(graph, 'scale.offset', scaling.offset, shape)], {}, 1, 'scale');
  const [scaled] = graph.node('Mul', [shifted, constant(graph, 'scale.factor', scaling.factor, shape)], {}, 1, 'scale');
  return graph.node('Cast', [scaled], { to: DataType.FLOAT }, 1, 'scale')[0];
}

/**
 * y / factor + offset, as `aekit decode` and `aekit reconstruct` give outputs back in the data's units.
 * @param shape one example's shape
 */
export function undoInputScaling(graph: OnnxGraph, y: string, scaling: Scaling, shape: readonly number[]): string {
  const [wide] = graph.node('Cast', [y], { to: DataType.DOUBLE }, 1, 'unscale');
  // The same initializers as scaleInput's: a full graph holds each once.
  const [divided] = graph.node('Div', [wide, constant(graph, 'scale.factor', scaling.factor, shape)], {}, 1, 'unscale');
  const [shifted] = graph.node('Add', [divided, constant(graph, 'scale.offset', scaling.offset, shape)], {}, 1, 'unscale');
  return graph.node('Cast', [shifted], { to: DataType.FLOAT }, 1, 'unscale')[0];
}
