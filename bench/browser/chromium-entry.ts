/**
 * The page side of bench/chromium-bench.ts, bundled by esbuild when the bench runs (never
 * committed): aekit's WebAssembly backend and TensorFlow.js's WebAssembly backend training the
 * bench's dense model in one page, driven step by step from Node through `window.aekitBench`.
 */
import * as tfCore from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { webAssembly } from '../../src/backend/wasm/wasm-api.js';
import { createWasmBackend } from '../../src/backend/wasm/wasm-backend.js';
import { loadBrowserWasmBackend, pageThreads } from '../../src/backend/wasm/load-browser.js';
import { aekitTrainer, DENSE_CONFIG, randomPool } from '../aekit-dense.js';
import { denseTfjsTrainer, type Tf, type TfjsTrainer } from '../tfjs-dense.js';

/** What setup() found: TensorFlow.js's build and why it could not train, if it could not. */
export interface BenchSetup {
  tfjsVersion: string;
  tfjsSimd: boolean | null;
  tfjsThreads: boolean | null;
  tfjsError: string | null;
  crossOriginIsolated: boolean;
  /** Threads of aekit's threaded module in this page (1: not isolated, so not measured). */
  aekitThreads: number;
}

let aekitStep: (() => void) | null = null;
let aekitThreadedStep: (() => void) | null = null;
let tfjs: TfjsTrainer | null = null;

/** Samples per second of `steps` calls of `step`, `batch` examples each (wall clock of the page). */
function rate(step: () => void, steps: number, batch: number): number {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  return (steps * batch) / ((performance.now() - t0) / 1000);
}

const api = {
  /**
   * Loads both backends and builds both models (one warm-up step each).
   * @param aekitWasmUrl aekit's one-thread module; `aekitThreadsUrl` its threaded one (used when
   * the page is cross-origin isolated); `tfjsWasmPrefix` the folder of tfjs's .wasm files
   */
  async setup(batch: number, aekitWasmUrl: string, aekitThreadsUrl: string, tfjsWasmPrefix: string): Promise<BenchSetup> {
    const pool = randomPool();
    const wasm = webAssembly();
    const bytes = new Uint8Array(await (await fetch(aekitWasmUrl)).arrayBuffer());
    const backend = createWasmBackend(await wasm.instantiate(await wasm.compile(bytes), {}));
    aekitStep = aekitTrainer(backend, DENSE_CONFIG, batch, pool);
    aekitStep();
    const aekitThreads = pageThreads();
    if (aekitThreads > 1) {
      aekitThreadedStep = aekitTrainer(await loadBrowserWasmBackend(aekitWasmUrl, aekitThreadsUrl, aekitThreads), DENSE_CONFIG, batch, pool);
      aekitThreadedStep();
    }
    setWasmPaths(tfjsWasmPrefix);
    let tfjsError: string | null = null;
    try {
      tfjs = await denseTfjsTrainer(tfCore as unknown as Tf, 'wasm', batch, pool);
    } catch (e) {
      tfjsError = (e as Error).message;
    }
    return {
      tfjsVersion: tfCore.version_core, tfjsSimd: tfjs?.simd ?? null, tfjsThreads: tfjs?.threads ?? null, tfjsError,
      crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true, aekitThreads,
    };
  },
  /** aekit's samples per second over `steps` steps. */
  aekit(steps: number, batch: number): number {
    if (!aekitStep) throw new Error('setup() first');
    return rate(aekitStep, steps, batch);
  },
  /** aekit's threaded samples per second over `steps` steps. */
  aekitThreaded(steps: number, batch: number): number {
    if (!aekitThreadedStep) throw new Error('the page is not cross-origin isolated: no threaded aekit');
    return rate(aekitThreadedStep, steps, batch);
  },
  /** TensorFlow.js's samples per second over `steps` steps. */
  tfjs(steps: number, batch: number): number {
    if (!tfjs) throw new Error('TensorFlow.js did not set up');
    return rate(tfjs.step, steps, batch);
  },
};

(globalThis as { aekitBench?: typeof api }).aekitBench = api;
