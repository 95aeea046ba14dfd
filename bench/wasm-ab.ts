/**
 * A/B of aekit's WebAssembly backend against its native backend on one thread (or, with `--b
 * FILE`, against another build of the module), on the bench's dense model (batch 256, Adam),
 * interleaved repetition by repetition in one process, by wall clock and by this process's CPU
 * time (the steadier figure on a shared machine: both sides run one thread). `--a FILE` replaces
 * the committed module on the first side. With `--profile`, the wasm step's CPU time per backend
 * kernel instead (each call timed, argument copies included).
 *
 *   node --import tsx bench/wasm-ab.ts [--reps N] [--steps N] [--a FILE] [--b FILE] [--profile]
 */
import type { Backend } from '../src/backend/backend.js';
import { createNativeBackend, setNativeThreads } from '../src/backend/native/native-backend.js';
import { createNodeWasmBackend } from '../src/backend/wasm/load-node.js';
import { createWasmBackend } from '../src/backend/wasm/wasm-backend.js';
import { webAssembly } from '../src/backend/wasm/wasm-api.js';
import { readFileSync } from 'node:fs';
import { aekitTrainer, DENSE_CONFIG, randomPool } from './aekit-dense.js';
import { median } from './gemm-bench.js';

/** Samples per second of wall time and per second of this process's CPU time (both backends run one thread). */
function rate(step: () => void, steps: number, batch: number): { wall: number; cpu: number } {
  const t0 = performance.now(), c0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) step();
  const c = process.cpuUsage(c0);
  return { wall: (steps * batch) / ((performance.now() - t0) / 1000), cpu: (steps * batch) / ((c.user + c.system) / 1e6) };
}

/** Wraps every function of `backend` so each call's time is added to `times` under its name. */
function profiled(backend: Backend, times: Map<string, { ms: number; calls: number }>): Backend {
  const wrapped: Record<string, unknown> = {};
  const members = backend as unknown as Record<string, unknown>;
  for (const key of Object.keys(members)) {
    const f = members[key];
    if (typeof f !== 'function') { wrapped[key] = f; continue; }
    wrapped[key] = (...args: unknown[]) => {
      const c0 = process.cpuUsage();
      const r = (f as (...a: unknown[]) => unknown).apply(backend, args);
      const c = process.cpuUsage(c0);
      const e = times.get(key) ?? { ms: 0, calls: 0 };
      e.ms += (c.user + c.system) / 1000; e.calls++;
      times.set(key, e);
      return r;
    };
  }
  return wrapped as unknown as Backend;
}

const args = process.argv.slice(2);
const opt = (name: string, d: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d);
const reps = opt('--reps', 7), steps = opt('--steps', 4), batch = 256;
const pool = randomPool();
const trainer = (backend: Backend, batchSize: number, data: Float32Array) => aekitTrainer(backend, DENSE_CONFIG, batchSize, data);
/** A second wasm backend from another build of the module (A/B of kernel changes). */
function createWasmBackendFrom(path: string): Backend {
  const wasm = webAssembly();
  return createWasmBackend(new wasm.Instance(new wasm.Module(readFileSync(path)), {}));
}
const wasm = args.includes('--a') ? createWasmBackendFrom(args[args.indexOf('--a') + 1]) : createNodeWasmBackend();
if (args.includes('--profile')) {
  const times = new Map<string, { ms: number; calls: number }>();
  const step = trainer(profiled(wasm, times), batch, pool);
  step(); times.clear();
  const c0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) step();
  const c = process.cpuUsage(c0);
  const total = (c.user + c.system) / 1000 / steps;
  const rows = [...times].sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => ({ kernel: k, msPerStep: +(v.ms / steps).toFixed(2), callsPerStep: v.calls / steps }));
  console.log(JSON.stringify({ cpuMsPerStep: +total.toFixed(1), kernels: rows }, null, 1));
} else {
  const native = createNativeBackend();
  setNativeThreads(1);
  const other = args.includes('--b') ? createWasmBackendFrom(args[args.indexOf('--b') + 1]) : native;
  const ours = trainer(wasm, batch, pool), theirs = trainer(other, batch, pool);
  ours(); theirs();
  const w: { wall: number; cpu: number }[] = [], n: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < reps; i++) {
    const a = rate(ours, steps, batch), b = rate(theirs, steps, batch);
    w.push(a); n.push(b);
    process.stderr.write(`rep ${i + 1}: wasm ${a.wall.toFixed(0)} (cpu ${a.cpu.toFixed(0)}) other ${b.wall.toFixed(0)} (cpu ${b.cpu.toFixed(0)}) samples/s\n`);
  }
  const summary = (key: 'wall' | 'cpu') => ({
    wasm: Math.round(median(w.map((r) => r[key]))), other: Math.round(median(n.map((r) => r[key]))),
    ratioOfMedians: +(median(w.map((r) => r[key])) / median(n.map((r) => r[key]))).toFixed(3),
    medianRatio: +median(w.map((r, i) => r[key] / n[i][key])).toFixed(3),
  });
  console.log(JSON.stringify({ other: args.includes('--b') ? args[args.indexOf('--b') + 1] : 'native 1 thread', reps, steps, wall: summary('wall'), cpu: summary('cpu') }));
}
