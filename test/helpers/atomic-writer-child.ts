/**
 * A process that rewrites one file through writeFileAtomic for ever, each version a whole block
 * of one byte value, for the crash test to SIGKILL at random moments.
 */
import { writeFileAtomic } from '../../src/io/atomic-write.js';

const [target, sizeText] = process.argv.slice(2);
const size = Number(sizeText);
process.stdout.write('ready\n');
for (let version = 1; ; version++) writeFileAtomic(target, Buffer.alloc(size, version % 251));
