/**
 * The soft Jaccard loss's forward and backward (the op, as a SegNet step runs it: scores [32, 11,
 * 64, 64] against label maps, the gradient reaching the scores) on the reference backend's kernel
 * (the TypeScript that ran before the kernel moved into the backends), the native one on one and
 * on two threads, and the wasm one, interleaved call by call in one process (the order rotated
 * every repetition), so that a shared machine's drift hits all alike. Prints each side's median
 * milliseconds, with this process's CPU milliseconds beside them, and the medians of the
 * repetitions' ratios to the reference.
 *
 *   node --import tsx bench/soft-jaccard-ab.ts [--reps 15] [--shape 32,11,64,64] [--json]
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Backend } from '../src/backend/backend.js';
import { createNativeBackend, nativeInfo, setNativeThreads } from '../src/backend/native/native-backend.js';
import { createReferenceBackend } from '../src/backend/reference/reference-backend.js';
import { createNodeWasmBackend } from '../src/backend/wasm/load-node.js';
import { backward, setBackend, softJaccard, Tensor, tidy } from '../src/tensor/index.js';
import { Prng } from '../src/util/prng.js';
import { median } from './gemm-bench.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const reps = Number(flag('--reps') ?? 15);
const shape = (flag('--shape') ?? '32,11,64,64').split(',').map(Number);
const [n, classes] = shape;
const positions = shape.slice(2).reduce((a, b) => a * b, 1);

const rng = new Prng(0);
const scores = new Tensor(Float32Array.from({ length: n * classes * positions }, () => 4 * rng.normal()), shape, { requiresGrad: true });
// Label maps in blobs with every class present, as bench/train-ab.ts makes them.
const labels = Float32Array.from({ length: n * positions }, (_, i) => ((i >> 3) * 7 + (i >> 9)) % classes);

const native = createNativeBackend();
const threads = nativeInfo().threads;
const sides: { name: string; backend: Backend; threads: number }[] = [
  { name: 'reference (TypeScript)', backend: createReferenceBackend(), threads: 1 },
  { name: 'native, 1 thread', backend: native, threads: 1 },
  { name: `native, ${Math.max(2, threads)} threads`, backend: native, threads: Math.max(2, threads) },
  { name: 'wasm, 1 thread', backend: createNodeWasmBackend(), threads: 1 },
];

/** Milliseconds of wall and of this process's CPU for one forward and backward. */
function once(side: (typeof sides)[number]): { wall: number; cpu: number } {
  setBackend(side.backend);
  setNativeThreads(side.threads);
  const c0 = process.cpuUsage(), t0 = performance.now();
  tidy(() => {
    scores.zeroGrad();
    backward(softJaccard(scores, labels));
  });
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

for (const side of sides) for (let i = 0; i < 2; i++) once(side);  // warm-up: pools, JIT, module
const wall = sides.map((): number[] => []), cpu = sides.map((): number[] => []), ratios = sides.map((): number[] => []);
const load0 = loadavg()[0];
for (let r = 0; r < reps; r++) {
  const order = sides.map((_, i) => (i + r) % sides.length);
  const t: number[] = [];
  for (const s of order) {
    const m = once(sides[s]);
    t[s] = m.wall;
    wall[s].push(m.wall);
    cpu[s].push(m.cpu);
  }
  sides.forEach((_, s) => ratios[s].push(t[0] / t[s]));
}
setNativeThreads(threads);
const result = {
  shape, reps, loadAverage: [load0, loadavg()[0]],
  sides: sides.map((side, s) => ({ name: side.name, ms: median(wall[s]), cpuMs: median(cpu[s]), speedup: median(ratios[s]) })),
};
if (args.includes('--json')) console.log(JSON.stringify(result));
else {
  console.log(`softJaccard forward + backward on [${shape.join(', ')}], medians of ${reps} (load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}):`);
  for (const s of result.sides) console.log(`  ${s.name.padEnd(24)} ${s.ms.toFixed(2)} ms (CPU ${s.cpuMs.toFixed(2)} ms), ${s.speedup.toFixed(1)}x the reference`);
}
