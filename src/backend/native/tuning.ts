/**
 * Choices that depend on the machine, measured on it and cached per CPU. Today: per convolution
 * pass and shape, im2col + GEMM or the direct kernels. `aekit tune` measures the shapes of the
 * models aekit trains (a second or two) and writes them to a small JSON file in the user's cache
 * folder; the native backend applies the file when it loads, and ignores it when it was measured
 * on another CPU (model name, family, model number) or ISA. Without a file the addon's built-in
 * rule decides (measured on the project's machines). The choice depends on the shape alone, never
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

/** One measured choice: median milliseconds of each algorithm on the geometry (batch included, as measured). */
export interface ConvChoice {
  pass: ConvPass;
  geometry: ConvGeometry;
  algorithm: ConvAlgorithm;
  /** What the built-in rule picks for it. */
  rule: ConvAlgorithm;
  im2colMs: number;
  directMs: number;
}

/** The CPU a tuning belongs to. */
export interface CpuIdentity { name: string; family: number | null; model: number | null; isa: string }

/** The cache file's content. */
export interface TuningFile { format: 'aekit-tuning'; version: 1; cpu: CpuIdentity; measuredAt: string; conv: ConvChoice[] }

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
 * Applies the cache file's choices to the addon when it was measured on this CPU and ISA.
 * AEKIT_TUNING=off skips it (the built-in rule alone). Never throws: a cache that cannot be read
 * is ignored, and the status says why.
 */
export function applyTuning(addon: TuningAddon, isa: string, env: NodeJS.ProcessEnv = process.env): TuningStatus {
  if (env.AEKIT_TUNING === 'off') return { state: 'off' };
  const path = tuningPath(env);
  let file: TuningFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as TuningFile;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { state: 'absent', path } : { state: 'ignored', path, reason: `unreadable: ${(e as Error).message}` };
  }
  if (file?.format !== 'aekit-tuning' || file.version !== 1 || !Array.isArray(file.conv)) return { state: 'ignored', path, reason: 'not an aekit tuning file of version 1' };
  const here = cpuIdentity(isa);
  if (!file.cpu || !sameCpu(file.cpu, here)) {
    return { state: 'ignored', path, reason: `measured on ${file.cpu?.name} (family ${file.cpu?.family}, model ${file.cpu?.model}, ${file.cpu?.isa}), this is ${here.name} (family ${here.family}, model ${here.model}, ${here.isa})` };
  }
  addon.clearConvTuned();
  let applied = 0;
  for (const c of file.conv) {
    const pass = CONV_PASSES.indexOf(c.pass);
    if (pass < 0 || (c.algorithm !== 'im2col' && c.algorithm !== 'direct')) continue;
    try {
      addon.setConvTuned(pass, convSizes(c.geometry), c.algorithm === 'im2col' ? 1 : 2);
      applied++;
    } catch {
      // A geometry the addon refuses (a hand-edited file) is skipped.
    }
  }
  return { state: 'applied', path, choices: applied };
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

/** The kernels a measurement calls: the Backend's convolution passes. */
interface ConvKernels {
  conv2dForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, g: ConvGeometry, act: 'identity', slope: number): void;
  conv2dBackwardInput(dy: Float32Array, w: Float32Array, dx: Float32Array, g: ConvGeometry, beta: number): void;
  conv2dBackwardFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, g: ConvGeometry, beta: number): void;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Times im2col and direct on one pass and geometry, alternating them call by call (the order
 * flipped every other repetition, so a shared machine's drift hits both), and picks the faster by
 * the median of per-repetition ratios. `force` switches the addon's algorithm.
 */
export function measureConvChoice(kernels: ConvKernels, force: (algo: 'auto' | ConvAlgorithm) => void, rule: ConvAlgorithm,
  pass: ConvPass, g: ConvGeometry, reps = 5): ConvChoice {
  const xSize = g.batch * g.inChannels * g.inHeight * g.inWidth, ySize = g.batch * g.outChannels * g.outHeight * g.outWidth;
  const x = Float32Array.from({ length: xSize }, (_, i) => ((i * 7919) % 997) / 997 - 0.5);
  const y = Float32Array.from({ length: ySize }, (_, i) => ((i * 104729) % 991) / 991 - 0.5);
  const w = Float32Array.from({ length: g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW }, (_, i) => ((i * 31) % 101) / 101 - 0.5);
  const dw = new Float32Array(w.length);
  const run = (algo: ConvAlgorithm): number => {
    force(algo);
    const t0 = performance.now();
    if (pass === 'forward') kernels.conv2dForward(x, w, null, y, g, 'identity', 0);
    else if (pass === 'backwardInput') kernels.conv2dBackwardInput(y, w, x, g, 0);
    else kernels.conv2dBackwardFilter(x, y, dw, g, 0);
    return performance.now() - t0;
  };
  try {
    run('im2col');
    run('direct');
    const a: number[] = [], b: number[] = [], ratios: number[] = [];
    for (let r = 0; r < reps; r++) {
      let im2col: number, direct: number;
      if (r % 2 === 0) {
        im2col = run('im2col');
        direct = run('direct');
      } else {
        direct = run('direct');
        im2col = run('im2col');
      }
      a.push(im2col);
      b.push(direct);
      ratios.push(im2col / direct);
    }
    return { pass, geometry: g, algorithm: median(ratios) > 1 ? 'direct' : 'im2col', rule, im2colMs: median(a), directMs: median(b) };
  } finally {
    force('auto');
  }
}
