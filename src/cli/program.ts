/**
 * The aekit command line: its commands, and how it turns errors into one line and an exit code.
 * Commands parse flags and print; the work is in apps/.
 */
import { Command, CommanderError } from 'commander';
import { AEKIT_VERSION } from '../apps/version.js';
import { backendFallbackReason, selectBackend } from '../backend/select.js';
import { AekitError, NumericError } from '../errors.js';
import { ignoreDigests } from '../io/digest.js';
import { setBackend } from '../tensor/index.js';
import { anomalyCommand } from './commands/anomaly.js';
import { classifyCommand } from './commands/classify.js';
import { compareCommand } from './commands/compare.js';
import { denoiseCommand } from './commands/denoise.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { inpaintCommand } from './commands/inpaint.js';
import { wasInterrupted } from './interrupt.js';
import { pcaCommand } from './commands/pca.js';
import { reportCommand } from './commands/report.js';
import { retrieveCommand } from './commands/retrieve.js';
import { segmentCommand } from './commands/segment.js';
import { serveCommand } from './commands/serve.js';
import { trainCommand } from './commands/train.js';
import { transformCommand } from './commands/transform.js';

/** System errors about a path the user named (missing, a folder, not allowed); others (a full disk) are the machine's. */
const USER_FILE_ERRORS = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EROFS', 'EPERM', 'EEXIST', 'ELOOP', 'ENAMETOOLONG']);

/** Every command with its flags, help and action. */
export function program(): Command {
  return new Command('aekit')
    .description('Autoencoders on Node.js: train, evaluate and use them from the command line')
    .version(AEKIT_VERSION)
    .exitOverride()
    .showSuggestionAfterError()
    .option('--ignore-digest', 'load weights that no longer match the SHA-256 digest recorded with them (a file changed on purpose); any command takes it')
    .hook('preAction', (root) => ignoreDigests(root.opts<{ ignoreDigest?: boolean }>().ignoreDigest === true))
    .addCommand(trainCommand())
    .addCommand(evalCommand())
    .addCommand(transformCommand('encode'))
    .addCommand(transformCommand('decode'))
    .addCommand(transformCommand('reconstruct'))
    .addCommand(denoiseCommand())
    .addCommand(inpaintCommand())
    .addCommand(anomalyCommand())
    .addCommand(pcaCommand())
    .addCommand(compareCommand())
    .addCommand(retrieveCommand())
    .addCommand(classifyCommand())
    .addCommand(exportCommand())
    .addCommand(importCommand())
    .addCommand(segmentCommand())
    .addCommand(reportCommand())
    .addCommand(serveCommand())
    .addHelpText('after', `
Every command takes --help, and --json to print one JSON object on stdout.
Environment: AEKIT_BACKEND=native|reference picks the compute backend; AEKIT_THREADS sets the threads.

Examples:
  $ aekit train                                  # the deep autoencoder on MNIST
  $ aekit train --preset undercomplete --epochs 5 --out runs/small
  $ aekit eval --model runs/small --json
  $ aekit export onnx --model runs/small --part encoder --output small-encoder.onnx
  $ aekit serve --open                           # the dashboard of runs/ in your browser`);
}

/** A command and every command under it. */
function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap((sub) => allCommands(sub))];
}

/** A parse error in one line: commander puts its "(Did you mean …?)" on a line of its own. */
function oneLine(text: string): string {
  return `${text.trim().replace(/\s*\n\s*/g, ' ')}\n`;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 bad input or usage). */
export async function main(argv: string[]): Promise<number> {
  const cli = program();
  for (const command of allCommands(cli)) command.exitOverride().configureOutput({ outputError: (text, write) => write(oneLine(text)) });
  ignoreDigests(false);
  try {
    setBackend(selectBackend());
    const fallback = backendFallbackReason();
    if (fallback) process.stderr.write(`aekit: ${fallback}\n`);
    await cli.parseAsync(argv, { from: 'user' });
    // Stopped by Ctrl-C after saving what it had: 128 + SIGINT, as shells report it.
    return wasInterrupted() ? 130 : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end here too; commander already printed them, and any error line.
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    }
    if (error instanceof AekitError) {
      process.stderr.write(`aekit: ${error.message}\n`);
      return error instanceof NumericError ? 1 : 2;
    }
    const system = error as NodeJS.ErrnoException;
    if (typeof system.code === 'string' && typeof system.syscall === 'string') {
      // A file the system would not read or write: one line naming it; the user's path (2) or the machine (1).
      process.stderr.write(`aekit: ${system.path ?? system.syscall}: ${system.message.replace(/^[A-Z]+: /, '')}\n`);
      return USER_FILE_ERRORS.has(system.code) ? 2 : 1;
    }
    process.stderr.write(`aekit: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
