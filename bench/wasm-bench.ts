/**
 * The `wasm` section of `npm run bench`: aekit's WebAssembly backend training the dense model
 * (batch 256, Adam), beside TensorFlow.js 4.22 on its WebAssembly and CPU backends and aekit's
 * native backend on one thread, interleaved repetition by repetition in this one process so that
 * load from other processes on a shared machine falls on all of them alike. The threaded wasm
 * build (one thread per core, worker_threads on a shared memory) is measured beside its one-thread
 * build the same way.
 */
import type { AutoencoderConfigInput } from '../src/models/config.js';
import type { Backend } from '../src/backend/backend.js';
import { availableParallelism } from 'node:os';
import { startNodeWasmBackend } from '../src/backend/wasm/load-node.js';
import { setBackend } from '../src/tensor/index.js';
import { aekitTrainer, randomPool } from './aekit-dense.js';
import { median } from './gemm-bench.js';
import { tfjsTrainer, type TfjsTrainer } from './tfjs-peer.js';

export interface WasmBenchOptions { reps: number; steps: number; warmup: number; batch: number }

interface Rated { samplesPerSecond: number; repetitions: number[] }

/** Samples per second of `steps` calls of `step` with `batch` examples each. */
function rate(step: () => void, steps: number, batch: number, cpuRates?: number[]): number {
  const t0 = performance.now(), c0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) step();
  const c = process.cpuUsage(c0);
  cpuRates?.push((steps * batch) / ((c.user + c.system) / 1e6));
  return (steps * batch) / ((performance.now() - t0) / 1000);
}

const summary = (rates: number[]): Rated => ({ samplesPerSecond: median(rates), repetitions: rates.map(Math.round) });

/**
 * Measures the section. `native` is the native backend with `setThreads` (absent when the addon is not built).
 * @param log progress lines (stderr)
 */
export async function runWasmBench(o: WasmBenchOptions, config: AutoencoderConfigInput, native: { backend: Backend; setThreads(n: number): number; threads: number } | null,
  log: (line: string) => void) {
  const pool = randomPool();
  const wasm = startNodeWasmBackend(1);
  const ours = aekitTrainer(wasm, config, o.batch, pool);
  const threads = Math.max(2, availableParallelism());
  const wasmThreaded = startNodeWasmBackend(threads);
  const oursThreaded = aekitTrainer(wasmThreaded, config, o.batch, pool);
  const nativeStep = native ? aekitTrainer(native.backend, config, o.batch, pool) : null;
  const peers: Partial<Record<'wasm' | 'cpu', TfjsTrainer>> = {};
  const refusals: Record<string, string> = {};
  for (const name of ['wasm', 'cpu'] as const) {
    try {
      peers[name] = await tfjsTrainer(name, o.batch, pool);
    } catch (e) {
      refusals[name] = (e as Error).message;
      log(`wasm bench: tfjs ${name} cannot train the dense model: ${refusals[name]}`);
    }
  }
  const rates = { ours: [] as number[], threaded: [] as number[], native: [] as number[], tfjsWasm: [] as number[], tfjsCpu: [] as number[] };
  // Per second of this process's CPU time: both aekit backends run one thread here, so on a
  // shared machine this ratio is not moved by how much of the wall clock other processes take.
  const cpuRates = { ours: [] as number[], native: [] as number[] };
  try {
    native?.setThreads(1);
    for (let i = 0; i < o.warmup; i++) {
      ours();
      oursThreaded();
      nativeStep?.();
      peers.wasm?.step();
    }
    for (let r = 0; r < o.reps; r++) {
      rates.ours.push(rate(ours, o.steps, o.batch, cpuRates.ours));
      rates.threaded.push(rate(oursThreaded, o.steps, o.batch));
      // tfjs's wasm backend runs this model's backward matmuls (transposed operands) some twenty
      // times slower than aekit here: fewer steps keep the repetition short; a rate is per sample.
      if (peers.wasm) rates.tfjsWasm.push(rate(peers.wasm.step, Math.max(1, Math.round(o.steps / 3)), o.batch));
      if (nativeStep) rates.native.push(rate(nativeStep, o.steps, o.batch, cpuRates.native));
      log(`wasm bench: repetition ${r + 1}/${o.reps}: aekit wasm ${Math.round(rates.ours.at(-1)!)}, threaded (${threads}) ${Math.round(rates.threaded.at(-1)!)}, tfjs wasm ${Math.round(rates.tfjsWasm.at(-1) ?? NaN)}, aekit native 1 thread ${Math.round(rates.native.at(-1) ?? NaN)} samples/s`);
    }
    // tfjs's plain-JS backend is slower still: one step, once.
    if (peers.cpu) rates.tfjsCpu.push(rate(peers.cpu.step, 1, o.batch));
  } finally {
    if (native) native.setThreads(native.threads);
    peers.wasm?.dispose();
    peers.cpu?.dispose();
    setBackend(native?.backend ?? wasm);
  }
  const peer = (name: 'wasm' | 'cpu', list: number[]) => peers[name]
    ? { name: `tfjs-backend-${name}`, version: peers[name].version, simd: peers[name].simd, threads: peers[name].threads ? 'multi' : 'one', ...summary(list) }
    : { name: `tfjs-backend-${name}`, error: refusals[name] };
  const oursRated = summary(rates.ours);
  const tfjsWasm = peer('wasm', rates.tfjsWasm), tfjsCpu = peer('cpu', rates.tfjsCpu);
  const best = Math.max(...[tfjsWasm, tfjsCpu].map((p) => ('samplesPerSecond' in p ? p.samplesPerSecond ?? 0 : 0)));
  const native1 = native ? summary(rates.native) : null;
  const threadedRated = summary(rates.threaded);
  const tfjsWasmRate = 'samplesPerSecond' in tfjsWasm ? tfjsWasm.samplesPerSecond ?? null : null;
  return {
    model: '784-1000-500-250-30-250-500-1000-784 sigmoid, linear code, squared error, Adam',
    batch: o.batch,
    threads: 1,
    blocking: wasm.gemmBlocking(),
    ...oursRated,
    peers: { tfjsWasm, tfjsCpu },
    /** To the faster TensorFlow.js backend. */
    ratio: best > 0 ? oursRated.samplesPerSecond / best : null,
    /** The threaded build: its rate, and against the one-thread build and tfjs's wasm backend (as it ran here: see its `threads`). */
    threaded: {
      threads, workerChunks: wasmThreaded.workerChunks(), ...threadedRated,
      ratioToOneThread: threadedRated.samplesPerSecond / oursRated.samplesPerSecond,
      ratioToTfjsWasm: tfjsWasmRate ? threadedRated.samplesPerSecond / tfjsWasmRate : null,
    },
    native1Thread: native1,
    ratioToNative1Thread: native1 ? oursRated.samplesPerSecond / native1.samplesPerSecond : null,
    /** Samples per CPU-second (medians) of the wasm and native backends on one thread, and their ratio. */
    cpuTime: {
      samplesPerCpuSecond: median(cpuRates.ours),
      native1ThreadSamplesPerCpuSecond: native ? median(cpuRates.native) : null,
      ratioToNative1Thread: native ? median(cpuRates.ours) / median(cpuRates.native) : null,
    },
  };
}
