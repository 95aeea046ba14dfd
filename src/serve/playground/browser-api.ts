/**
 * What the playground page (web/playground.js) runs in the browser, bundled by
 * scripts/build-playground.mjs into web/playground/aekit-browser.js: aekit's own model code on
 * the WebAssembly backend, fed from a run folder's model.json and model.safetensors. The same
 * functions as the CLI: parseRunRecord and loadStateDict rebuild the model as loadRun does,
 * applyScaling and transformRows are what `aekit reconstruct` runs, iterateFill what `aekit
 * inpaint` runs. Nothing here touches the file system (the bundle stubs Node's modules out).
 */
import { applyScaling, undoScaling, type Scaling } from '../../data/scaling.js';
import { parseRunRecord } from '../../run/run-record.js';
import { transformRows } from '../../run/transform.js';
import { iterateFill } from '../../apps/inpaint/inpaint.js';
import type { WasmBackend } from '../../backend/wasm/wasm-backend.js';
import { loadBrowserWasmBackend, pageThreads } from '../../backend/wasm/load-browser.js';
import { parseSafetensors } from '../../io/safetensors.js';
import { ignoreDigests } from '../../io/digest.js';
import { Autoencoder } from '../../models/autoencoder.js';
import { PRESETS } from '../../training/presets.js';
import { fit, type FitResult, type TrainingEvent } from '../../training/fit.js';
import { loadStateDict } from '../../models/state.js';
import { Prng } from '../../util/prng.js';
import { setBackend, Tensor, tidy } from '../../tensor/index.js';
import { INFERENCE } from '../../nn/layer.js';

/**
 * Fetches and instantiates aekit's wasm module and makes it the backend of every op: threaded
 * where the page is cross-origin isolated, else one thread (see loadBrowserWasmBackend).
 * @param url aekit.wasm
 * @param threadsUrl aekit-threads.wasm; without it the page runs one thread
 * @param threads threads per kernel (the page's own included); default pageThreads()
 * @example
 * await useWasm('playground/aekit.wasm', 'playground/aekit-threads.wasm');
 */
export async function useWasm(url: string, threadsUrl?: string, threads = pageThreads()): Promise<WasmBackend> {
  const backend = await loadBrowserWasmBackend(url, threadsUrl, threads);
  setBackend(backend);
  return backend;
}

/** A run's model, ready to use on rows of pixels in the data's units. */
export interface PlaygroundModel {
  model: Autoencoder;
  inputSize: number;
  codeSize: number;
  /** [height, width] when the examples are single-channel images, else null. */
  image: [number, number] | null;
  /** Encode rows (data units) to codes. */
  encode(rows: Float32Array): Float32Array;
  /** Decode codes to rows (data units). */
  decode(codes: Float32Array): Float32Array;
  /** Reconstruct rows (data units): exactly `aekit reconstruct`. */
  reconstruct(rows: Float32Array): Float32Array;
  /** Fills the pixels where `missing` is 1 by iterating reconstructions (`aekit inpaint --method iterate`). */
  inpaint(row: Float32Array, missing: Uint8Array, iterations: number): Float32Array;
  /** The row with Gaussian noise of standard deviation `sigma` added, clipped to [0, 1], from `seed`. */
  addNoise(row: Float32Array, sigma: number, seed: number): Float32Array;
  /**
   * The encoder's feature maps for one row (data units): the output of each encoder layer whose
   * examples are images (channels x height x width), e.g. each convolution after its activation.
   * Empty for a dense model.
   */
  featureMaps(row: Float32Array): FeatureMaps[];
}

