/**
 * test/export/torch-check.py from the tests: whether Debian's python3 has torch (the tests that
 * need it skip, saying so, where it has not), and many checks in one interpreter, since
 * importing torch takes seconds.
 */
import { spawnSync } from 'node:child_process';

/** The interpreter the torch checks run in: Debian's, where python3-torch installs. */
export const PYTHON = '/usr/bin/python3';

/** false where torch can be imported, else the reason a test skips (found without importing torch). */
export const torchSkip: false | string = spawnSync(PYTHON, ['-c', 'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)']).status === 0
  ? false
  : `${PYTHON} has no torch (install Debian's python3-torch to run this test)`;

/** One check: the module aekit wrote, the run's weights, the inputs and aekit's outputs, and where torch's own state dict goes. */
export interface TorchCheck {
  module: string;
  weights: string;
  io: string;
  torchWeights: string;
}

/** Max |difference| from aekit's outputs per part, or the Python error of a check that failed. */
export type TorchCheckResult = { code: number; full: number; nelbo?: number; error?: undefined } | { error: string };

/**
 * Runs every check in one python3, in order.
 * @throws Error with python's stderr when the interpreter itself fails
 */
export function runTorchChecks(checks: readonly TorchCheck[]): TorchCheckResult[] {
  const args = checks.flatMap((c) => [c.module, c.weights, c.io, c.torchWeights]);
  const run = spawnSync(PYTHON, ['test/export/torch-check.py', ...args], { encoding: 'utf8' });
  const lines = run.stdout.trim().split('\n').filter((l) => l.length > 0);
  if (run.status !== 0 || lines.length !== checks.length) throw new Error(`torch-check.py exited ${run.status}: ${run.stderr}`);
  return lines.map((line) => JSON.parse(line) as TorchCheckResult);
}
