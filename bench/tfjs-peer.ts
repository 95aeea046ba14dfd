/**
 * TensorFlow.js 4.22 on the bench's dense model, in this Node process: @tensorflow/tfjs-core with
 * its WebAssembly backend (@tensorflow/tfjs-backend-wasm; SIMD build, one thread in Node) and its
 * plain-JS backend (@tensorflow/tfjs-backend-cpu, what a Node user without tfjs-node gets). Same
 * model as aekit's bench (784-1000-500-250-30 mirrored, sigmoid hidden units, linear code, sigmoid
 * output), squared error, Adam 1e-3, batch 256, data cycled from a fixed random pool.
 */
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { denseTfjsTrainer, type Tf, type TfjsTrainer } from './tfjs-dense.js';

export type { TfjsTrainer } from './tfjs-dense.js';

let loaded: Promise<Tf> | null = null;

/** Loads tfjs-core, both backends and the gradients, once. Throws when the packages are not installed. */
export function loadTfjs(): Promise<Tf> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const tf = require('@tensorflow/tfjs-core') as Tf;
    require('@tensorflow/tfjs-backend-cpu');
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
    register('./tfjs-resolve-hooks.mjs', import.meta.url);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    // Node reads the backend's .wasm from this folder of the package (it ships inside).
    wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
    return tf;
  })();
  return loaded;
}

/**
 * Builds the dense model on tfjs backend `name` ('wasm' or 'cpu').
 * @throws when the backend cannot train it (its error message says what is missing)
 */
export async function tfjsTrainer(name: 'wasm' | 'cpu', batch: number, pool: Float32Array): Promise<TfjsTrainer> {
  return denseTfjsTrainer(await loadTfjs(), name, batch, pool);
}
