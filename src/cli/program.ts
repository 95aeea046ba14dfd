/**
 * The aekit command line: its commands, and how it turns errors into one line and an exit code.
 * Commands parse flags and print; the work is in apps/.
 */
import { Command, CommanderError } from 'commander';
import { AEKIT_VERSION } from '../run/version.js';
import { AekitError, NumericError, OutputFolderError } from '../errors.js';
import { ignoreDigests } from '../io/digest.js';
import { wasInterrupted } from './interrupt.js';

/** System errors about a path the user named (missing, a folder, not allowed); others (a full disk) are the machine's. */
const USER_FILE_ERRORS = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EROFS', 'EPERM', 'EEXIST', 'ELOOP', 'ENAMETOOLONG']);

/** A command as the top-level help lists it, and how to load the whole of it. */
interface CommandEntry {
  name: string;
  /** Its description, as its module gives it (test/cli/program.test.ts checks they agree). */
  summary: string;
  load: () => Promise<Command>;
}

/**
 * Every command, one line each, in the order of `aekit --help`. A command's module (and the
 * apps, models and pictures it imports) loads only when that command runs: `aekit --version`
 * and `aekit --help` load none of them.
 */
const COMMANDS: readonly CommandEntry[] = [
  { name: 'train', summary: 'Train an autoencoder and write a run folder (model.json, model.safetensors, metrics.json, pictures)', load: async () => (await import('./commands/train.js')).trainCommand() },
  { name: 'eval', summary: 'Evaluate a trained model on test data: sse, mse and bce', load: async () => (await import('./commands/eval.js')).evalCommand() },
  { name: 'encode', summary: 'Encode inputs to codes (one row per example) and write them as .npy, .csv or .arrow', load: async () => (await import('./commands/transform.js')).transformCommand('encode') },
  { name: 'decode', summary: 'Decode codes back to the input space and write them as .npy, .csv or .arrow', load: async () => (await import('./commands/transform.js')).transformCommand('decode') },
  { name: 'reconstruct', summary: 'Reconstruct inputs (encode then decode) and write them as .npy, .csv or .arrow', load: async () => (await import('./commands/transform.js')).transformCommand('reconstruct') },
  { name: 'sample', summary: 'New examples from an autoencoder: codes drawn from a VAE\'s prior N(0, T²I), or from a Gaussian mixture fitted to the training codes (any autoencoder), decoded', load: async () => (await import('./commands/generate.js')).sampleCommand() },
  { name: 'interpolate', summary: 'Walk between two examples\' codes and decode each step: spherically for a VAE, straight for a deterministic autoencoder', load: async () => (await import('./commands/generate.js')).interpolateCommand() },
  { name: 'denoise', summary: 'Corrupt inputs with a noise spec, denoise them with a trained model, and report PSNR and sse against the clean inputs', load: async () => (await import('./commands/denoise.js')).denoiseCommand() },
  { name: 'inpaint', summary: 'Fill missing pixels with a trained autoencoder and report PSNR on the hole beside the mean and PCA fills', load: async () => (await import('./commands/inpaint.js')).inpaintCommand() },
  { name: 'anomaly', summary: 'Anomaly scores by reconstruction error: score a file with a trained model, or train one model per digit and measure ROC-AUC (one-class MNIST)', load: async () => (await import('./commands/anomaly.js')).anomalyCommand() },
  { name: 'pca', summary: 'Fit PCA on the training split and report its test reconstruction error; optionally compare a linear autoencoder\'s subspace with it', load: async () => (await import('./commands/pca.js')).pcaCommand() },
  { name: 'compare', summary: 'Compress the data to K numbers with PCA, logistic PCA, a shallow and the deep autoencoder: test errors side by side and pictures', load: async () => (await import('./commands/compare.js')).compareCommand() },
  { name: 'retrieve', summary: 'Semantic hashing: binary codes from hashing autoencoders, retrieval by Hamming distance, against LSH, PCAH and ITQ', load: async () => (await import('./commands/retrieve.js')).retrieveCommand() },
  { name: 'classify', summary: 'Classify with a trained encoder: a softmax on its codes, or (--finetune) the encoder trained with it, beside pixel, PCA and from-scratch baselines', load: async () => (await import('./commands/classify.js')).classifyCommand() },
  { name: 'export', summary: 'Take a trained model out: aekit export encoder|onnx|pytorch --model DIR ..., or a torchrun job: aekit export torchrun --preset NAME --out JOBDIR', load: async () => (await import('./commands/export.js')).exportCommand() },
  { name: 'import', summary: 'Bring a model made elsewhere in: aekit import safetensors --input FILE --config CONFIG --out DIR, or aekit import torchrun JOBDIR', load: async () => (await import('./commands/import.js')).importCommand() },
  { name: 'segment', summary: 'Train SegNet (the segnet preset) on scenes of MNIST digits and report pixel accuracy and IoU per class on test scenes', load: async () => (await import('./commands/segment.js')).segmentCommand() },
  { name: 'report', summary: 'Build report.html in a run folder: config, metrics, loss curve, pictures and plots on one page that opens from disk', load: async () => (await import('./commands/report.js')).reportCommand() },
  { name: 'serve', summary: 'A local dashboard of your runs: list, reports, loss curves compared, and runs in progress live', load: async () => (await import('./commands/serve.js')).serveCommand() },
  { name: 'tune', summary: "Measure this machine's kernel choices (im2col or direct per convolution shape) and cache them for this CPU", load: async () => (await import('./commands/tune.js')).tuneCommand() },
];

