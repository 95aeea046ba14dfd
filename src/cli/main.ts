#!/usr/bin/env node
/** The `aekit` executable. */
import { main } from './program.js';

// A reader that stops early (`aekit --help | head`) closes the pipe: that ends the output, not in a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
