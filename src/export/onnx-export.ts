/**
 * `aekit export onnx`: a trained autoencoder's encoder, decoder or both, a classifier's encoder,
 * head or both, or a segmenter whole, as an ONNX model (opset 17, IR version 8) that ONNX Runtime
 * runs to the outputs aekit gives, with a batch axis of any size.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { UsageError } from '../errors.js';
import { sha256Hex } from '../io/digest.js';
import { RUN_FILES, writeFileAtomic } from '../io/run-folder.js';
import type { Autoencoder } from '../models/autoencoder.js';
import type { Classifier } from '../models/classifier.js';
import type { Segmenter } from '../models/segmenter.js';
import type { Sequential } from '../nn/sequential.js';
import type { Tensor } from '../tensor/index.js';
import { CLASSIFIER_FORMAT } from '../run/classifier-record.js';
import { loadClassifier, runFormat } from '../run/classifier-run.js';
import { OnnxGraph } from './onnx-graph.js';
import { scaleInput, undoInputScaling } from './onnx-scaling.js';
import type { Scaling } from '../data/scaling.js';
import { loadRun } from '../run/save-load.js';
import { loadSegmenter } from '../run/segmenter-run.js';
import { AEKIT_VERSION } from '../run/version.js';

const { onnx } = onnxProto;

/** The opset the graphs use: 17 has every operator needed (BatchNormalization 15, Resize 13, MaxUnpool 11). */
export const ONNX_OPSET = 17;
/** ONNX's IR version 8 goes with opset 17. */
const IR_VERSION = 8;

/** Which part of the model to export. */
export type OnnxPart = 'encoder' | 'decoder' | 'full';
/** The parts, for option parsing. */
export const ONNX_PARTS: readonly OnnxPart[] = ['encoder', 'decoder', 'full'];

/** A network as the exporter sees it: two stacks and the output activation that follows them. */
export interface ExportableNet {
  /** One input example's shape. */
  inputShape: readonly number[];
  encoder: Sequential;
  /** The second stack: an autoencoder's decoder, a classifier's head. */
  decoder: Sequential;
  /** Applied after the decoder (a sigmoid for data in [0, 1]; a softmax over classes); 'identity' for none. */
  outputActivation: 'sigmoid' | 'softmax' | 'identity';
  /** The graph's output when it ends with the second stack (default "reconstruction"). */
  outputName?: string;
  /** An autoencoder's likelihood (its loss, and σ of a Gaussian one), for a VAE's loss in exported code. */
  likelihood?: { loss: 'bce' | 'mse' | 'gaussian'; sigma: number };
  /**
   * The run's input scaling (`--scale`): exports apply it to the raw input rows, and an
   * autoencoder's undo it on outputs in the input space, as `aekit encode` and `decode` do.
   */
  scaling?: Scaling | null;
}

/** What an exported graph takes and gives: value names and one example's shape (the batch axis is "batch"). */
export interface OnnxSignature {
  input: { name: string; shape: number[] };
  output: { name: string; shape: number[] };
}

/**
 * The net of an autoencoder: its stacks and its output activation (decode applies it).
 * @param scaling the run's `data.scale`, applied to inputs and undone on outputs
 */
export function exportableAutoencoder(model: Autoencoder, scaling: Scaling | null = null): ExportableNet {
  return {
    inputShape: model.inputShape, encoder: model.encoder, decoder: model.decoder, outputActivation: model.output.activation,
    likelihood: { loss: model.output.loss, sigma: model.output.sigma ?? 1 }, scaling,
  };
}

/**
 * The net of a classifier: its encoder, and its head's scores turned into class probabilities.
 * @param scaling the run's `data.scale`, applied to inputs
 */
export function exportableClassifier(net: Classifier, scaling: Scaling | null = null): ExportableNet {
  return { inputShape: net.inputShape, encoder: net.encoder, decoder: net.head, outputActivation: 'softmax', outputName: 'probabilities', scaling };
}

/** The net of a segmenter: its encoder, and its decoder's scores turned into each pixel's class probabilities. */
export function exportableSegmenter(net: Segmenter): ExportableNet {
  return { inputShape: net.inputShape, encoder: net.encoder, decoder: net.decoder, outputActivation: 'softmax', outputName: 'probabilities' };
}

/** The net in an output folder: an autoencoder's (aekit train, aekit import), a classifier's (aekit classify) or a segmenter's (aekit segment). */
export function exportableRun(dir: string): ExportableNet {
  if (!existsSync(join(dir, RUN_FILES.model)) && existsSync(join(dir, 'segment.json'))) return exportableSegmenter(loadSegmenter(dir));
  if (runFormat(dir) === CLASSIFIER_FORMAT) {
    const { model, record } = loadClassifier(dir);
    return exportableClassifier(model, record.data?.scale ?? null);
  }
  const { model, record } = loadRun(dir);
  return exportableAutoencoder(model, record.data?.scale ?? null);
}

