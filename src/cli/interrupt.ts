/**
 * Ctrl-C for long commands: the first press asks the work to stop after its current step (the
 * best model so far is kept), a second press quits at once.
 */

let interrupted = false;

/** True once Ctrl-C stopped work in this process: the CLI then exits with 130, as shells expect. */
export function wasInterrupted(): boolean {
  return interrupted;
}

/**
 * Runs `work` with an AbortSignal that the first Ctrl-C fires.
 * @example
 * const result = await interruptible((signal) => trainRun({ ...options, signal }));
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\naekit: stopping after this step (Ctrl-C again to quit at once)\n');
    interrupted = true;
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