/** One encoder layer's output for one example: `channels` maps of height x width, channel-major. */
export interface FeatureMaps {
  /** The layer's place in the encoder and its kind, e.g. "encoder.1 conv2d". */
  layer: string;
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

/**
 * Rebuilds a run's model from the text of its model.json and the bytes of its model.safetensors.
 * @param modelJson model.json, parsed
 * @param weights model.safetensors
 * @param name the run's name, for error messages
 */
export function loadRunModel(modelJson: unknown, weights: Uint8Array, name: string): PlaygroundModel {
  // The weights' SHA-256 self-check runs on node:crypto, which the page does not have (the
  // browser's is asynchronous): the page takes the file as the dashboard or the user gave it.
  ignoreDigests(true);
  const { record, renameWeights } = parseRunRecord(modelJson, `${name}/model.json`);
  const content = parseSafetensors(weights, `${name}/model.safetensors`);
  const arrays = [...content.tensors].map(([key, t]) => ({ name: key, shape: t.shape, data: t.data }));
  const model = Autoencoder.create(record.model, 0, { maxParameters: arrays.reduce((n, a) => n + a.data.length, 0) });
  loadStateDict(model, renameWeights(arrays), `${name}/model.safetensors`);
  return playgroundModel(model, record.data?.scale ?? null);
}

/**
 * Trains the undercomplete preset's model (784-64-784, sigmoid, binary cross-entropy, Adam with
 * its cosine schedule) on `digits` in the page, the last 500 rows held out for validation.
 * @param digits rows of 784 pixels in [0, 1]
 * @param options epochs, a signal that stops training after the current step, and the fit events
 * @example
 * const { model } = await trainUndercomplete(pixels, { epochs: 3, onEvent: (e) => draw(e) });
 */
export async function trainUndercomplete(digits: Float32Array, options: { epochs: number; signal?: AbortSignal; onEvent?: (event: TrainingEvent) => void; onModel?: (model: PlaygroundModel) => void }): Promise<{ model: PlaygroundModel; result: FitResult }> {
  const preset = PRESETS.undercomplete;
  const n = digits.length / 784, held = Math.min(500, Math.floor(n / 10));
  const model = Autoencoder.create(preset.model, 0);
  const wrapped = playgroundModel(model, null);
  options.onModel?.(wrapped);
  const result = await fit(model, { x: digits.subarray(0, (n - held) * 784), n: n - held, features: 784 }, {
    ...preset.training, epochs: options.epochs, signal: options.signal, onEvent: options.onEvent,
    validation: { x: digits.subarray((n - held) * 784), n: held, features: 784 },
  });
  return { model: wrapped, result };
}

/** The page's view of a model whose inputs are scaled by `scaling` (null: used as they are). */
function playgroundModel(model: Autoencoder, scaling: Scaling | null): PlaygroundModel {
  const shape = model.inputShape;
  const image: [number, number] | null = shape.length === 3 && shape[0] === 1 ? [shape[1], shape[2]]
    : shape.length === 1 && Number.isInteger(Math.sqrt(shape[0])) ? [Math.sqrt(shape[0]), Math.sqrt(shape[0])] : null;
  const rows = (x: Float32Array, features: number) => ({ x, n: x.length / features, features });
  const reconstruct = (x: Float32Array): Float32Array =>
    undoScaling(transformRows(model, 'reconstruct', applyScaling(rows(x, model.inputSize), scaling)), scaling).x;
  return {
    model,
    inputSize: model.inputSize,
    codeSize: model.codeSize,
    image,
    encode: (x) => transformRows(model, 'encode', applyScaling(rows(x, model.inputSize), scaling)).x,
    decode: (codes) => undoScaling(transformRows(model, 'decode', rows(codes, model.codeSize)), scaling).x,
    reconstruct,
    inpaint(row, missing, iterations) {
      const start = rows(row.slice(), model.inputSize);
      return iterateFill(start, { missing, n: 1, features: model.inputSize }, (x) => rows(reconstruct(x.x), model.inputSize), iterations).x;
    },
    featureMaps(row) {
      const layers = model.encoder.layers;
      const shown = layers.map((l) => l.outputShape.length === 3 && l.spec().type !== 'noise');
      if (!shown.some(Boolean)) return [];
      const x = applyScaling(rows(row, model.inputSize), scaling).x;
      return tidy(() => {
        const outputs = model.encoder.trace(Tensor.from(x, [1, ...model.inputShape]), INFERENCE);
        return layers.flatMap((l, i) => shown[i]
          ? [{ layer: `encoder.${i} ${l.spec().type}`, channels: l.outputShape[0], height: l.outputShape[1], width: l.outputShape[2], data: outputs[i].data.slice() }]
          : []);
      });
    },
    addNoise(row, sigma, seed) {
      const rng = new Prng(seed);
      return row.map((v) => Math.min(1, Math.max(0, v + sigma * rng.normal())));
    },
  };
}
