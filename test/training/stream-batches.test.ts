import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchBuffers } from '../../src/training/batches.js';
import { type RowStream, WindowSource } from '../../src/training/stream-batches.js';
import { Prng } from '../../src/util/prng.js';

/** A stream of rows [i, i + 0.5] for i = 0 .. n-1 that counts what it reads. */
function counting(n: number): RowStream & { served: number; maxAsked: number } {
  let next = 0;
  return {
    file: 'mem', features: 2, shape: [2], served: 0, maxAsked: 0,
    read(out, max) {
      this.maxAsked = Math.max(this.maxAsked, max);
      const k = Math.min(max, n - next);
      for (let r = 0; r < k; r++) out.set([next + r, next + r + 0.5], 2 * r);
      next += k;
      this.served += k;
      return k;
    },
    rewind() {
      next = 0;
    },
  };
}

/** The first value of every row of one epoch, batch by batch. */
function epoch(source: WindowSource, order: Uint32Array, batch: number, from = 0): number[] {
  const firsts: number[] = [];
  for (let start = from; start < source.n; start += batch) {
    const rows = Math.min(batch, source.n - start);
    const { x } = source.fill(order, start, rows);
    for (let r = 0; r < rows; r++) firsts.push(x.data[2 * r]);
  }
  return firsts;
}

test('one epoch draws every kept row once, shuffled, held-out rows skipped, reading blocks of bounded size', () => {
  const stream = counting(1000);
  const keep = (row: number) => row % 10 !== 3;
  const source = new WindowSource(stream, { n: 900, window: 64, block: 32, keep });
  const firsts = epoch(source, source.order(new Prng(1)), 50);
  assert.equal(firsts.length, 900);
  assert.deepEqual([...firsts].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i).filter(keep));
  // Shuffled: far from file order; yet no row comes out before the window could have read it.
  assert.ok(firsts.filter((v, i) => v !== Array.from({ length: 1000 }, (_, k) => k).filter(keep)[i]).length > 800);
  firsts.forEach((v, i) => assert.ok(v <= (i + 64) * 10 / 9 + 10, `row ${v} drawn at ${i}, before it could be read`));
  assert.equal(stream.served, 1000);
  assert.ok(stream.maxAsked <= 32);
});

test('the same order gives the same batches; a resume mid-epoch continues exactly; a new order shuffles differently', () => {
  const source = new WindowSource(counting(500), { n: 500, window: 40, block: 16 });
  const order = source.order(new Prng(7));
  const whole = epoch(source, order, 32);
  assert.deepEqual(epoch(source, order, 32), whole);
  // A fresh source (a resumed process) asked for the batch at 96 replays the draws before it.
  const resumed = new WindowSource(counting(500), { n: 500, window: 40, block: 16 });
  assert.deepEqual(epoch(resumed, Uint32Array.from(order), 32, 96), whole.slice(96));
  assert.notDeepEqual(epoch(source, source.order(new Prng(8)), 32), whole);
});

test('a stream that ends early names the file and the count; the in-memory order is a permutation as before', () => {
  const source = new WindowSource(counting(10), { n: 12, window: 4 });
  assert.throws(() => epoch(source, source.order(new Prng(1)), 4), /mem: ended after 8 training rows, expected 12/);
  const rows = new BatchBuffers({ x: new Float32Array(10), n: 10, features: 1 });
  assert.deepEqual([...rows.order(new Prng(3))], [...new Prng(3).permutation(10)]);
});
