/**
 * The dashboard serves only files under its runs folder: every way of spelling a way out (plain,
 * URL-encoded, double-encoded, backslashes, symlinks pointing outside) is refused without a byte
 * of the outside file, as are dotfiles, folder listings, weights, other methods, foreign Host
 * names, oversized headers and too many requests. Requests go over a real socket with the path
 * exactly as written (fetch would normalize `..` away before sending).
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathSegments, resolveUnder } from '../../src/serve/safe-path.js';
import { type Dashboard, startDashboard } from '../../src/serve/server.js';
import { writeFakeRun } from '../helpers/fake-runs.js';
import { tempDir } from '../helpers/temp-dir.js';

const SECRET = 'TOP-SECRET-4242';
const base = tempDir('serve-safety');
const runs = join(base, 'runs');
const outside = join(base, 'outside');
let dashboard: Dashboard;
let port: number;

interface Answer { status: number; body: string; headers: Record<string, string | string[] | undefined> }

/** A raw GET (or other method) with the path sent exactly as given. */
function raw(path: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time: a refused request may leave a pooled socket closed.
    const req = request({ agent: false, host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: `localhost:${port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

before(async () => {
  writeFakeRun(join(runs, 'first'), { epochs: 3, pictures: true });
  writeFileSync(join(runs, 'first', 'report.html'), '<!doctype html><title>first</title><p>report of first</p>');
  writeFileSync(join(runs, 'first', 'model.safetensors'), 'weights');
  writeFileSync(join(runs, 'first', '.secret.json'), `{"s":"${SECRET}"}`);
  mkdirSync(join(runs, '.hidden'));
  writeFileSync(join(runs, '.hidden', 'x.json'), `{"s":"${SECRET}"}`);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.html'), SECRET);
  writeFileSync(join(outside, 'secret.json'), `{"s":"${SECRET}"}`);
  writeFakeRun(join(outside, 'run'), { epochs: 2 });
  writeFileSync(join(base, 'secret.html'), SECRET);
  // Links inside runs/ that lead out of it, and one that stays inside (served).
  symlinkSync(outside, join(runs, 'escape'));
  symlinkSync(join(outside, 'secret.html'), join(runs, 'first', 'leak.html'));
  symlinkSync(join(runs, 'first', 'report.html'), join(runs, 'first', 'inside.html'));
  dashboard = await startDashboard({ runs, port: 0, rateLimit: 0 });
  port = Number(new URL(dashboard.url).port);
});
after(() => dashboard.close());

test('the report, pictures and records of a run are served; a report is sandboxed', async () => {
  const report = await raw('/runs/first/report.html');
  assert.equal(report.status, 200);
  assert.match(report.body, /report of first/);
  assert.match(String(report.headers['content-security-policy']), /^sandbox allow-same-origin; default-src 'none';/);
  assert.equal(report.headers['x-content-type-options'], 'nosniff');
  assert.equal((await raw('/runs/first/reconstructions.png')).status, 200);
  assert.equal((await raw('/runs/first/metrics.json')).status, 200);
  assert.equal((await raw('/runs/first/inside.html')).status, 200, 'a symlink that stays inside the runs folder is followed');
});

test('paths out of the runs folder are refused in every spelling, and no byte of the outside file leaks', async () => {
  const attempts = [
    '/runs/../outside/secret.html', '/runs/../secret.html', '/runs/first/../../secret.html',
    '/runs/%2e%2e/outside/secret.html', '/runs/%2E%2E/secret.html', '/runs/..%2fsecret.html', '/runs/..%2Foutside%2Fsecret.html',
    '/runs/%2e%2e%2f%2e%2e%2fsecret.html', '/runs/first/%2e%2e/%2e%2e/secret.html',
    '/runs/%252e%252e/secret.html', '/runs/%252e%252e%252fsecret.html', '/runs/first/%252e%252e/%252e%252e/outside/secret.html',
    '/runs/..\\secret.html', '/runs/..%5csecret.html', '/runs/first/..%5c..%5csecret.html',
    '/runs/%c0%ae%c0%ae/secret.html', '/runs//../secret.html', '/..%2f..%2fsecret.html', '/%2e%2e/secret.html',
    '/runs/escape/secret.html', '/runs/escape/secret.json', '/runs/escape/run/model.json', '/runs/first/leak.html',
    `/runs/${encodeURIComponent(join(outside, 'secret.html'))}`, '/runs//etc/passwd', '/runs/first/report.html%00.png',
  ];
  for (const path of attempts) {
    const answer = await raw(path);
    assert.notEqual(answer.status, 200, `${path} was served`);
    assert.ok(answer.status >= 400 && answer.status < 500, `${path}: ${answer.status}`);
    assert.ok(!answer.body.includes(SECRET) && !answer.body.includes('root:'), `${path} leaked: ${answer.body.slice(0, 200)}`);
  }
  // The API names runs like paths and checks them the same way.
  for (const id of ['..', '../outside/run', 'escape/run', '%2e%2e', 'first/../../outside/run', '/etc', '.hidden']) {
    for (const route of ['/api/run', '/api/loss.svg', '/api/events']) {
      const answer = await raw(`${route}?run=${encodeURIComponent(id)}`);
      assert.equal(answer.status, 404, `${route} ${id}: ${answer.status}`);
      assert.ok(!answer.body.includes(SECRET));
    }
  }
});

test('dotfiles, folders and weights are not served; no folder is listed', async () => {
  for (const path of ['/runs/first/.secret.json', '/runs/.hidden/x.json', '/runs/%2ehidden/x.json', '/runs/first/model.safetensors', '/.git/config', '/runs/', '/runs/first/', '/runs/first', '/runs/escape/']) {
    const answer = await raw(path);
    assert.ok(answer.status === 403 || answer.status === 404, `${path}: ${answer.status}`);
    assert.ok(!answer.body.includes(SECRET) && !answer.body.includes('report.html') && !answer.body.includes('metrics.json'), `${path} listed or leaked: ${answer.body.slice(0, 200)}`);
  }
  const list = JSON.parse((await raw('/api/runs')).body) as { runs: { id: string }[] };
  assert.deepEqual(list.runs.map((r) => r.id), ['first'], 'neither the dot folder nor the symlink out is listed');
});

test('only GET and HEAD: a large body is refused before it is read', async () => {
  const post = await raw('/api/runs', { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024, 120), headers: { 'content-type': 'application/json' } });
  assert.equal(post.status, 405);
  for (const method of ['PUT', 'DELETE', 'PATCH']) assert.equal((await raw('/runs/first/report.html', { method })).status, 405, method);
  assert.equal((await raw('/api/runs', { method: 'HEAD' })).status, 200);
  assert.equal((await raw('/api/runs')).status, 200, 'still serving after the refused body');
});

test('headers over 16 KiB are refused; a loopback dashboard answers only to localhost names', async () => {
  // Node may answer 431 or drop the connection while the client still writes: either refuses it.
  const big = await raw('/api/runs', { headers: { 'x-big': 'a'.repeat(20_000) } }).catch((error: NodeJS.ErrnoException) => ({ status: error.code ?? 'error' }));
  assert.ok(big.status === 431 || big.status === 'ECONNRESET', `a 20 kB header: ${big.status}`);
  assert.equal((await raw('/api/runs')).status, 200, 'still serving');
  assert.equal((await raw('/api/runs', { headers: { host: 'evil.example' } })).status, 403, 'DNS rebinding: a foreign Host');
  assert.equal((await raw('/api/runs', { headers: { host: `evil.example:${port}` } })).status, 403);
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) assert.equal((await raw('/api/runs', { headers: { host } })).status, 200, host);
});

test('the rate limit answers 429 past its budget', async () => {
  const limited = await startDashboard({ runs, port: 0, rateLimit: 5 });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${limited.url}api/runs`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  } finally {
    await limited.close();
  }
});

test('pathSegments and resolveUnder refuse bad spellings and links out', () => {
  assert.deepEqual(pathSegments('compare-x/deep/report.html'), ['compare-x', 'deep', 'report.html']);
  for (const bad of ['..', 'a/../b', './a', 'a//b', '.git', 'a\\b', 'a%2e', 'a\u0000b']) assert.equal(pathSegments(bad), null, bad);
  assert.equal(resolveUnder(runs, 'escape'), null);
  assert.equal(resolveUnder(runs, 'first/leak.html'), null);
  assert.equal(resolveUnder(runs, 'missing'), null);
  assert.ok(resolveUnder(runs, 'first/inside.html')?.endsWith(join('first', 'report.html')));
});
