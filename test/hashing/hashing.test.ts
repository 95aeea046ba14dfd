/** Binary codes and their retrieval: the Hamming index against brute force, ranking metrics by hand, ITQ's invariants. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hamming, packCodes, popcount32 } from '../../src/hashing/bits.js';
import { itqHasher, lshHasher, pcaHasher } from '../../src/hashing/baselines.js';
import { HammingIndex } from '../../src/hashing/hamming-index.js';
import { loadHashIndex, saveHashIndex } from '../../src/hashing/index-file.js';
import { DataError } from '../../src/errors.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';
import { averagePrecision, precisionAt, precisionAtRecall } from '../../src/hashing/ranking-metrics.js';
import { Prng } from '../../src/util/prng.js';
import { subspaceData } from '../helpers/subspace-data.js';

const randomCodes = (n: number, bits: number, seed: number) => {
  const rng = new Prng(seed);
  return packCodes(Float32Array.from({ length: n * bits }, () => rng.uniform()), bits);
};

test('packing and popcount: bits land in their words, distances count differing bits', () => {
  const p = packCodes(Float32Array.of(0.9, 0.1, 0.7, 0.2, 0.6, 0.8), 3);
  assert.deepEqual([...p.data], [0b101, 0b110]);
  assert.equal(hamming(p.data, 0, p.data, 1, 1), 2);
  assert.equal(popcount32(0xffffffff), 32);
  assert.equal(popcount32(0x80000001), 2);
  const wide = packCodes(Float32Array.from({ length: 40 }, (_, i) => (i === 39 ? 1 : 0)), 40);
  assert.deepEqual([wide.words, ...wide.data], [2, 0, 1 << 7]);
});

for (const bits of [16, 40, 64]) {
  test(`${bits} bits: search, rank and the radius lookup find exactly the brute-force neighbours`, () => {
    const database = randomCodes(600, bits, bits);
    const queries = randomCodes(12, bits, bits + 1);
    const index = HammingIndex.build(database);
    for (let q = 0; q < queries.n; q++) {
      const brute = Array.from({ length: database.n }, (_, i) => ({ i, d: hamming(queries.data, q, database.data, i, database.words) }))
        .sort((a, b) => a.d - b.d || a.i - b.i);
      const ranked = index.rank(queries, q);
      assert.deepEqual([...ranked.indices], brute.map((e) => e.i));
      assert.deepEqual([...ranked.distances], brute.map((e) => e.d));
      assert.deepEqual([...index.search(queries, 7, q).indices], brute.slice(0, 7).map((e) => e.i));
      for (const r of [0, 1, 2, 3]) {
        const within = index.withinRadius(queries, r, q);
        assert.deepEqual([...within.indices], brute.filter((e) => e.d <= r).map((e) => e.i), `radius ${r}`);
      }
    }
    // A query that is a database code finds it at distance 0.
    assert.ok([...index.withinRadius(database, 0, 5).indices].includes(5));
  });
}

test('average precision and precision at k, worked by hand', () => {
  // Ranking 4, 7, 2, 9 with 7 irrelevant: relevant at ranks 1, 3, 4: (1/1 + 2/3 + 3/4) / 3 = 0.80556.
  const relevant = (i: number) => i !== 7;
  assert.ok(Math.abs(averagePrecision(Uint32Array.of(4, 7, 2, 9), relevant) - (1 + 2 / 3 + 3 / 4) / 3) < 1e-12);
  // The top 2 only: relevant at rank 1: 1/1.
  assert.equal(averagePrecision(Uint32Array.of(4, 7, 2, 9), relevant, 2), 1);
  assert.equal(averagePrecision(Uint32Array.of(7), relevant), 0);
  assert.equal(precisionAt(Uint32Array.of(4, 7, 2, 9), relevant, 2), 0.5);
  assert.equal(precisionAt(Uint32Array.of(), relevant, 5), 0);
});

test('ITQ: the rotation stays orthogonal and the quantisation loss falls at every step; codes beat chance', () => {
  const { data } = subspaceData(400, 20, [3, 2.5, 2, 1.5, 1, 0.8, 0.6, 0.4], 0.05, 3);
  const bits = 8;
  const itq = itqHasher(data, bits, { iterations: 30, seed: 2 });
  const r = itq.rotation;
  for (let p = 0; p < bits; p++) for (let q = 0; q < bits; q++) {
    let s = 0;
    for (let t = 0; t < bits; t++) s += r[t * bits + p] * r[t * bits + q];
    assert.ok(Math.abs(s - (p === q ? 1 : 0)) < 1e-9, `RᵀR[${p}][${q}] = ${s}`);
  }
  for (let i = 1; i < itq.losses.length; i++) assert.ok(itq.losses[i] <= itq.losses[i - 1] * (1 + 1e-12), `step ${i}: ${itq.losses[i - 1]} -> ${itq.losses[i]}`);
  assert.ok(itq.losses.at(-1)! < 0.9 * itq.losses[0], `${itq.losses[0]} -> ${itq.losses.at(-1)}`);
  // Every hasher gives codes of the asked width for every row; PCAH and LSH are seeded or exact.
  for (const hasher of [itq.hasher, pcaHasher(data, bits), lshHasher(data, bits, 1)]) {
    const codes = hasher.encode(data);
    assert.deepEqual([codes.n, codes.bits], [400, bits]);
  }
  assert.deepEqual([...lshHasher(data, bits, 1).encode(data).data], [...lshHasher(data, bits, 1).encode(data).data]);
});

test('an index saved beside its model reads back the same codes, and refuses another model or a foreign file', () => {
  const dir = tempDir('hash-index');
  const path = join(dir, 'hash-index.safetensors');
  const codes = randomCodes(50, 40, 9);
  saveHashIndex(path, HammingIndex.build(codes), { model: 'aaaa', database: 'toy/train' });
  const { index, source } = loadHashIndex(path, { model: 'aaaa' });
  assert.deepEqual([index.codes.n, index.codes.bits, index.codes.words, source.database], [50, 40, 2, 'toy/train']);
  assert.deepEqual(index.codes.data, codes.data);
  assert.throws(() => loadHashIndex(path, { model: 'bbbb' }), (e: unknown) => e instanceof DataError && /hash-index\.safetensors: an index of another model's codes \(made by weights aaaa, this model's are bbbb\)/.test(e.message));
  const other = join(dir, 'weights.safetensors');
  writeFileSync(other, new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, ...Buffer.from('{}      ')]));
  assert.throws(() => loadHashIndex(other, { model: 'aaaa' }), (e: unknown) => e instanceof DataError && /weights\.safetensors: not an aekit hash index/.test(e.message));
});

test('precision at recall levels: interpolated by hand, never rising with recall, and its brute-force definition', () => {
  // Relevant at ranks 1, 3 and 6 of 6: cuts (recall, precision) = (1/3, 1), (2/3, 2/3), (1, 1/2).
  const relevant = (i: number) => [10, 12, 15].includes(i);
  const ranked = Uint32Array.of(10, 11, 12, 13, 14, 15);
  const levels = [0.2, 1 / 3, 0.5, 2 / 3, 0.9, 1];
  const curve = precisionAtRecall(ranked, relevant, levels);
  [1, 1, 2 / 3, 2 / 3, 0.5, 0.5].forEach((p, i) => assert.ok(Math.abs(curve[i] - p) < 1e-12, `level ${levels[i]}: ${curve[i]} vs ${p}`));
  // A later cut with higher precision lifts the earlier levels: relevant at ranks 2, 3 and 4.
  const lifted = precisionAtRecall(Uint32Array.of(0, 1, 2, 3), (i) => i > 0, [1 / 3, 1]);
  assert.deepEqual(lifted.map((p) => Number(p.toFixed(12))), [0.75, 0.75]);
  assert.deepEqual(precisionAtRecall(ranked, () => false, [0.5, 1]), [0, 0]);
  // Against the definition on random rankings: max precision over the cuts whose recall reaches each level.
  const rng = new Prng(5);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + Math.floor(rng.uniform() * 30);
    const flags = Array.from({ length: n }, () => rng.uniform() < 0.4);
    const order = Uint32Array.from({ length: n }, (_, i) => i);
    const got = precisionAtRecall(order, (i) => flags[i]);
    const total = flags.filter(Boolean).length;
    got.forEach((p, l) => {
      let best = 0;
      let hits = 0;
      for (let k = 0; k < n; k++) {
        if (flags[k]) hits++;
        if (total > 0 && hits / total >= (l + 1) / 10 - 1e-12) best = Math.max(best, hits / (k + 1));
      }
      assert.ok(Math.abs(p - best) < 1e-12, `trial ${trial} level ${l}: ${p} vs ${best}`);
    });
  }
});
