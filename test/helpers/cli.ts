/**
 * The CLI run in the test's own process: much faster than a process per command (no start-up,
 * no TypeScript transpiling), for tests of what a command does rather than of process life.
 */
import { main } from '../../src/cli/program.js';

/** Runs `aekit ...args` here; resolves with its exit code and what it wrote on stdout and stderr. */
export async function aekitInProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const writes = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  const text = { stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].write = ((chunk: string | Uint8Array) => {
      // aekit writes text; the test runner's own messages to its parent are binary, and go on.
      if (typeof chunk !== 'string') return writes[stream](chunk);
      text[stream] += chunk;
      return true;
    });
  }
  try {
    return { code: await main(args), ...text };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
}
