/**
 * `npm run bench`: training speed on random data, beside the machine's FMA peak, the GEMM on the
 * dense model's shapes and PyTorch on the same models in the same run, so that noise on a shared
 * machine cancels in the ratio. Two models:
 * - dense: the 784-1000-500-250-30-250-500-1000-784 autoencoder (sigmoid units, linear code,
 *   batch 256, Adam, squared error);
 * - conv: conv 32 3x3 stride 2 padding 1, relu; conv 64 the same, relu; flatten; dense 32
 *   (linear code); mirrored back with dense 3136 relu and two transposed convolutions (output
 *   padding 1), batch 128, Adam, binary cross-entropy from logits (reported under `conv`).
 * And, for the steady-state memory check only (a few steps, untimed), a SegNet-style autoencoder:
 * two conv + max pooling blocks mirrored back through unpooling at the pooling's argmax indices
 * (reported under `pooling`), so that "0 bytes" covers those index buffers too.
 *
 *   npm run bench                 # human summary
 *   npm run bench -- --json       # one JSON object on stdout
 *   npm run bench -- --reps 7 --steps 60 --no-peer
 *   npm run bench -- --wasm-only  # only the WebAssembly section (bench/wasm-bench.ts)
 *   npm run bench -- --no-tuning  # without conv.tuning (tuned choices against the built-in rule)
 *
 * The `wasm` section trains the dense model on aekit's WebAssembly backend beside TensorFlow.js
 * 4.22 (wasm and cpu backends) and aekit's native backend on one thread.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Autoencoder } from '../src/models/autoencoder.js';
import type { AutoencoderConfigInput } from '../src/models/config.js';
import { selectBackend } from '../src/backend/select.js';
import { readFileSync } from 'node:fs';
import { nativeInfo, nativeTuningHooks, nativeTuningStatus, setNativeThreads } from '../src/backend/native/native-backend.js';
import { installConvChoices, type TuningFile } from '../src/backend/native/tuning.js';
import { tune } from '../src/apps/tune/tune.js';
import { backward, getPool, setBackend, Tensor, tidy } from '../src/tensor/index.js';
import { Adam } from '../src/training/optimizers.js';
import { Prng } from '../src/util/prng.js';
import { contentionWarning, median, runGemmBench } from './gemm-bench.js';
import { describeMachine, machineLine } from './machine.js';
import { runWasmBench } from './wasm-bench.js';

interface Options { reps: number; steps: number; warmup: number; batch: number; peer: boolean; json: boolean; wasm: boolean; wasmOnly: boolean; tuning: boolean }

/** A benchmarked model: its config, its example shape, its batch (--batch sets the dense one's), and its name for the peer. */
interface BenchModel { name: 'dense' | 'conv' | 'pooling'; config: AutoencoderConfigInput; shape: number[]; batch: number }

const DENSE: Omit<BenchModel, 'batch'> = {
  name: 'dense',
  config: { layers: [784, 1000, 500, 250, 30], hiddenActivation: 'sigmoid', codeActivation: 'identity', outputActivation: 'sigmoid', loss: 'mse' },
  shape: [784],
};

const CONV: BenchModel = {
  name: 'conv',
  config: {
    input: [1, 28, 28],
    encoder: [
      { type: 'conv2d', filters: 32, kernel: 3, stride: 2, padding: 1, activation: 'relu' },
      { type: 'conv2d', filters: 64, kernel: 3, stride: 2, padding: 1, activation: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units: 32 },
    ],
    decoder: 'mirror',
    output: { activation: 'sigmoid', loss: 'bce' },
  },
  shape: [1, 28, 28],
  batch: 128,
};

const POOLING: BenchModel = {
  name: 'pooling',
  config: {
    input: [1, 28, 28],
    encoder: [
      { type: 'conv2d', filters: 16, kernel: 3, padding: 1, activation: 'relu' },
      { type: 'max_pool2d', kernel: 2 },
      { type: 'conv2d', filters: 32, kernel: 3, padding: 1, activation: 'relu' },
      { type: 'max_pool2d', kernel: 2 },
    ],
    decoder: 'mirror',
    output: { activation: 'sigmoid', loss: 'bce' },
  },
  shape: [1, 28, 28],
  batch: 32,
};

/** Bytes the pooling model's steady-state steps allocate (buffers and argmax indices): a few untimed steps. */
function measurePoolingMemory(o: Options) {
  const run = benchAekit({ ...o, reps: 1, steps: Math.min(o.steps, 4), warmup: 2 }, POOLING);
  return {
    model: 'conv 16 + max pool 2, conv 32 + max pool 2, mirrored with unpooling at the indices; relu, binary cross-entropy, Adam',
    batch: POOLING.batch, steps: Math.min(o.steps, 4), steadyStateAllocatedBytes: run.steadyStateAllocatedBytes,
  };
}