/**
 * The command line with `load`ed commands whole and the others as their name and summary
 * (enough for `aekit --help`, `--version` and suggestions after a typo).
 * @param load the commands to load whole: their names, or 'all'
 * @example
 * const cli = await program('all'); // every command with its flags
 */
export async function program(load: 'all' | readonly string[] = 'all'): Promise<Command> {
  const cli = new Command('aekit')
    .description('Autoencoders on Node.js: train, evaluate and use them from the command line')
    .version(AEKIT_VERSION)
    .exitOverride()
    .showSuggestionAfterError()
    .option('--ignore-digest', 'load weights that no longer match the SHA-256 digest recorded with them (a file changed on purpose); any command takes it')
    .hook('preAction', (root) => ignoreDigests(root.opts<{ ignoreDigest?: boolean }>().ignoreDigest === true));
  for (const entry of COMMANDS) {
    cli.addCommand(load === 'all' || load.includes(entry.name) ? await entry.load() : new Command(entry.name).description(entry.summary));
  }
  return cli.addHelpText('after', `
Every command takes --help, and --json to print one JSON object on stdout.
Environment: AEKIT_BACKEND=native|wasm|reference picks the compute backend; AEKIT_THREADS sets the threads.

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

/** The names of the commands a program has, for tests and the help. */
export const COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.name);

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 bad input or usage). */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  ignoreDigests(false);
  try {
    // Only the command named (the first word that is not a flag) is loaded, with the backend.
    const named = argv.find((a) => !a.startsWith('-'));
    const wanted = named !== undefined && COMMAND_NAMES.includes(named) ? [named] : [];
    const cli = await program(wanted);
    for (const command of allCommands(cli)) command.exitOverride().configureOutput({ outputError: (text, write) => write(oneLine(text)) });
    if (wanted.length > 0) await chooseBackend();
    await cli.parseAsync(argv, { from: 'user' });
    // Stopped by Ctrl-C after saving what it had: 128 + SIGINT, as shells report it.
    return wasInterrupted() ? 130 : 0;
  } catch (error) {
    const failure = describeFailure(error);
    if (failure === null) return 0;
    if (failure.line !== null) process.stderr.write(`aekit: ${failure.line}\n`);
    // --json promises one JSON object on stdout, failures included.
    if (json) process.stdout.write(`${JSON.stringify({ error: { message: failure.message, code: failure.code } })}\n`);
    return failure.exitCode;
  }
}

/** Picks the compute backend (loading the addon) and says once which runs, when it is not native by default. */
async function chooseBackend(): Promise<void> {
  const [{ backendNote, selectBackend }, { setBackend }] = await Promise.all([import('../backend/select.js'), import('../tensor/index.js')]);
  setBackend(selectBackend());
  const note = backendNote();
  if (note) process.stderr.write(`aekit: ${note}\n`);
}

/**
 * What a failure tells the user: the line for stderr (null when commander printed it already),
 * the message and code for --json, and the exit code; null for help and version, which succeed.
 */
function describeFailure(error: unknown): { line: string | null; message: string; code: string; exitCode: number } | null {
  if (error instanceof CommanderError) {
    // Help and version end here too; commander already printed them, and any error line.
    if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return null;
    return { line: null, message: error.message.replace(/^error: /, ''), code: error.code, exitCode: 2 };
  }
  if (error instanceof AekitError) {
    const message = error instanceof OutputFolderError ? error.cliMessage : error.message;
    return { line: message, message, code: error.name, exitCode: error instanceof NumericError ? 1 : 2 };
  }
  const system = error as NodeJS.ErrnoException;
  if (system !== null && typeof system === 'object' && typeof system.code === 'string' && typeof system.syscall === 'string') {
    // A file the system would not read or write: one line naming it; the user's path (2) or the machine (1).
    const message = `${system.path ?? system.syscall}: ${system.message.replace(/^[A-Z]+: /, '')}`;
    return { line: message, message, code: system.code, exitCode: USER_FILE_ERRORS.has(system.code) ? 2 : 1 };
  }
  const message = `internal error: ${(error as Error).stack ?? String(error)}`;
  return { line: message, message: `internal error: ${(error as Error).message ?? String(error)}`, code: 'internal', exitCode: 1 };
}
