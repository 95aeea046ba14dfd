/**
 * GEMM throughput on the deep autoencoder's shapes (784-1000-500-250-30-250-500-1000-784, batch
 * 256): forward y = x·Wᵀ, weight gradient dW = dzᵀ·x and input gradient dx = dz·W for every layer,
 * as GFLOP/s and as a fraction of the measured FMA peak. Medians of several reps (the machine is
 * shared and noisy).
 *
 *   node --import tsx bench/gemm-bench.ts [--reps 21] [--threads N]
 */
import { performance } from 'node:perf_hooks';
import type { Backend } from '../src/backend/backend.js';
import {
  type GemmBlocking, measureCorePeakGflops, measurePeakGflops, nativeGemmBlocking, nativeInfo, setNativeThreads,
} from '../src/backend/native/native-backend.js';
import { describeMachine, machineLine } from './machine.js';

export interface GemmShapeResult {
  name: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Median GFLOP/s over the reps (wall clock). */
  gflops: number;
  /** FLOPs per process CPU-second over all reps, as a fraction of one core's CPU-time peak. */
  cpuEfficiency: number;
}

export interface GemmBenchResult {
  /** The kernels that ran ("avx512", "avx2", "baseline"; AEKIT_ISA can lower it), on how many threads. */
  isa: string;
  threads: number;
  /** That ISA's micro-tile and cache blocks. */
  blocking: GemmBlocking;
  /**
   * The FMA peak: the median of the FMA loop's rounds, taken a few before each shape so that the
   * peak is sampled in the same conditions as the GEMMs, and reported as a median like them.
   */
  peakGflops: number;
  /** The best round: the machine at its quietest. */
  peakBestGflops: number;
  shapes: GemmShapeResult[];
  /** FLOP-weighted overall: total FLOPs / sum of median times. */
  gflops: number;
  fractionOfPeak: number;
  /** gflops / peakBestGflops: the stricter view, a typical GEMM against the best moment's peak. */
  fractionOfBestPeak: number;
  /**
   * The median peak is below 80% of threads x one core's CPU-time peak: other work held a core
   * for much of the run, and the fractions describe fewer cores than the pool has.
   */
  peakContended: boolean;
  /**
   * Contention-independent view: total FLOPs / process CPU seconds / per-core CPU-time peak.
   * Wall-clock medians drop whenever other processes share the cores; CPU time does not (it
   * does count our own spin-waiting, so it errs low).
   */
  cpuEfficiency: number;
  corePeakGflops: number;
}

export interface GemmBenchOptions {
  reps?: number;
  batch?: number;
  dims?: readonly number[];
  /** FMA-loop rounds (about 16 ms each here) before each shape. */
  peakRoundsPerShape?: number;
  log?: (line: string) => void;
}

export const AUTOENCODER_DIMS = [784, 1000, 500, 250, 30, 250, 500, 1000, 784] as const;

/** The median of xs (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function randomArray(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

/** The shapes of one training step of the model: forward, dW and dx per layer. */
type GemmShape = Omit<GemmShapeResult, 'gflops' | 'cpuEfficiency'>;

export function modelGemmShapes(dims: readonly number[] = AUTOENCODER_DIMS, batch = 256): GemmShape[] {
  const shapes: GemmShape[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const fin = dims[l], fout = dims[l + 1];
    shapes.push({ name: `fwd ${fin}->${fout}`, m: batch, n: fout, k: fin, transA: false, transB: true });
    shapes.push({ name: `dW  ${fin}->${fout}`, m: fout, n: fin, k: batch, transA: true, transB: false });
    shapes.push({ name: `dx  ${fin}->${fout}`, m: batch, n: fin, k: fout, transA: false, transB: false });
  }
  return shapes;
}

