// Builds the native addon with node-gyp. A failed build is not fatal: aekit then runs on its
// reference backend and says so once at run time.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function nodeGyp() {
  // npm sets npm_config_node_gyp to its bundled copy during install scripts.
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) {
    return [process.execPath, process.env.npm_config_node_gyp];
  }
  const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(npmCli)) return [process.execPath, npmCli];
  try {
    return [process.execPath, createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    return ['node-gyp'];
  }
}

// Node's headers cannot be downloaded here; Debian's nodejs-dev puts them under /usr (npm's
// config says so too, but only for runs through npm).
const nodedir = process.env.npm_config_nodedir ?? (existsSync('/usr/include/node/node.h') ? '/usr' : undefined);
const [cmd, ...pre] = nodeGyp();
// node-gyp and make print about 80 lines on a good build: keep them, and show them only when the
// build fails (or AEKIT_BUILD_VERBOSE=1 asks).
const verbose = process.env.AEKIT_BUILD_VERBOSE === '1';
const result = spawnSync(cmd, [...pre, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], {
  stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20,
});
if (result.status !== 0) {
  if (!verbose) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `${result.error.message}\n` : ''}`);
  console.warn('aekit: the native addon did not build (output above); aekit will use its reference backend (slower).');
  if (process.env.AEKIT_REQUIRE_NATIVE === '1') process.exit(1);
} else {
  console.log('aekit: built the native addon (build/Release/aekit_native.node)');
}
