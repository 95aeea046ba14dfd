/**
 * The dashboard probed as an attacker would, over loopback only: records and event streams that
 * link out of the runs folder are not read, parse errors quote nothing, the Host allowlist holds
 * whatever the bind, a token guards a non-loopback bind, one client cannot hold every live stream
 * or one stream for ever, a client that never reads does not make the server queue a run's
 * history, the loss plot renders once per set of runs, and run names with URL punctuation open.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { accessTokenFor, buildDashboard, dashboardParts } from '../../src/serve/server.js';
import { writeFakeRun } from '../helpers/fake-runs.js';
import { tempDir } from '../helpers/temp-dir.js';

const SECRET = 'root:x:0:0:TOP-SECRET';
const base = tempDir('serve-attacks');
const runs = join(base, 'runs');
const outside = join(base, 'outside');
mkdirSync(outside, { recursive: true });
writeFileSync(join(outside, 'passwd'), `${SECRET}:/root:/bin/bash\n`);
writeFileSync(join(outside, 'private.jsonl'), `${JSON.stringify({ type: 'epoch', time: 0, epoch: 1, epochs: 2, trainLoss: 1, valLoss: null, seconds: 1, secret: SECRET })}\n`);
writeFakeRun(join(runs, 'plain'), { epochs: 4 });
writeFakeRun(join(runs, 'other'), { epochs: 6 });

const get = async (app: Awaited<ReturnType<typeof buildDashboard>>, url: string, headers: Record<string, string> = {}) =>
  app.inject({ url, headers: { host: 'localhost', ...headers } });

test('records linked out of the runs folder are not read, and a parse error quotes nothing', async () => {
  const dir = join(runs, 'leaky');
  writeFakeRun(dir, { epochs: 2 });
  rmSync(join(dir, 'metrics.json'));
  symlinkSync(join(outside, 'passwd'), join(dir, 'metrics.json'));
  writeFakeRun(join(runs, 'broken'), { epochs: 2 });
  writeFileSync(join(runs, 'broken', 'metrics.json'), `{"trainLoss": [1, ${SECRET}]`);
  const app = await buildDashboard({ runs, rateLimit: 0 });
  try {
    for (const url of ['/api/runs', '/api/run?run=leaky', '/api/run?run=broken', '/api/loss.svg?run=leaky', '/api/loss.svg?run=leaky&run=plain']) {
      const res = await get(app, url);
      assert.ok(!res.body.includes('root:x') && !res.body.includes('TOP-SECRET'), `${url} showed the file: ${res.body.slice(0, 200)}`);
    }
    const leaky = (await get(app, '/api/run?run=leaky')).json<{ error?: string }>();
    assert.match(leaky.error ?? '', /metrics\.json: not a regular file inside the runs folder/);
    assert.match((await get(app, '/api/run?run=broken')).json<{ error?: string }>().error ?? '', /metrics\.json: not valid JSON$/);
  } finally {
    await app.close();
  }
});

/** Reads a live stream for `ms`, then drops it; resolves with its status and what came. */
function stream(port: number, path: string, ms: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ agent: false, host: '127.0.0.1', port, path, headers: { host: 'localhost', ...headers } }, (res) => {
      let body = '';
      let ended = false;
      res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      res.on('end', () => { ended = true; });
      setTimeout(() => { req.destroy(); resolve({ status: res.statusCode ?? 0, body, ended }); }, ms);
    });
    req.on('error', reject);
    req.end();
  });
}