/** Measures peak and every model shape on `backend` (native: peak uses the addon's FMA loop). */
export function runGemmBench(backend: Backend, opts: GemmBenchOptions = {}): GemmBenchResult {
  const reps = opts.reps ?? 15;
  const log = opts.log ?? (() => {});
  const peakRounds: number[] = [];
  const corePeakGflops = measureCorePeakGflops(0.3);
  const shapes: GemmShapeResult[] = [];
  let totalFlops = 0;
  let totalSeconds = 0;
  let cpuFlops = 0;
  let cpuSeconds = 0;
  for (const s of modelGemmShapes(opts.dims, opts.batch)) {
    for (let i = 0; i < (opts.peakRoundsPerShape ?? 3); i++) peakRounds.push(measurePeakGflops(0));
    const a = randomArray(s.m * s.k, 1);
    const b = randomArray(s.k * s.n, 2);
    const c = new Float32Array(s.m * s.n);
    const p = { ...s, a, b, c, alpha: 1, beta: 0 };
    const flops = 2 * s.m * s.n * s.k;
    // Each timed sample runs enough calls to last about a millisecond (timer resolution, noise).
    const t0 = performance.now();
    backend.gemm(p);
    backend.gemm(p);
    const once = Math.max((performance.now() - t0) / 2, 1e-3);
    const inner = Math.max(1, Math.round(1 / once));
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let r = 0; r < reps; r++) {
      const start = performance.now();
      for (let i = 0; i < inner; i++) backend.gemm(p);
      times.push((performance.now() - start) / 1000 / inner);
    }
    const cpu = process.cpuUsage(cpu0);
    const shapeCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const shapeFlops = flops * reps * inner;
    cpuFlops += shapeFlops;
    cpuSeconds += shapeCpuSeconds;
    const cpuEfficiency = shapeFlops / shapeCpuSeconds / 1e9 / corePeakGflops;
    const t = median(times);
    const gflops = flops / t / 1e9;
    shapes.push({ ...s, gflops, cpuEfficiency });
    totalFlops += flops;
    totalSeconds += t;
    log(`${s.name.padEnd(16)} m=${String(s.m).padStart(4)} n=${String(s.n).padStart(4)} k=${String(s.k).padStart(4)}` +
      `  ${gflops.toFixed(1).padStart(6)} GFLOP/s  ${(100 * gflops / median(peakRounds)).toFixed(0).padStart(3)}% of peak` +
      `  (CPU-time efficiency ${(100 * cpuEfficiency).toFixed(0)}%)`);
  }
  const gflops = totalFlops / totalSeconds / 1e9;
  const peakGflops = median(peakRounds), peakBestGflops = Math.max(...peakRounds);
  const { isa, threads } = nativeInfo();
  const peakContended = peakGflops < 0.8 * threads * corePeakGflops;
  const result = {
    isa, threads, blocking: nativeGemmBlocking(), peakGflops, peakBestGflops, shapes, gflops, fractionOfPeak: gflops / peakGflops, fractionOfBestPeak: gflops / peakBestGflops, peakContended,
    cpuEfficiency: cpuFlops / cpuSeconds / 1e9 / corePeakGflops, corePeakGflops,
  };
  if (peakContended) log(contentionWarning(result));
  return result;
}

/** The line a bench prints when other work held a core during the peak measurement. */
export function contentionWarning(r: GemmBenchResult): string {
  return `warning: the FMA peak (${r.peakGflops.toFixed(0)} GFLOP/s) is well below ${nativeInfo().threads} cores' worth ` +
    `(${r.corePeakGflops.toFixed(0)} each): other work held a core, so the fractions of peak are not comparable`;
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const { createNativeBackend } = await import('../src/backend/native/native-backend.js');
  const backend = createNativeBackend();
  if (arg('--threads')) setNativeThreads(Number(arg('--threads')));
  console.log(machineLine(describeMachine()));
  const result = runGemmBench(backend, { reps: Number(arg('--reps') ?? 21), log: (l) => console.log(l) });
  const { mr, nr, kc, mc } = result.blocking;
  console.log(`isa ${result.isa} (tile ${mr}x${nr}, kc ${kc}, mc ${mc}), ${result.threads} threads; peak ${result.peakGflops.toFixed(1)} GFLOP/s (median round; best ${result.peakBestGflops.toFixed(1)})`);
  console.log(`overall ${result.gflops.toFixed(1)} GFLOP/s = ${(100 * result.fractionOfPeak).toFixed(1)}% of peak` +
    ` (FLOP-weighted, medians; ${(100 * result.fractionOfBestPeak).toFixed(1)}% of the best round)`);
  console.log(`CPU-time efficiency ${(100 * result.cpuEfficiency).toFixed(1)}% of the ${result.corePeakGflops.toFixed(1)} GFLOP/s per-core peak` +
    ` (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
}
