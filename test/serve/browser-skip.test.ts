/**
 * The browser tests on a machine without Chromium: skipped with one line each, so `npm install`
 * then `npm test` passes on a fresh machine; failed when AEKIT_REQUIRE_BROWSER=1 requires them
 * (.ci/run), so CI never skips them silently.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

function runReportFileTest(env: Record<string, string>) {
  // Without the parent runner's context, which would make the child report to it instead of printing TAP.
  const { AEKIT_REQUIRE_BROWSER: _, NODE_TEST_CONTEXT: _context, ...base } = process.env;
  return spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', 'test/serve/report-file.test.ts'], {
    encoding: 'utf8', env: { ...base, AEKIT_CHROMIUM: '/nonexistent/chromium', ...env },
  });
}

test('no Chromium: each browser test is skipped with the reason in one line, and the run passes', () => {
  const run = runReportFileTest({});
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const skips = run.stdout.split('\n').filter((l) => /^ok \d+ - .* # SKIP no Chromium at \/nonexistent\/chromium; `bash scripts\/setup-browser\.sh` installs it/.test(l));
  assert.equal(skips.length, 1, run.stdout);
});

test('no Chromium but AEKIT_REQUIRE_BROWSER=1: the browser tests fail, saying how to install it', () => {
  const run = runReportFileTest({ AEKIT_REQUIRE_BROWSER: '1' });
  assert.notEqual(run.status, 0);
  assert.match(run.stdout, /\/nonexistent\/chromium is missing: the browser tests need Chromium/);
});
