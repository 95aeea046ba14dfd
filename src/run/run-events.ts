/**
 * events.jsonl: what a training run has done so far, one JSON object a line, appended as it
 * happens (start, each epoch's losses, the end), so that a dashboard watching the run folder can
 * draw the run live and a report can draw a run that is still training.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from '../io/run-folder.js';

/** One line of events.jsonl. `time` is milliseconds since 1970 (Date.now()). */
export type RunEvent =
  | { type: 'start'; time: number; epochs: number; preset: string | null }
  | {
    type: 'epoch'; time: number; epoch: number; epochs: number; trainLoss: number; valLoss: number | null; seconds: number;
    /** The test set's sse after this epoch, with --test-curve. */
    testSse?: number;
  }
  | { type: 'end'; time: number; status: 'done' | 'aborted' };

/**
 * Appends an event to the run folder's events.jsonl. One write of one line: a reader sees whole
 * lines, or a last line still being written, which readRunEvents skips.
 * @param dir the run folder.
 * @param event what happened.
 * @example
 * appendRunEvent('runs/deep', { type: 'end', time: Date.now(), status: 'done' });
 */
export function appendRunEvent(dir: string, event: RunEvent): void {
  appendFileSync(join(dir, RUN_FILES.events), `${JSON.stringify(event)}\n`);
}

/**
 * The events of a run folder, in order; none when it has no events.jsonl. Lines that are not
 * whole JSON objects (a line cut by a crash, or still being written) are skipped.
 * @param dir the run folder.
 * @example
 * const epochs = readRunEvents('runs/deep').filter((e) => e.type === 'epoch');
 */
export function readRunEvents(dir: string): RunEvent[] {
  const path = join(dir, RUN_FILES.events);
  if (!existsSync(path)) return [];
  return parseRunEvents(readFileSync(path, 'utf8'));
}

/**
 * Parses the text of an events.jsonl file, skipping lines that are not whole events.
 * @param text the file's text.
 * @example
 * parseRunEvents('{"type":"end","time":0,"status":"done"}\n');
 */
export function parseRunEvents(text: string): RunEvent[] {
  const events: RunEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') events.push(value as RunEvent);
    } catch {
      // A partial last line: the writer has not finished it, or was killed while writing it.
    }
  }
  return events;
}
