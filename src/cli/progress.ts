/**
 * The training progress line on stderr: a bar redrawn in place on a terminal, one line per
 * epoch elsewhere (logs, CI, --json runs).
 */
import type { TrainingEvent } from '../training/fit.js';

/** Seconds as "1m05s" or "42s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * A reporter for `fit`'s events.
 * @param stream where to draw (stderr)
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): (event: TrainingEvent) => void {
  const interactive = stream.isTTY === true;
  let lastDraw = 0;
  let lastVal: number | null = null;
  return (event) => {
    if (event.type === 'step') {
      const now = Date.now();
      if (!interactive || (now - lastDraw < 100 && event.step !== event.totalSteps)) return;
      lastDraw = now;
      const width = 24;
      const filled = Math.round((event.step / event.totalSteps) * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const val = lastVal === null ? '' : ` val ${lastVal.toFixed(3)}`;
      stream.write(`\r\x1b[2Kepoch ${event.epoch}/${event.epochs} ${bar} step ${event.step}/${event.totalSteps} loss ${event.loss.toFixed(3)}${val} ${Math.round(event.samplesPerSecond)} samples/s ETA ${formatDuration(event.etaSeconds)}`);
      return;
    }
    lastVal = event.valLoss;
    const val = event.valLoss === null ? '' : ` val ${event.valLoss.toFixed(4)}${event.best ? ' *' : ''}`;
    if (interactive) stream.write('\r\x1b[2K');
    stream.write(`epoch ${event.epoch}/${event.epochs} train ${event.trainLoss.toFixed(4)}${val} (${event.seconds.toFixed(1)}s)\n`);
  };
}

/**
 * A reporter of long work counted in items (e.g. test examples scored): a line redrawn in place on
 * a terminal; elsewhere (logs, --json runs) a line every half minute, so work done in less stays
 * quiet and a long estimate in a log still shows that it moves.
 * @param what the items, e.g. "test examples"
 * @param stream where to draw (stderr)
 * @param logEverySeconds the interval of the lines written off a terminal
 */
export function countReporter(what: string, stream: NodeJS.WriteStream = process.stderr, logEverySeconds = 30): (done: number, total: number) => void {
  const interactive = stream.isTTY === true;
  const started = Date.now();
  let lastDraw = interactive ? 0 : started;
  return (done, total) => {
    const now = Date.now();
    const due = interactive ? now - lastDraw >= 200 || done === total : now - lastDraw >= logEverySeconds * 1000 && done !== total;
    if (!due) return;
    lastDraw = now;
    const eta = done > 0 ? ((now - started) / 1000) * (total - done) / done : Number.NaN;
    const line = `${done}/${total} ${what} ETA ${formatDuration(eta)}`;
    stream.write(interactive ? `\r\x1b[2K${line}${done === total ? '\n' : ''}` : `${line}\n`);
  };
}