test('a live stream does not follow an events.jsonl that links out of the runs folder', async () => {
  const dir = join(runs, 'linked-events');
  writeFakeRun(dir, { epochs: 1, status: 'training', trainer: { pid: process.pid, host: 'x' } });
  rmSync(join(dir, 'events.jsonl'));
  symlinkSync(join(outside, 'private.jsonl'), join(dir, 'events.jsonl'));
  const app = await buildDashboard({ runs, rateLimit: 0, streams: { pollMs: 20 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const port = (app.server.address() as { port: number }).port;
    const answer = await stream(port, '/api/events?run=linked-events', 300);
    assert.equal(answer.status, 200);
    assert.ok(!answer.body.includes('TOP-SECRET'), answer.body);
    assert.ok(!answer.body.includes('event: run'), 'no event came from the linked file');
    // The same stream of a run with its own events file does carry them.
    assert.match((await stream(port, '/api/events?run=plain', 300)).body, /retry: 1000/);
  } finally {
    await app.close();
  }
});

test('the Host allowlist holds whatever the bind; a non-loopback bind asks for its token', async () => {
  for (const host of ['0.0.0.0', '127.0.0.2', '::']) {
    const app = await buildDashboard({ runs, rateLimit: 0, host, allowHosts: ['ae.lab.example'] });
    try {
      assert.equal((await get(app, '/api/runs', { host: 'evil.example' })).statusCode, 403, `${host}: a foreign Host`);
      assert.equal((await get(app, '/api/runs', { host: 'evil.example:6006' })).statusCode, 403);
      for (const name of ['localhost:6006', '127.0.0.1', 'ae.lab.example:6006']) assert.equal((await get(app, '/api/runs', { host: name })).statusCode, 200, `${host}: ${name}`);
    } finally {
      await app.close();
    }
  }
  // A dashboard on 127.0.0.2 answers to its own URL.
  const own = await buildDashboard({ runs, rateLimit: 0, host: '127.0.0.2' });
  assert.equal((await get(own, '/api/runs', { host: '127.0.0.2:6006' })).statusCode, 200);
  await own.close();

  assert.equal(accessTokenFor('127.0.0.1'), undefined);
  assert.equal(accessTokenFor('localhost'), undefined);
  const [t1, t2] = [accessTokenFor('0.0.0.0'), accessTokenFor('192.168.1.5')];
  assert.ok(t1 && t2 && t1 !== t2 && t1.length >= 32, 'a fresh random token per start');
  const app = await buildDashboard({ runs, rateLimit: 0, host: '0.0.0.0', token: t1 });
  try {
    assert.equal((await get(app, '/api/runs')).statusCode, 401);
    assert.equal((await get(app, `/api/runs?token=${t2}`)).statusCode, 401, 'another token');
    assert.equal((await get(app, '/api/runs', { cookie: `aekit_token=${t1.slice(1)}` })).statusCode, 401);
    const first = await get(app, `/?token=${t1}`);
    assert.equal(first.statusCode, 200);
    const setCookie = String(first.headers['set-cookie']);
    assert.match(setCookie, /^aekit_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.equal((await get(app, '/api/runs', { cookie: setCookie.split(';')[0] })).statusCode, 200, 'the page\'s own requests carry the cookie');
  } finally {
    await app.close();
  }
});

test('one client holds a bounded number of live streams, each for a bounded time', async () => {
  const app = await buildDashboard({ runs, rateLimit: 0, streams: { perClient: 2, lifetimeMs: 400 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const port = (app.server.address() as { port: number }).port;
    const held = [stream(port, '/api/events?run=plain', 250), stream(port, '/api/events?run=other', 250)];
    await new Promise((r) => setTimeout(r, 80));
    const third = await stream(port, '/api/events?run=plain', 50);
    assert.equal(third.status, 429, 'a third stream of the same client');
    assert.deepEqual((await Promise.all(held)).map((a) => a.status), [200, 200]);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(dashboardParts(app).streams.count, 0, 'dropped streams are counted out');
    // A stream kept open past its lifetime is ended by the server.
    const long = await stream(port, '/api/events?run=plain', 800);
    assert.equal(long.status, 200);
    assert.ok(long.ended, 'ended after its lifetime');
  } finally {
    await app.close();
  }
});

test('a client that never reads does not make the server queue the run\'s history', async () => {
  const dir = join(runs, 'long');
  writeFakeRun(dir, { epochs: 1, status: 'training', trainer: { pid: process.pid, host: 'x' } });
  const line = (e: number) => `${JSON.stringify({ type: 'epoch', time: 0, epoch: e, epochs: 1e6, trainLoss: 1, valLoss: null, seconds: 1, pad: 'x'.repeat(900) })}\n`;
  const lines = Array.from({ length: 16_000 }, (_, i) => line(i + 1)).join('');
  writeFileSync(join(dir, 'events.jsonl'), lines);
  const maxBuffered = 64 * 1024;
  const app = await buildDashboard({ runs, rateLimit: 0, streams: { maxBuffered, pollMs: 10 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const port = (app.server.address() as { port: number }).port;
    const socket = connect(port, '127.0.0.1');
    socket.pause(); // Never reads: the kernel's buffers fill, then the server's.
    socket.write('GET /api/events?run=long HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((r) => setTimeout(r, 1200));
    const queued = dashboardParts(app).streams.queuedBytes;
    // 15 MB of events: without backpressure nearly all of it would wait in the server's memory.
    assert.ok(queued < maxBuffered + (1 << 20) + 64 * 1024, `${queued} bytes queued for a client that does not read`);
    assert.equal(dashboardParts(app).streams.count, 1);
    // Once it reads, every event arrives.
    let tail = '';
    const all = new Promise<boolean>((resolve) => {
      socket.on('data', (c: Buffer) => {
        tail = (tail + c.toString('latin1')).slice(-4096);
        if (tail.includes('id: 16000\n')) resolve(true);
      });
      setTimeout(() => resolve(false), 15_000).unref();
    });
    socket.resume();
    assert.ok(await all, 'the last event arrived once the client read');
    socket.destroy();
  } finally {
    await app.close();
  }
});

test('the comparison plot renders once per set of runs, whatever their order or repeats', async () => {
  const app = await buildDashboard({ runs, rateLimit: 0 });
  try {
    const plots = dashboardParts(app).plots;
    const first = await get(app, '/api/loss.svg?run=plain&run=other');
    assert.equal(first.statusCode, 200);
    const before = plots.rendered;
    for (const query of ['run=other&run=plain', 'run=plain&run=other&run=plain', 'run=other&run=other&run=plain&run=plain']) {
      const res = await get(app, `/api/loss.svg?${query}`);
      assert.equal(res.body, first.body, query);
    }
    assert.equal(plots.rendered, before, 'answered from the cache');
    // A run asked for twice alone is that run's own plot.
    assert.equal((await get(app, '/api/loss.svg?run=plain&run=plain')).body, (await get(app, '/api/loss.svg?run=plain')).body);
  } finally {
    await app.close();
  }
});

test('run names with = , + & ; @ : $ # ? open their report and records', async () => {
  const name = 'lr=0.01,b+c&d;e@f:g$h#i?j';
  writeFakeRun(join(runs, name), { epochs: 2 });
  writeFileSync(join(runs, name, 'report.html'), '<!doctype html><p>the odd one</p>');
  const app = await buildDashboard({ runs, rateLimit: 0 });
  try {
    // As web/common.js builds links: each segment through encodeURIComponent.
    const report = await get(app, `/runs/${encodeURIComponent(name)}/report.html`);
    assert.equal(report.statusCode, 200, report.body);
    assert.match(report.body, /the odd one/);
    assert.equal((await get(app, `/runs/${encodeURIComponent(name)}/metrics.json`)).statusCode, 200);
    assert.equal((await get(app, `/api/run?run=${encodeURIComponent(name)}`)).json<{ id: string }>().id, name);
    assert.equal((await get(app, `/api/loss.svg?run=${encodeURIComponent(name)}`)).statusCode, 200);
    // A second encoding is still refused.
    assert.equal((await get(app, `/runs/${encodeURIComponent(encodeURIComponent(name))}/report.html`)).statusCode, 404);
  } finally {
    await app.close();
  }
});

