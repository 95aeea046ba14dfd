/**
 * Following a run live: EventsTail hands on each whole line appended to events.jsonl (holding a
 * half-written one back until its newline comes, by fs.watch and by polling alone), starts over
 * when the file is replaced, and GET /api/events streams it all as server-sent events.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunEvent } from '../../src/run/run-events.js';
import { EventsTail, type TailMessage } from '../../src/serve/events-tail.js';
import { startDashboard } from '../../src/serve/server.js';
import { writeFakeRun } from '../helpers/fake-runs.js';
import { tempDir } from '../helpers/temp-dir.js';

const epochLine = (epoch: number) => `${JSON.stringify({ type: 'epoch', time: 0, epoch, epochs: 9, trainLoss: 10 - epoch, valLoss: null, seconds: 1 })}\n`;

/** Resolves once `predicate` holds, polling; fails after `ms`. */
async function until(predicate: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const watch of [true, false]) {
  test(`EventsTail passes on whole lines as they are appended (${watch ? 'fs.watch and poll' : 'poll alone'})`, async () => {
    const dir = tempDir('tail');
    const messages: TailMessage[] = [];
    const epochs = () => messages.flatMap((m) => (m.type === 'events' ? m.events : [])).map((e) => (e.type === 'epoch' ? e.epoch : -1));
    const tail = new EventsTail(dir, (m) => messages.push(m), { watch, pollMs: 50 });
    tail.start();
    try {
      // The file does not exist yet: nothing, and no error.
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(messages.length, 0);
      writeFileSync(join(dir, 'events.jsonl'), epochLine(1) + epochLine(2));
      await until(() => epochs().length === 2, 'two epochs');
      // Half a line: held back until the rest and its newline arrive.
      const third = epochLine(3);
      appendFileSync(join(dir, 'events.jsonl'), third.slice(0, 20));
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(epochs(), [1, 2]);
      appendFileSync(join(dir, 'events.jsonl'), third.slice(20) + epochLine(4));
      await until(() => epochs().length === 4, 'four epochs');
      assert.deepEqual(epochs(), [1, 2, 3, 4]);
      // A run started over with --force: a new file under the name; the reader starts over too.
      writeFileSync(join(dir, 'events.new'), epochLine(1));
      renameSync(join(dir, 'events.new'), join(dir, 'events.jsonl'));
      await until(() => messages.some((m) => m.type === 'reset') && epochs().at(-1) === 1, 'the reset');
    } finally {
      tail.stop();
    }
  });
}

test('GET /api/events streams the events so far, then each new one', async () => {
  const runs = tempDir('sse');
  const dir = join(runs, 'live');
  writeFakeRun(dir, { epochs: 2, status: 'training' });
  const dashboard = await startDashboard({ runs, port: 0, rateLimit: 0 });
  const controller = new AbortController();
  try {
    const res = await fetch(`${dashboard.url}api/events?run=live`, { signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const events = () => [...text.matchAll(/^event: run\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]) as RunEvent);
    const readUntil = async (n: number) => {
      while (events().length < n) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended after ${text}`);
        text += value;
      }
    };
    await readUntil(3); // start and two epochs, already in the file
    assert.deepEqual(events().map((e) => e.type), ['start', 'epoch', 'epoch']);
    appendFileSync(join(dir, 'events.jsonl'), epochLine(3) + JSON.stringify({ type: 'end', time: 0, status: 'done' }) + '\n');
    await readUntil(5);
    assert.deepEqual(events().slice(3).map((e) => e.type), ['epoch', 'end']);
    assert.match(text, /^id: 5$/m, 'events are numbered');
  } finally {
    controller.abort();
    await dashboard.close();
  }
});

test('GET /api/events says `stopped` after the events of a run whose training process is gone', async () => {
  const runs = tempDir('sse-stopped');
  const gone = spawnSync(process.execPath, ['-e', '']).pid;
  writeFakeRun(join(runs, 'killed'), { epochs: 2, status: 'training', trainer: { pid: gone, host: hostname() } });
  const dashboard = await startDashboard({ runs, port: 0, rateLimit: 0 });
  const controller = new AbortController();
  try {
    const res = await fetch(`${dashboard.url}api/events?run=killed`, { signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!/^event: stopped$/m.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended after ${text}`);
      text += value;
    }
    const kinds = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    assert.deepEqual(kinds, ['run', 'run', 'run', 'stopped'], 'the run so far, then stopped, once');
  } finally {
    controller.abort();
    await dashboard.close();
  }
});

test('GET /api/loss.svg draws one run, or several with a series each', async () => {
  const runs = tempDir('loss-svg');
  writeFakeRun(join(runs, 'a'), { epochs: 3 });
  writeFakeRun(join(runs, 'group', 'b'), { epochs: 5 });
  mkdirSync(join(runs, 'empty'));
  writeFileSync(join(runs, 'empty', 'model.json'), JSON.stringify({ format: 'aekit-model', status: 'training' }));
  const dashboard = await startDashboard({ runs, port: 0, rateLimit: 0 });
  try {
    const one = await fetch(`${dashboard.url}api/loss.svg?run=a`);
    assert.equal(one.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
    const svg = await one.text();
    // Train and validation, three epochs each: M and two Ls per line.
    assert.deepEqual([...svg.matchAll(/aria-roledescription="line mark" d="([^"]*)"/g)].map((m) => m[1].match(/[ML]/g)?.length), [3, 3]);
    const both = await (await fetch(`${dashboard.url}api/loss.svg?run=a&run=group%2Fb&curve=validation`)).text();
    assert.deepEqual([...both.matchAll(/aria-roledescription="line mark" d="([^"]*)"/g)].map((m) => m[1].match(/[ML]/g)?.length), [3, 5]);
    assert.match(both, /group\/b/);
    assert.match(both, /Validation loss per epoch/);
    assert.equal((await fetch(`${dashboard.url}api/loss.svg?run=empty`)).status, 404, 'no epoch yet: no plot');
    assert.equal((await fetch(`${dashboard.url}api/loss.svg`)).status, 400);
  } finally {
    await dashboard.close();
  }
});
