/**
 * Whether /usr/bin/python3 has torch (Debian's python3-torch, which .ci/run installs): the tests of
 * the torchrun job skip with this one-line reason where it has not.
 */
import { spawnSync } from 'node:child_process';

/** The Python the job tests run. */
export const PYTHON = '/usr/bin/python3';

const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });

/** false where torch imports; else the reason the tests skip. */
export const torchSkip: string | false = probe.status === 0 ? false : `${PYTHON} -c "import torch, numpy" failed: install Debian's python3-torch to run the torchrun job tests`;

/** Whether `torchrun` is on the PATH (Debian's python3-torch installs it). */
export const torchrunSkip: string | false = torchSkip || (spawnSync('torchrun', ['--help'], { encoding: 'utf8' }).status === 0 ? false : 'torchrun is not on the PATH: install Debian\'s python3-torch to run the torchrun job tests');
