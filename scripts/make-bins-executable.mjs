// Marks package.json's "bin" files executable after tsc has written them (tsc writes mode 644).
// npx links a checkout's own bin once per path and sets the mode only then: a rebuilt dist/ at a
// path npx has seen before would otherwise answer "Permission denied". Run from the package root.
import { chmodSync, readFileSync } from 'node:fs';

const { bin } = JSON.parse(readFileSync('package.json', 'utf8'));
for (const file of typeof bin === 'string' ? [bin] : Object.values(bin)) chmodSync(file, 0o755);
