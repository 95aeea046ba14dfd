/**
 * Which process is training a run. While a run trains, model.json names its process (pid, host
 * and, on Linux, its start time), so that a run whose process was killed, crashed or lost with its
 * machine can be told from one still going: the dashboard shows it as stopped, and a second
 * `aekit train` on the same folder is refused while the first still runs.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';

export const trainerSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  /**
   * Linux: the process's start time in clock ticks since boot (/proc/PID/stat). A pid is used
   * again by later processes (after a restart, soon); the start time tells them apart.
   */
  startTicks: z.number().int().nonnegative().optional(),
});

/** The process that writes a 'training' record. */
export type Trainer = z.infer<typeof trainerSchema>;

/** Linux: a process's state letter and start time from /proc/PID/stat; null where there is none. */
function procStat(pid: number): { state: string; startTicks: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (command) state ppid …": the command may hold spaces and parentheses; the fields after
  // its closing one are the state (field 3) up to the start time (field 22).
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]);
  return Number.isSafeInteger(startTicks) ? { state: fields[0], startTicks } : null;
}

/** This process, as a training record names it. */
export function currentTrainer(): Trainer {
  const stat = procStat(process.pid);
  return { pid: process.pid, host: hostname(), ...(stat ? { startTicks: stat.startTicks } : {}) };
}

/**
 * Whether the process a record names still runs: true or false when it can be told (the record
 * names a process of this host), null when not (another host, or a record written before aekit
 * named its trainer).
 * @param trainer the record's `trainer` field, as parsed or raw JSON.
 */
export function trainerRunning(trainer: unknown): boolean | null {
  const parsed = trainerSchema.safeParse(trainer);
  if (!parsed.success || parsed.data.host !== hostname()) return null;
  const { pid, startTicks } = parsed.data;
  if (startTicks !== undefined && procStat(process.pid) !== null) {
    const stat = procStat(pid);
    // Gone; a zombie (killed, its exit not yet collected by its parent); or the pid of a later process.
    return stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.startTicks === startTicks;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
