/**
 * The progress lines on stderr: redrawn in place on a terminal, whole lines in a log, where long
 * counted work writes one every interval and short work nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countReporter, formatDuration, progressReporter } from '../../src/cli/progress.js';

/** A stderr stand-in that keeps what is written. */
function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, text: '', write(chunk: string) { s.text += chunk; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

test('formatDuration: seconds, minutes and hours', () => {
  assert.equal(formatDuration(42.4), '42s');
  assert.equal(formatDuration(65), '1m05s');
  assert.equal(formatDuration(3 * 3600 + 7 * 60), '3h07m');
  assert.equal(formatDuration(Number.NaN), '?');
});

test('countReporter: off a terminal, a whole line once the interval has passed, nothing before', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const log = stream(false);
  const written = () => log.text;
  const report = countReporter('test examples', log, 30);
  report(100, 1000);
  assert.equal(written(), '', 'work shorter than the interval writes nothing');
  t.mock.timers.tick(30_000);
  report(250, 1000);
  assert.equal(written(), '250/1000 test examples ETA 1m30s\n');
  t.mock.timers.tick(10_000);
  report(400, 1000);
  assert.equal(written(), '250/1000 test examples ETA 1m30s\n', 'the next line waits for the next interval');
});

test('countReporter: on a terminal, one line redrawn in place and ended when done', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const tty = stream(true);
  const report = countReporter('test examples', tty);
  report(1, 4);
  t.mock.timers.tick(1000);
  report(4, 4);
  assert.equal(tty.text, '\r\x1b[2K1/4 test examples ETA 0s\r\x1b[2K4/4 test examples ETA 0s\n');
});

test('progressReporter: off a terminal, one line per epoch and no step bars', () => {
  const log = stream(false);
  const report = progressReporter(log);
  report({ type: 'step', epoch: 1, epochs: 2, step: 5, totalSteps: 10, loss: 0.5, lr: 0.01, samplesPerSecond: 100, etaSeconds: 3 });
  report({ type: 'epoch', epoch: 1, epochs: 2, trainLoss: 0.25, valLoss: 0.3, best: true, seconds: 1.25 });
  assert.equal(log.text, 'epoch 1/2 train 0.2500 val 0.3000 * (1.3s)\n');
});
