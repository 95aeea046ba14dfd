/**
 * Which process is training a run. While a run trains, model.json names its process (pid and
 * host), so that a run whose process was killed, crashed or lost with its machine can be told from
 * one still going: the dashboard shows it as stopped, and a second `aekit train` on the same
 * folder is refused while the first still runs.
 */
import { hostname } from 'node:os';
import { z } from 'zod';

export const trainerSchema = z.object({ pid: z.number().int().positive(), host: z.string() });

/** The process that writes a 'training' record. */
export type Trainer = z.infer<typeof trainerSchema>;

/** This process, as a training record names it. */
export function currentTrainer(): Trainer {
  return { pid: process.pid, host: hostname() };
}

/**
 * Whether the process a record names still runs: true or false when it can be told (the record
 * names a process of this host), null when not (another host, or a record written before aekit
 * named its trainer). A pid taken again by another process after a restart reads as running.
 * @param trainer the record's `trainer` field, as parsed or raw JSON.
 */
export function trainerRunning(trainer: unknown): boolean | null {
  const parsed = trainerSchema.safeParse(trainer);
  if (!parsed.success || parsed.data.host !== hostname()) return null;
  try {
    process.kill(parsed.data.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
