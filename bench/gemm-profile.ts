/**
 * The share of packing in the GEMM, from an instrumented build of the addon: the time-stamp
 * counter read around the packing of A and B and around each chunk (column strip) of C, summed
 * over the threads. What is left of a strip's time after packing and waiting is the micro-kernel
 * with its C updates (and the edge tiles).
 *
 *   CXXFLAGS=-DAEKIT_GEMM_PROFILE node scripts/build-native.mjs
 *   cp build/Release/aekit_native.node /tmp/profiled.node && node scripts/build-native.mjs
 *   node --import tsx bench/gemm-profile.ts /tmp/profiled.node [--reps 30] [--threads N]
 *
 * prints, per shape of the dense bench model's training step and over all of them, the shares of
 * the strips' cycles spent packing A, packing B and waiting for an A unit another chunk packs.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { loadavg } from 'node:os';
import { modelGemmShapes } from './gemm-bench.js';

type GemmFn = (m: number, n: number, k: number, a: Float32Array, transA: boolean, b: Float32Array,
  transB: boolean, c: Float32Array, alpha: number, beta: number) => void;
interface Profiled {
  gemm: GemmFn;
  setThreads(n: number): number;
  gemmProfile?: () => Record<'packA' | 'packB' | 'waitA' | 'strip', number>;
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
if (!file) {
  console.error('usage: node --import tsx bench/gemm-profile.ts PROFILED.node [--reps N] [--threads N]');
  process.exit(2);
}
const addon = createRequire(import.meta.url)(resolve(file)) as Profiled;
if (!addon.gemmProfile) {
  console.error(`${file} is not an instrumented build (build it with CXXFLAGS=-DAEKIT_GEMM_PROFILE)`);
  process.exit(2);
}
const take = addon.gemmProfile;
const threads = args.includes('--threads') ? addon.setThreads(option('--threads', 2)) : addon.setThreads(0);
const reps = option('--reps', 30);
const filled = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => (((i + seed) * 2654435761) % 1000) / 1000 - 0.5);
const pct = (x: number, total: number) => `${(100 * x / total).toFixed(1).padStart(5)}%`;
const total = { packA: 0, packB: 0, waitA: 0, strip: 0 };
console.log(`${threads} thread(s), ${reps} calls per shape; shares of the strips' cycles (load average ${loadavg()[0].toFixed(2)})`);
console.log('shape              pack A  pack B  wait A  kernel+C');
for (const s of modelGemmShapes()) {
  const a = filled(s.m * s.k, 1), b = filled(s.k * s.n, 2), c = new Float32Array(s.m * s.n);
  const run = () => addon.gemm(s.m, s.n, s.k, a, s.transA, b, s.transB, c, 1, 0);
  for (let i = 0; i < 3; i++) run();
  take();
  for (let i = 0; i < reps; i++) run();
  const p = take();
  for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += p[key];
  const rest = p.strip - p.packA - p.packB - p.waitA;
  console.log(`${s.name.padEnd(16)} ${pct(p.packA, p.strip)}  ${pct(p.packB, p.strip)}  ${pct(p.waitA, p.strip)}  ${pct(rest, p.strip)}`);
}
const rest = total.strip - total.packA - total.packB - total.waitA;
console.log(`${'all shapes'.padEnd(16)} ${pct(total.packA, total.strip)}  ${pct(total.packB, total.strip)}  ${pct(total.waitA, total.strip)}  ${pct(rest, total.strip)}`);
