/**
 * Small fake run folders for dashboard tests: the records a real run writes (model.json,
 * metrics.json, optionally events.jsonl and a picture), with made-up numbers, in milliseconds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '../../src/viz/png.js';

/** What a fake run looks like. */
export interface FakeRun {
  epochs: number;
  preset?: string;
  data?: string;
  status?: 'training' | 'done' | 'aborted';
  /** Test sse; default derived from the epochs. */
  sse?: number;
  /** The process training it (model.json's `trainer`), for a run in training. */
  trainer?: { pid: number; host: string };
  /** Also write reconstructions.png (a gradient, 280x56) and filters.png. */
  pictures?: boolean;
}

/** The made-up training loss after epoch `e` (1-based) of `epochs`: falling, so curves look like curves. */
export function fakeLoss(e: number, epochs: number): number {
  return 100 / (1 + e / Math.max(1, epochs / 10));
}

/**
 * Writes a fake run folder.
 * @param dir the folder (created).
 * @param run its epochs, preset, status and whether to draw pictures.
 */
export function writeFakeRun(dir: string, run: FakeRun): void {
  mkdirSync(dir, { recursive: true });
  const status = run.status ?? 'done';
  const sse = run.sse ?? 10 + 1 / run.epochs;
  const trainLoss = Array.from({ length: run.epochs }, (_, i) => fakeLoss(i + 1, run.epochs));
  writeFileSync(join(dir, 'model.json'), JSON.stringify({
    format: 'aekit-model', version: 2, status, preset: run.preset ?? 'undercomplete',
    data: { spec: 'mnist', name: run.data ?? 'mnist/train' },
    ...(status === 'done' ? { metrics: { test: { sse, mse: sse / 784, bce: sse * 3 }, bestEpoch: run.epochs } } : { epoch: run.epochs }),
    ...(run.trainer ? { trainer: run.trainer } : {}),
  }));
  if (status === 'training') {
    const lines = trainLoss.map((y, i) => JSON.stringify({ type: 'epoch', time: 0, epoch: i + 1, epochs: run.epochs * 2, trainLoss: y, valLoss: y * 1.1, seconds: 1 }));
    writeFileSync(join(dir, 'events.jsonl'), `${JSON.stringify({ type: 'start', time: 0, epochs: run.epochs * 2, preset: run.preset ?? null })}\n${lines.join('\n')}\n`);
  } else {
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify({
      trainLoss, valLoss: trainLoss.map((y) => y * 1.1), bestEpoch: run.epochs, test: { sse, mse: sse / 784, bce: sse * 3 }, seconds: run.epochs,
    }));
  }
  if (run.pictures) {
    const gradient = (width: number, height: number) => ({
      width, height, channels: 1 as const, data: Float32Array.from({ length: width * height }, (_, i) => (i % width) / width),
    });
    writeFileSync(join(dir, 'reconstructions.png'), encodePng(gradient(280, 56)));
    writeFileSync(join(dir, 'filters.png'), encodePng(gradient(120, 120)));
  }
}
