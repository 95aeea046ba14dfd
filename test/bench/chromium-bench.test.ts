/**
 * `bench/chromium-bench.ts --json` on a tiny run (batch 8, one step each, two stroke updates):
 * the page bundles and loads, both WebAssembly backends train in it, the playground answers a
 * stroke, and the record has the fields the README's figures come from. Speed is not judged here
 * (bench figures come from full runs); skipped where Chromium is missing, as the page tests are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { browserSkip } from '../helpers/browser.js';

const script = fileURLToPath(new URL('../../bench/chromium-bench.ts', import.meta.url));

test('chromium bench --json: aekit and TensorFlow.js train in one page; the playground stroke is timed', { skip: browserSkip }, () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--json', '--reps', '1', '--steps', '1', '--tfjs-steps', '1', '--batch', '8', '--moves', '2'],
    { encoding: 'utf8', timeout: 180_000 });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON object on stdout');
  const r = JSON.parse(lines[0]);
  assert.match(r.browser, /^Chromium \d+/);
  assert.equal(typeof r.machine.cpuModel, 'string');
  const t = r.training;
  assert.equal(t.batch, 8);
  assert.ok(t.aekit.samplesPerSecond > 0 && t.aekit.repetitions.length === 1);
  // TensorFlow.js either trained (a rate and the ratio) or said why not (its error, no ratio).
  if (t.tfjsWasm.error === undefined) {
    assert.equal(t.tfjsWasm.version, '4.22.0');
    assert.ok(t.tfjsWasm.samplesPerSecond > 0);
    assert.ok(Math.abs(t.ratio - t.aekit.samplesPerSecond / t.tfjsWasm.samplesPerSecond) < 1e-9 * t.ratio);
  } else {
    assert.equal(t.ratio, null);
  }
  assert.equal(r.stroke.updates, 2);
  assert.ok(r.stroke.medianMs > 0 && r.stroke.maxMs >= r.stroke.medianMs, JSON.stringify(r.stroke));
});
