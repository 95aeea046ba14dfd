/**
 * Choices that depend on the machine, measured on it and cached per CPU. Today: per convolution
 * pass and shape, im2col + GEMM or the direct kernels. `aekit tune` measures the shapes of the
 * models aekit trains (a second or two) and writes them to a small JSON file in the user's cache
 * folder; the native backend applies the file when it loads, and ignores it when it was measured
 * on another CPU (model name, family, model number) or ISA, with another build of the kernels,
 * or while other work held the cores.
 * Without a file the addon's built-in rule decides (measured on the project's machines). The choice depends on the shape alone, never
 * on timing during training, so a run gives the same bytes run after run on one machine.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, homedir, platform } from 'node:os';
import { join } from 'node:path';
import type { ConvGeometry } from '../backend.js';

/** A convolution's three passes, in the order of the addon's ConvPass. */
export const CONV_PASSES = ['forward', 'backwardInput', 'backwardFilter'] as const;
export type ConvPass = (typeof CONV_PASSES)[number];
export type ConvAlgorithm = 'im2col' | 'direct';

/**
 * One measured choice for a pass and geometry (at the batch it trains with; the addon applies the
 * choice at any batch): the fastest call of each algorithm in milliseconds.
 */
export interface ConvChoice {
  pass: ConvPass;
  geometry: ConvGeometry;
  algorithm: ConvAlgorithm;
  /** What the built-in rule picks for it. */
  rule: ConvAlgorithm;
  im2colMs: number;
  directMs: number;
  /** Timed repetitions of each algorithm (files of earlier versions have none). */
  reps?: number;
}

/** The CPU a tuning belongs to. */
export interface CpuIdentity { name: string; family: number | null; model: number | null; isa: string }

/** The cache file's content. */
export interface TuningFile {
  format: 'aekit-tuning';
  version: 1;
  cpu: CpuIdentity;
  /** The digest of the addon whose kernels were timed (absent in files of earlier versions). */
  kernels?: string;
  measuredAt: string;
  /** Whether other work held the cores while measuring (absent in files of earlier versions). */
  contended?: boolean;
  conv: ConvChoice[];
}

/** What happened to the cache when the backend loaded: applied, absent, or ignored (and why). */
export type TuningStatus =
  | { state: 'applied'; path: string; choices: number }
  | { state: 'absent'; path: string }
  | { state: 'ignored'; path: string; reason: string }
  | { state: 'off' };

/** The addon's part in tuning (see native/binding_images.cc). */
export interface TuningAddon {
  setConvTuned(pass: number, sizes: number[], algo: number): void;
  clearConvTuned(): void;
  convRule(pass: number, sizes: number[]): ConvAlgorithm;
}

/**
 * The cache file: $AEKIT_CACHE_DIR/tuning.json, else the platform's cache folder
 * ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows)/aekit.
 */
export function tuningPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AEKIT_CACHE_DIR) return join(env.AEKIT_CACHE_DIR, 'tuning.json');
  const base = platform() === 'darwin' ? join(homedir(), 'Library', 'Caches')
    : platform() === 'win32' ? (env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'))
      : (env.XDG_CACHE_HOME ?? join(homedir(), '.cache'));
  return join(base, 'aekit', 'tuning.json');
}

/** This CPU: the model name and, on Linux, the family and model numbers that tell core generations apart. */
export function cpuIdentity(isa: string): CpuIdentity {
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // Not Linux: the name from the OS is all there is.
  }
  const field = (key: string): string | undefined => new RegExp(`^${key}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const number = (key: string): number | null => (field(key) === undefined ? null : Number(field(key)));
  return { name: field('model name') ?? cpus()[0]?.model ?? 'unknown', family: number('cpu family'), model: number('model'), isa };
}

/** In native/kernels.h's ConvGeom order. */
export function convSizes(g: ConvGeometry): number[] {
  return [g.batch, g.inChannels, g.inHeight, g.inWidth, g.outChannels, g.outHeight, g.outWidth, g.kernelH, g.kernelW,
    g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.groups];
}

function sameCpu(a: CpuIdentity, b: CpuIdentity): boolean {
  return a.name === b.name && a.family === b.family && a.model === b.model && a.isa === b.isa;
}

/**
 * Applies the cache file's choices to the addon when it was measured on this CPU and ISA, with
 * this build of the kernels (`kernels`, the addon's digest: new kernels change which algorithm
 * wins), on cores no other work held.
 * AEKIT_TUNING=off skips it (the built-in rule alone). Never throws: a cache that cannot be read
 * is ignored, and the status says why.
 */
export function applyTuning(addon: TuningAddon, build: { isa: string; kernels: string }, env: NodeJS.ProcessEnv = process.env): TuningStatus {
  if (env.AEKIT_TUNING === 'off') return { state: 'off' };
  const path = tuningPath(env);
  let file: TuningFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as TuningFile;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { state: 'absent', path } : { state: 'ignored', path, reason: `unreadable: ${(e as Error).message}` };
  }
  if (file?.format !== 'aekit-tuning' || file.version !== 1 || !Array.isArray(file.conv)) return { state: 'ignored', path, reason: 'not an aekit tuning file of version 1' };
  if (file.contended === true) return { state: 'ignored', path, reason: 'measured while other work held the cores; run aekit tune again when the machine is quiet' };
  const here = cpuIdentity(build.isa);
  if (!file.cpu || !sameCpu(file.cpu, here)) {
    return { state: 'ignored', path, reason: `measured on ${file.cpu?.name} (family ${file.cpu?.family}, model ${file.cpu?.model}, ${file.cpu?.isa}), this is ${here.name} (family ${here.family}, model ${here.model}, ${here.isa})` };
  }
  if (file.kernels !== build.kernels) {
    return { state: 'ignored', path, reason: `measured with another build of the native kernels (${file.kernels ?? 'unrecorded'}, this is ${build.kernels}); run aekit tune again` };
  }
  const applied = installConvChoices(addon, file.conv);
  return { state: 'applied', path, choices: applied };
}

/**
 * Makes `choices` the addon's measured choices, in place of any it held (an empty list leaves the
 * built-in rule alone in force). Entries it cannot use (a hand-edited file) are skipped.
 * @returns how many choices were taken
 */
export function installConvChoices(addon: Pick<TuningAddon, 'setConvTuned' | 'clearConvTuned'>, choices: readonly ConvChoice[]): number {
  addon.clearConvTuned();
  let applied = 0;
  for (const c of choices) {
    const pass = CONV_PASSES.indexOf(c.pass);
    if (pass < 0 || (c.algorithm !== 'im2col' && c.algorithm !== 'direct')) continue;
    try {
      addon.setConvTuned(pass, convSizes(c.geometry), c.algorithm === 'im2col' ? 1 : 2);
      applied++;
    } catch {
      // A geometry the addon refuses is skipped.
    }
  }
  return applied;
}

/** Writes the cache file atomically (a reader never sees half of it). Returns its path. */
export function writeTuning(file: TuningFile, env: NodeJS.ProcessEnv = process.env): string {
  const path = tuningPath(env);
  mkdirSync(join(path, '..'), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(file, null, 1)}\n`);
  renameSync(temp, path);
  return path;
}
