/**
 * The README's command lines as a user meets them: the set-up (`npx aekit` inside the checkout,
 * with no `npm link`) and the first-steps block run exactly as written, and
 * every other `aekit …` line in the README names a command and flags that exist.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Command } from 'commander';
import { program } from '../../src/cli/program.js';

const readme = readFileSync('README.md', 'utf8');

test('every aekit command line in the README names a command and flags it has', async () => {
  const cli = await program();
  const commands = new Map(cli.commands.map((c) => [c.name(), c]));
  const flagsOf = (c: Command) => new Set([...c.options.map((o) => o.long), '--help'].filter((f): f is string => f !== undefined));
  // Command lines in code blocks and in inline code: `aekit train --preset deep --json`, `npx aekit --help`.
  const lines = [...readme.matchAll(/(?:^|`|\$ |npx )aekit ([a-z]+)([^`\n]*)/gm)];
  assert.ok(lines.length > 30, `found ${lines.length} command lines`);
  for (const [line, name, rest] of lines) {
    if (name === 'help') continue;
    let command = commands.get(name);
    assert.ok(command, `README: "${line.trim()}": no command "${name}"`);
    // A command with kinds (aekit export onnx ...) takes the flags of the kind named next.
    const kind = /^ ([a-z]+)/.exec(rest)?.[1];
    if (command.commands.length > 0 && kind !== undefined) {
      command = command.commands.find((c) => c.name() === kind);
      assert.ok(command, `README: "${line.trim()}": ${name} has no "${kind}"`);
    }
    const known = flagsOf(command);
    for (const [flag] of rest.replace(/#.*$/, '').matchAll(/--[a-z0-9-]+/g)) {
      assert.ok(known.has(flag), `README: "${line.trim()}": ${name} has no ${flag}`);
    }
  }
});

test('the README set-up and first steps run as written: npx aekit in the checkout, then each command', () => {
  // Without npm link: npx finds the checkout's own bin (package.json's "bin", the build in dist/).
  const { version, bin } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; bin: { aekit: string } };
  // npx sets the bin's mode only when it first links a checkout's path; the build must set it itself.
  assert.ok((statSync(bin.aekit).mode & 0o111) !== 0, `${bin.aekit} is executable (npm run prepare marks it)`);
  const npx = spawnSync('npx', ['--no-install', 'aekit', '--version'], { encoding: 'utf8' });
  assert.equal(npx.status, 0, npx.stderr);
  assert.equal(npx.stdout.trim(), version);
  assert.doesNotMatch(npx.stderr, /warn/i, 'npm says nothing (no unknown project config)');

  const block = /```sh first-steps\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has a ```sh first-steps block');
  // The block's `npx aekit` finds aekit from a folder inside the checkout: one under runs/ (ignored by git).
  const hadRuns = existsSync('runs');
  mkdirSync('runs', { recursive: true });
  const work = mkdtempSync(join('runs', '.first-steps-'));
  after(() => rmSync(hadRuns ? work : 'runs', { recursive: true, force: true }));
  for (const line of block[1].trim().split('\n')) {
    const started = performance.now();
    const run = spawnSync('bash', ['-c', line], { cwd: work, encoding: 'utf8' });
    assert.equal(run.status, 0, `${line}\n${run.stderr}`);
    assert.ok(run.stdout.trim().length > 0, `${line} printed its result`);
    // Each step answers in seconds; a README line that rebuilt anything would take far longer.
    assert.ok(performance.now() - started < 60_000, `${line} took ${Math.round((performance.now() - started) / 1000)} s`);
  }
  // Everything under runs/ (ignored by git), nothing left in the folder it ran from.
  assert.deepEqual(readdirSync(work), ['runs']);
  for (const file of ['runs/first/model.json', 'runs/first/reconstructions.png', 'runs/first/codes.npy', 'runs/first/recon.npy', 'runs/first/recon.png']) {
    assert.ok(existsSync(join(work, file)), `${file} was written`);
  }
  // The first look shows an autoencoder working: far below the mean image's sse (about 52.7 on
  // MNIST's test set), where the sigmoid presets used to stay (53.2).
  const { sse } = JSON.parse(readFileSync(join(work, 'runs/first/model.json'), 'utf8')).metrics.test;
  assert.ok(sse < 30, `the first-steps run's test sse is ${sse}`);
});
