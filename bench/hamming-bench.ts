/**
 * Exhaustive Hamming ranking speed: random codes of 16, 32 and 64 bits for a 60,000-item database
 * (MNIST's training set), queries ranked one at a time by HammingIndex.rank; prints queries/s,
 * the median of five repetitions of 500 queries.
 *   node --import tsx bench/hamming-bench.ts
 */
// The package entry, so that the native backend is chosen as in an application.
import { HammingIndex, packCodes, Prng } from '../src/index.js';
import { median } from './gemm-bench.js';

const rng = new Prng(1);
const random = (n: number, bits: number) => packCodes(Float32Array.from({ length: n * bits }, () => rng.uniform()), bits);
for (const bits of [16, 32, 64]) {
  const index = HammingIndex.build(random(60_000, bits));
  const queries = random(500, bits);
  for (let q = 0; q < 50; q++) index.rank(queries, q);
  const rates: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const started = performance.now();
    for (let q = 0; q < queries.n; q++) index.rank(queries, q);
    rates.push(queries.n / ((performance.now() - started) / 1000));
  }
  console.log(`${bits} bits, 60000 codes: ${Math.round(median(rates))} queries/s (exhaustive ranking)`);
}
