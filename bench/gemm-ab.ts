/**
 * A/B of two builds of the native GEMM inside one process, for tuning on a noisy machine.
 *
 * Separate runs of gemm-bench.ts on a shared machine swing by 10-20% within minutes, which hides
 * any change worth trying. Here both builds run in the same process, alternating shape by shape
 * and repetition by repetition (the order flipped every other repetition), so the machine's drift
 * hits both alike and the per-repetition ratio is steady to a percent or two.
 *
 *   cp build/Release/aekit_native.node /tmp/before.node     # keep the current build
 *   ...change native/, then: node scripts/build-native.mjs
 *   node --import tsx bench/gemm-ab.ts /tmp/before.node [--reps 15] [--threads N] [--cpu]
 *
 * prints, per model shape and overall, the median of (time of A) / (time of B), with A the given
 * file and B the current build/Release addon: above 1 means the current build is faster.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median, modelGemmShapes } from './gemm-bench.js';

type GemmFn = (m: number, n: number, k: number, a: Float32Array, transA: boolean, b: Float32Array,
  transB: boolean, c: Float32Array, alpha: number, beta: number) => void;

const args = process.argv.slice(2);
const before = args.find((a, i) => !a.startsWith('--') && !['--reps', '--threads'].includes(args[i - 1] ?? ''));
if (!before) {
  console.error('usage: node --import tsx bench/gemm-ab.ts BEFORE.node [--reps N] [--threads N] [--cpu]');
  process.exit(2);
}
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 15;
const load = createRequire(import.meta.url);
const fresh = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'Release', 'aekit_native.node');
// A is the saved build, B the fresh one.
const builds = [load(resolve(before)), load(fresh)] as { gemm: GemmFn; setThreads(n: number): number }[];
// --cpu: process CPU seconds instead of the wall clock; with --threads 1 the work alone, which a
// loaded machine's preemptions do not stretch (with more threads it counts the pool's spinning too).
const cpu = args.includes('--cpu');
const threadsAt = args.indexOf('--threads');
if (threadsAt >= 0) for (const b of builds) b.setThreads(Number(args[threadsAt + 1]));

const filled = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => (((i + seed) * 2654435761) % 1000) / 1000 - 0.5);
// Per repetition, each build's seconds summed over all shapes (the FLOP-weighted overall view).
const totals = Array.from({ length: reps }, () => [0, 0]);
console.log(`A = ${before}, B = build/Release; ratio = time A / time B (above 1: B is faster)`);
for (const s of modelGemmShapes()) {
  const a = filled(s.m * s.k, 1), b = filled(s.k * s.n, 2), c = new Float32Array(s.m * s.n);
  const flops = 2 * s.m * s.n * s.k;
  // About 40 ms per sample, so the switch between the builds' thread pools is noise.
  const inner = Math.max(1, Math.round(4e-2 * 100e9 / flops));
  const run = (g: GemmFn) => g(s.m, s.n, s.k, a, s.transA, b, s.transB, c, 1, 0);
  for (const { gemm } of builds) for (let i = 0; i < 3; i++) run(gemm);
  const ratios: number[] = [];
  const gflopsB: number[] = [];
  for (let r = 0; r < reps; r++) {
    const seconds = [0, 0];
    for (const i of r % 2 ? [1, 0] : [0, 1]) {
      const t0 = performance.now(), c0 = process.cpuUsage();
      for (let j = 0; j < inner; j++) run(builds[i].gemm);
      const c = process.cpuUsage(c0);
      seconds[i] = (cpu ? (c.user + c.system) / 1e6 : (performance.now() - t0) / 1000) / inner;
      totals[r][i] += seconds[i];
    }
    ratios.push(seconds[0] / seconds[1]);
    gflopsB.push(flops / seconds[1] / 1e9);
  }
  console.log(`${s.name.padEnd(16)} m=${String(s.m).padStart(4)} n=${String(s.n).padStart(4)} k=${String(s.k).padStart(4)}` +
    `  ratio ${median(ratios).toFixed(3)}  (B ${median(gflopsB).toFixed(1)} GFLOP/s)`);
}
const overall = totals.map(([ta, tb]) => ta / tb);
console.log(`overall ratio ${median(overall).toFixed(3)} (per repetition: ${overall.map((x) => x.toFixed(3)).join(' ')})`);
