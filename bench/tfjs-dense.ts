/**
 * The bench's dense model in TensorFlow.js, given a loaded tfjs-core: 784-1000-500-250-30
 * mirrored, sigmoid hidden units, linear code, sigmoid output, squared error, Adam 1e-3, data
 * cycled from a fixed pool. No Node modules here: bench/tfjs-peer.ts runs it in Node and
 * bench/browser/chromium-entry.ts in Chromium.
 */

/** The tfjs-core surface used here (typed loosely: tfjs is a dev dependency of the bench only). */
export interface TfTensor { dispose(): void; dataSync(): Float32Array }
export interface Tf {
  version_core: string;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  env(): { getBool(flag: string): boolean };
  tidy<T>(fn: () => T): T;
  variable(t: TfTensor): TfTensor;
  randomNormal(shape: number[], mean: number, std: number, dtype?: string, seed?: number): TfTensor;
  zeros(shape: number[]): TfTensor;
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  add(a: TfTensor, b: TfTensor): TfTensor;
  sub(a: TfTensor, b: TfTensor): TfTensor;
  square(a: TfTensor): TfTensor;
  mean(a: TfTensor): TfTensor;
  sigmoid(a: TfTensor): TfTensor;
  train: { adam(lr: number): { minimize(f: () => TfTensor, returnCost: boolean): TfTensor | null; dispose(): void } };
}

const LAYERS = [784, 1000, 500, 250, 30, 250, 500, 1000, 784];
const CODE_LAYER = 3; // the 30-unit code is linear

/** One training setup on a tfjs backend: `step()` runs one Adam step on the next batch. */
export interface TfjsTrainer {
  backend: string;
  version: string;
  simd: boolean;
  threads: boolean;
  step: () => void;
  dispose: () => void;
}

/**
 * Builds the dense model on the loaded tfjs's backend `name` ('wasm' or 'cpu').
 * @param tf tfjs-core with the backend registered and the gradients loaded
 * @throws when the backend cannot train it (its error message says what is missing)
 */
export async function denseTfjsTrainer(tf: Tf, name: string, batch: number, pool: Float32Array): Promise<TfjsTrainer> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} did not initialise`);
  await tf.ready();
  const weights: TfTensor[] = [], biases: TfTensor[] = [];
  for (let i = 0; i + 1 < LAYERS.length; i++) {
    weights.push(tf.variable(tf.randomNormal([LAYERS[i], LAYERS[i + 1]], 0, 1 / Math.sqrt(LAYERS[i]), 'float32', i)));
    biases.push(tf.variable(tf.zeros([LAYERS[i + 1]])));
  }
  const optimizer = tf.train.adam(1e-3);
  const rows = pool.length / 784;
  let cursor = 0;
  const step = (): void => {
    if (cursor + batch > rows) cursor = 0;
    const x = tf.tensor2d(pool.subarray(cursor * 784, (cursor + batch) * 784), [batch, 784]);
    cursor += batch;
    const cost = optimizer.minimize(() => {
      let h = x;
      for (let i = 0; i < weights.length; i++) {
        h = tf.add(tf.matMul(h, weights[i]), biases[i]);
        if (i !== CODE_LAYER) h = tf.sigmoid(h);
      }
      return tf.mean(tf.square(tf.sub(h, x)));
    }, true);
    cost?.dataSync(); // wait for the step (and see that it produced a loss)
    cost?.dispose();
    x.dispose();
  };
  step(); // the first step fails here, not in the timed loop, when a kernel or gradient is missing
  return {
    backend: name,
    version: tf.version_core,
    simd: name === 'wasm' && tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    threads: name === 'wasm' && tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
    step,
    dispose: () => {
      optimizer.dispose();
      for (const v of [...weights, ...biases]) v.dispose();
    },
  };
}
