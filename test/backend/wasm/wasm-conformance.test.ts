/**
 * The WebAssembly backend passes the same conformance suite as the native one: this runs
 * test/backend/conformance.test.ts with AEKIT_CONFORMANCE=wasm in a child process (the suite picks
 * its backend once, at import) and requires every test in it to pass; only the addon's own
 * thread-pool and ISA tests are skipped there. Once on the one-thread module (AEKIT_THREADS=1)
 * and once on the threaded one with two workers (AEKIT_THREADS=3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

for (const threads of ['1', '3']) test(`the conformance suite passes on the wasm backend with AEKIT_THREADS=${threads}`, () => {
  // NODE_TEST_CONTEXT removed: the child runs as a top-level test process, with its own report.
  const { NODE_TEST_CONTEXT: _context, ...inherited } = process.env;
  const env = { ...inherited, AEKIT_CONFORMANCE: 'wasm', AEKIT_THREADS: threads };
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', 'test/backend/conformance.test.ts'], {
    cwd: root, env, encoding: 'utf8', maxBuffer: 64 << 20,
  });
  const report = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, `conformance on wasm failed:\n${report.split('\n').filter((l) => /not ok|Error|got|want/.test(l)).slice(0, 40).join('\n')}`);
  const count = (what: string) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(report)?.[1] ?? NaN);
  assert.equal(count('fail'), 0);
  assert.ok(count('pass') >= 20, `only ${count('pass')} conformance tests passed`);
  assert.equal(count('skipped'), 1, 'only the native thread/ISA suite may be skipped');
});