/**
 * Encodes `part` of `net` as ONNX model bytes.
 * @param producer recorded in the model as where it came from
 * @throws UsageError naming the first layer ONNX (or a part alone) cannot express
 * @example
 * const { bytes, signature } = onnxModel(exportableAutoencoder(model), 'encoder');
 * // signature: { input: { name: 'input', shape: [784] }, output: { name: 'code', shape: [30] } }
 */
export function onnxModel(net: ExportableNet, part: OnnxPart, producer = 'aekit'): { bytes: Uint8Array; signature: OnnxSignature } {
  const names = new Map<Tensor, string>();
  for (const stack of [net.encoder, net.decoder]) {
    for (const { name, tensor } of [...stack.parameters(), ...stack.buffers()]) names.set(tensor, name);
  }
  const graph = new OnnxGraph(names);
  const inputName = part === 'decoder' ? 'code' : 'input';
  const inputShape = part === 'decoder' ? net.encoder.outputShape : net.inputShape;
  let x = inputName;
  // Raw rows in, as aekit encode takes them: the run's scaling comes first.
  if (part !== 'decoder' && net.scaling) x = scaleInput(graph, x, net.scaling, net.inputShape);
  if (part !== 'decoder') x = graph.stack(net.encoder, x, `the ${part === 'full' ? 'full model' : 'encoder alone'}`);
  let outputShape = net.encoder.outputShape;
  if (part !== 'encoder') {
    x = graph.stack(net.decoder, x, part === 'full' ? 'the full model' : 'the decoder alone');
    // Softmax over the classes: axis 1, the channel axis of per-pixel scores too.
    x = net.outputActivation === 'softmax' ? graph.node('Softmax', [x], { axis: 1 }, 1, 'output')[0] : graph.activation(x, net.outputActivation, 0, 'output');
    outputShape = net.decoder.outputShape;
    // Reconstructions in the data's units, as aekit decode and reconstruct write them.
    if (net.outputActivation !== 'softmax' && net.scaling) x = undoInputScaling(graph, x, net.scaling, outputShape);
  }
  // A VAE's encoder gives its posterior: the mean (the code) and the log-variance.
  const variational = part === 'encoder' && graph.logVariance !== null;
  const outputName = part === 'encoder' ? (variational ? 'mean' : 'code') : net.outputName ?? 'reconstruction';
  // The last node writes the graph's output under its public name.
  graph.node('Identity', [x], {}, 1, 'output');
  graph.nodes[graph.nodes.length - 1].output = [outputName];
  const extra: onnxProto.onnx.IValueInfoProto[] = [];
  if (variational && graph.logVariance) {
    graph.node('Identity', [graph.logVariance.value], {}, 1, 'output');
    graph.nodes[graph.nodes.length - 1].output = ['logvar'];
    extra.push(valueInfo('logvar', graph.logVariance.shape));
  }
  const model: onnxProto.onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: producer,
    producerVersion: AEKIT_VERSION,
    graph: {
      name: `aekit-${part}`,
      node: graph.nodes,
      initializer: [...graph.initializers.values()],
      input: [valueInfo(inputName, inputShape)],
      output: [valueInfo(outputName, outputShape), ...extra],
    },
  };
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  return { bytes, signature: { input: { name: inputName, shape: [...inputShape] }, output: { name: outputName, shape: [...outputShape] } } };
}

/** A float tensor value of shape [batch, ...shape], the batch axis named. */
function valueInfo(name: string, shape: readonly number[]): onnxProto.onnx.IValueInfoProto {
  const dims = [{ dimParam: 'batch' }, ...shape.map((d) => ({ dimValue: d }))];
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims } } } };
}

/** What `exportOnnx` wrote. */
export interface OnnxExportResult extends OnnxSignature {
  file: string;
  part: OnnxPart;
  bytes: number;
  /** SHA-256 of the file written, to check a copy of it against. */
  sha256: string;
  /** The nodes' operator types in order, for a reader to see what the graph does. */
  operators: string[];
}

/**
 * Writes `part` of the autoencoder or classifier in the run folder `dir` to `file` as ONNX.
 * @param options.force replace an existing file
 * @throws UsageError for an existing file without force, or a layer ONNX cannot express
 * @example
 * exportOnnx('runs/conv', 'full', 'conv.onnx');
 */
export function exportOnnx(dir: string, part: OnnxPart, file: string, options: { force?: boolean } = {}): OnnxExportResult {
  if (!ONNX_PARTS.includes(part)) throw new UsageError(`--part: "${part}" is not one of ${ONNX_PARTS.join(', ')}`);
  if (!file.endsWith('.onnx')) throw new UsageError(`${file}: --output names an ONNX file, ending in .onnx`);
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) throw new UsageError(`${file}: is a folder; --output names the .onnx file to write`);
    if (!options.force) throw new UsageError(`${file}: exists; pass --force to replace it`);
  }
  const { bytes, signature } = onnxModel(exportableRun(dir), part);
  writeFileAtomic(file, bytes);
  const operators = onnx.ModelProto.decode(bytes).graph?.node?.map((n) => n.opType ?? '') ?? [];
  return { ...signature, file, part, bytes: bytes.length, sha256: sha256Hex(bytes), operators };
}
