/**
 * Whether /usr/bin/python3 has torch (Debian's python3-torch, which .ci/run installs): the tests of
 * the torchrun job skip with this one-line reason where it has not. Found without importing torch
 * (seconds, in every test file that asks).
 */
import { spawnSync } from 'node:child_process';
import { PYTHON, torchSkip as noTorch } from '../../helpers/torch-check.js';

export { PYTHON };

const numpy = spawnSync(PYTHON, ['-c', 'import importlib.util, sys; sys.exit(importlib.util.find_spec("numpy") is None)']).status === 0;

/** false where torch and numpy can be imported; else the reason the tests skip. */
export const torchSkip: string | false = noTorch || (numpy ? false : `${PYTHON} has no numpy: install Debian's python3-torch to run the torchrun job tests`);

/** Whether `torchrun` is on the PATH (Debian's python3-torch installs it). */
export const torchrunSkip: string | false = torchSkip || (spawnSync('sh', ['-c', 'command -v torchrun']).status === 0 ? false : 'torchrun is not on the PATH: install Debian\'s python3-torch to run the torchrun job tests');