function parseArgs(argv: string[]): Options {
  const o: Options = { reps: 5, steps: 40, warmup: 5, batch: 256, peer: true, json: false, wasm: true, wasmOnly: false, tuning: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = true;
    else if (a === '--no-peer') o.peer = false;
    else if (a === '--no-wasm') o.wasm = false;
    else if (a === '--no-tuning') o.tuning = false;
    else if (a === '--wasm-only') o.wasmOnly = true;
    else if (a === '--reps' || a === '--steps' || a === '--warmup' || a === '--batch') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a whole number ≥ 1`);
      o[a.slice(2) as 'reps' | 'steps' | 'warmup' | 'batch'] = v;
    } else throw new Error(`unknown option ${a}; options: --json --no-peer --no-wasm --no-tuning --wasm-only --reps N --steps N --warmup N --batch N`);
  }
  return o;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * aekit's training steps per second on random data: samples/s per repetition, and memory facts.
 * `beforeRep` runs before each timed repetition (and once before the warm-up, with -1).
 */
function benchAekit(o: Options, bench: BenchModel, beforeRep: (rep: number) => void = () => {}) {
  const model = Autoencoder.create(bench.config, 0);
  const params = model.parameters();
  const adam = new Adam(params, { lr: 1e-3 });
  const rng = new Prng(0);
  const poolRows = 8192;
  const features = model.inputSize;
  const data = Float32Array.from({ length: poolRows * features }, () => rng.uniform());
  const batch = new Tensor(new Float32Array(bench.batch * features), [bench.batch, ...bench.shape]);
  let cursor = 0;
  const step = () => {
    // The same rows cycled in order, as the peer does: the copy is part of a real step too.
    if (cursor + bench.batch > poolRows) cursor = 0;
    batch.data.set(data.subarray(cursor * features, (cursor + bench.batch) * features));
    cursor += bench.batch;
    tidy(() => {
      for (const p of params) p.tensor.zeroGrad();
      const { loss } = model.objective({ x: batch }, { training: true, rng });
      backward(loss);
      adam.step();
    });
  };
  beforeRep(-1);
  for (let i = 0; i < o.warmup; i++) step();
  const allocatedAfterWarmup = getPool().totalAllocatedBytes;
  const rates: number[] = [];
  for (let r = 0; r < o.reps; r++) {
    beforeRep(r);
    const t0 = performance.now();
    for (let i = 0; i < o.steps; i++) step();
    rates.push((o.steps * bench.batch) / ((performance.now() - t0) / 1000));
  }
  return {
    rates,
    samplesPerSecond: median(rates),
    steadyStateAllocatedBytes: getPool().totalAllocatedBytes - allocatedAfterWarmup,
    rssBytes: process.memoryUsage().rss,
  };
}

/** PyTorch on the same model, in its best setting (OpenBLAS unrestricted; 1 and 2 threads). */
function benchPeer(o: Options, bench: BenchModel): { name: 'pytorch'; samplesPerSecond: number; threads: number; version: string } | null {
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return null;
  const script = fileURLToPath(new URL('./peer_pytorch.py', import.meta.url));
  const env = { ...process.env };
  // The machine caps OpenBLAS at AVX2 for old builds' sake; the peer is measured at its best.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  let best: { name: 'pytorch'; samplesPerSecond: number; threads: number; version: string } | null = null;
  for (const threads of [1, 2]) {
    const run = spawnSync('/usr/bin/python3', [script, '--model', bench.name, '--threads', String(threads), '--steps', String(o.steps),
      '--warmup', String(o.warmup), '--reps', String(o.reps), '--batch', String(bench.batch)], { env, encoding: 'utf8' });
    if (run.status !== 0) {
      log(`peer: pytorch with ${threads} thread(s) failed: ${run.stderr.trim().split('\n').at(-1)}`);
      continue;
    }
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { version: string; samplesPerSecond: number };
    log(`peer: pytorch ${result.version}, ${bench.name}, ${threads} thread(s): ${Math.round(result.samplesPerSecond)} samples/s`);
    if (!best || result.samplesPerSecond > best.samplesPerSecond) {
      best = { name: 'pytorch', samplesPerSecond: result.samplesPerSecond, threads, version: result.version };
    }
  }
  return best;
}

/** One model: ours, the peer, ours again (interleaved in time as far as two processes allow), and the ratio of medians. */
function measure(o: Options, bench: BenchModel) {
  const first = benchAekit(o, bench);
  const peer = o.peer ? benchPeer(o, bench) : null;
  const second = benchAekit(o, bench);
  const rates = [...first.rates, ...second.rates];
  const samplesPerSecond = median(rates);
  return {
    rates, samplesPerSecond, peer, ratio: peer ? samplesPerSecond / peer.samplesPerSecond : null,
    memory: { rssBytes: Math.max(first.rssBytes, second.rssBytes), steadyStateAllocatedBytes: second.steadyStateAllocatedBytes },
  };
}

/**
 * The conv model with this machine's tuned convolution choices and with the built-in rule's,
 * alternating by repetition (tuned, rule, rule, tuned, ...: drift hits both alike). The tuned
 * choices are the cache's when it applies to this CPU, else measured here and now (`aekit tune`
 * without writing the cache). The addon is left as it was found.
 */
function measureTunedAgainstRule(o: Options, bench: BenchModel, backend: ReturnType<typeof selectBackend>) {
  const hooks = nativeTuningHooks();
  const status = nativeTuningStatus();
  const cached = status.state === 'applied' ? (JSON.parse(readFileSync(status.path, 'utf8')) as TuningFile) : null;
  const started = performance.now();
  const file = cached ?? tune(backend, { write: false }).file;
  const tuneSeconds = cached ? null : (performance.now() - started) / 1000;
  // Repetitions in pairs, tuned then rule, rule then tuned, ...; the first pair warms both up and is not counted.
  const isTuned = (rep: number) => rep % 4 === 0 || rep % 4 === 3;
  try {
    const run = benchAekit({ ...o, reps: 2 * o.reps + 2 }, bench, (rep) => installConvChoices(hooks, rep >= 0 && !isTuned(rep) ? [] : file.conv));
    const tuned: number[] = [], rule: number[] = [];
    run.rates.forEach((rate, r) => { if (r >= 2) (isTuned(r) ? tuned : rule).push(rate); });
    return {
      source: cached ? 'cache' : 'measured in this run', tuneSeconds, cpu: file.cpu, contended: file.contended ?? null,
      choices: file.conv.length, differFromRule: file.conv.filter((c) => c.algorithm !== c.rule).length,
      tunedSamplesPerSecond: median(tuned), ruleSamplesPerSecond: median(rule),
      ratio: median(tuned.map((t, i) => t / rule[i])),
    };
  } finally {
    installConvChoices(hooks, cached ? cached.conv : []);
  }
}

/** The wasm section, on a fraction of the steps (a wasm step is several times a native one). */
function measureWasm(o: Options, backend: ReturnType<typeof selectBackend>) {
  const native = backend.name === 'native' ? { backend, setThreads: setNativeThreads, threads: nativeInfo().threads } : null;
  return runWasmBench({ reps: o.reps, steps: Math.max(2, Math.round(o.steps / 8)), warmup: 1, batch: o.batch }, DENSE.config, native, log);
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const backend = selectBackend();
  setBackend(backend);
  log(`backend: ${backend.name}`);
  const machine = describeMachine();
  log(`machine: ${machineLine(machine)}`);
  if (o.wasmOnly) {
    const wasm = await measureWasm(o, backend);
    if (o.json) process.stdout.write(`${JSON.stringify({ machine, wasm })}\n`);
    else printWasm(wasm, machine);
    return;
  }
  const gemm = backend.name === 'native' ? runGemmBench(backend) : null;
  if (gemm?.peakContended) log(contentionWarning(gemm));
  if (gemm) log(`gemm: ${gemm.gflops.toFixed(0)} GFLOP/s on the model's shapes, ${(100 * gemm.fractionOfPeak).toFixed(0)}% of the ${gemm.peakGflops.toFixed(0)} GFLOP/s FMA peak (${(100 * gemm.fractionOfBestPeak).toFixed(0)}% of its best round, ${gemm.peakBestGflops.toFixed(0)})`);
  const dense = measure(o, { ...DENSE, batch: o.batch });
  const conv = measure(o, CONV);
  const pooling = measurePoolingMemory(o);
  const convTuning = backend.name === 'native' && o.tuning ? measureTunedAgainstRule(o, CONV, backend) : null;
  if (convTuning) log(`conv, tuned choices (${convTuning.source}) against the built-in rule: ${Math.round(convTuning.tunedSamplesPerSecond)} and ${Math.round(convTuning.ruleSamplesPerSecond)} samples/s, ${convTuning.ratio.toFixed(3)}x`);
  const wasm = o.wasm ? await measureWasm(o, backend) : null;
  const { samplesPerSecond, rates, peer, ratio, memory } = dense;
  const result = {
    machine,
    model: '784-1000-500-250-30-250-500-1000-784 sigmoid, linear code, squared error, Adam',
    batch: o.batch,
    backend: backend.name,
    // Whether this machine's `aekit tune` choices were applied (the built-in rule decides otherwise).
    tuning: backend.name === 'native' ? nativeTuningStatus() : null,
    samplesPerSecond,
    repetitions: rates.map(Math.round),
    gemm: gemm && {
      isa: gemm.isa, threads: gemm.threads, blocking: gemm.blocking, peakGflops: gemm.peakGflops, peakBestGflops: gemm.peakBestGflops, gflops: gemm.gflops,
      fractionOfPeak: gemm.fractionOfPeak, fractionOfBestPeak: gemm.fractionOfBestPeak, peakContended: gemm.peakContended,
      shapes: gemm.shapes,
    },
    peer,
    ratio,
    memory,
    conv: {
      model: 'conv 32 s2, conv 64 s2, dense 32, mirrored with transposed convolutions; relu, binary cross-entropy, Adam',
      batch: CONV.batch, samplesPerSecond: conv.samplesPerSecond, repetitions: conv.rates.map(Math.round), peer: conv.peer, ratio: conv.ratio, memory: conv.memory,
      // This machine's tuned convolution choices against the built-in rule's, alternating in one process.
      tuning: convTuning,
    },
    // The steady-state allocation of a model with max pooling (not timed).
    pooling,
    wasm,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  console.log(`aekit (${backend.name}): ${Math.round(samplesPerSecond)} samples/s (median of ${rates.length} repetitions of ${o.steps} steps)`);
  if (peer) console.log(`pytorch ${peer.version} (${peer.threads} thread(s)): ${Math.round(peer.samplesPerSecond)} samples/s; ratio ${ratio!.toFixed(2)}x`);
  else console.log('pytorch: not measured (no /usr/bin/python3 with torch, or --no-peer)');
  console.log(`conv: aekit ${Math.round(conv.samplesPerSecond)} samples/s${conv.peer ? `, pytorch (${conv.peer.threads} thread(s)) ${Math.round(conv.peer.samplesPerSecond)}; ratio ${conv.ratio!.toFixed(2)}x` : ''}; steady-state allocation ${conv.memory.steadyStateAllocatedBytes} bytes`);
  console.log(`pooling (SegNet-style autoencoder, batch ${pooling.batch}): steady-state allocation ${pooling.steadyStateAllocatedBytes} bytes, max-pool indices included`);
  if (gemm) console.log(`gemm (${gemm.isa}, ${gemm.blocking.mr}x${gemm.blocking.nr} tile): ${gemm.gflops.toFixed(0)} GFLOP/s, ${(100 * gemm.fractionOfPeak).toFixed(0)}% of peak ${gemm.peakGflops.toFixed(0)} GFLOP/s`);
  console.log(`machine: ${machineLine(machine)}`);
  console.log(`memory: RSS ${(result.memory.rssBytes / 2 ** 20).toFixed(0)} MiB; buffers allocated in the steady state: ${result.memory.steadyStateAllocatedBytes} bytes`);
  if (wasm) printWasm(wasm, machine);
}

function printWasm(w: Awaited<ReturnType<typeof runWasmBench>>, machine: ReturnType<typeof describeMachine>): void {
  const figure = (p: { samplesPerSecond?: number; error?: string }) => (p.samplesPerSecond !== undefined ? `${Math.round(p.samplesPerSecond)} samples/s` : `cannot train it (${p.error})`);
  console.log(`wasm (one thread, ${machine.cpuModel}): aekit ${Math.round(w.samplesPerSecond)} samples/s; tfjs wasm ${figure(w.peers.tfjsWasm)}; tfjs cpu ${figure(w.peers.tfjsCpu)}; ratio to the best tfjs ${w.ratio?.toFixed(2) ?? 'n/a'}x`);
  const t = w.threaded;
  console.log(`wasm threaded (${t.threads} threads, ${machine.cpuModel}): ${Math.round(t.samplesPerSecond)} samples/s; ${t.ratioToOneThread.toFixed(2)}x one thread; ${t.ratioToTfjsWasm?.toFixed(2) ?? 'n/a'}x tfjs wasm (${'threads' in w.peers.tfjsWasm ? w.peers.tfjsWasm.threads : 'n/a'} thread build)`);
  if (w.native1Thread) console.log(`wasm vs aekit native on one thread: ${Math.round(w.native1Thread.samplesPerSecond)} samples/s native; ratio ${w.ratioToNative1Thread!.toFixed(2)}x (${w.cpuTime.ratioToNative1Thread!.toFixed(2)}x per CPU-second)`);
}

await main();
