/**
 * Timing im2col + GEMM against the direct kernels on one convolution pass, for `aekit tune`
 * (src/apps/tune/tune.ts). The whole tuning must take a second or two, so each shape is timed
 * only until one algorithm clearly wins (an obvious winner after two pairs of calls, a clear one
 * after three), five pairs at most, on buffers shared by all shapes. A close call matters little
 * either way and is where noise decides, so it keeps the built-in rule's choice. Shapes are timed at the batch they train with: a smaller batch would be
 * quicker but not surely representative, since a whole batch's grid or columns may fit the caches
 * at 8 images and not at 32 (on a loaded Zen 5 the direct filter gradient of one SegNet layer took
 * 14 times as long at 32 images as at 8, for 4 times the work).
 */
import type { Activation, ConvGeometry } from '../backend.js';
import type { ConvAlgorithm, ConvChoice, ConvPass } from './tuning.js';

/** The kernels a measurement calls: the Backend's convolution passes. */
export interface ConvKernels {
  conv2dForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, g: ConvGeometry, act: Activation, slope: number): void;
  conv2dBackwardInput(dy: Float32Array, w: Float32Array, dx: Float32Array, g: ConvGeometry, beta: number): void;
  conv2dBackwardFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, g: ConvGeometry, beta: number): void;
}

/**
 * How training calls a forward pass: a layer's forward adds its bias and applies its activation
 * (which im2col does in a pass of its own and the direct kernel while writing), a transposed
 * convolution's input gradient does neither. A shape met both ways is timed both ways, summed.
 */
export interface ForwardCall { activation: Activation; slope: number; bias: boolean }

/** The forward call of an input gradient: no bias, no activation. */
export const PLAIN_FORWARD: ForwardCall = { activation: 'identity', slope: 0, bias: false };

/** How long to measure. */
export interface TimingOptions {
  /** Clean repetitions at most (one call of each algorithm each), for close calls. */
  maxReps?: number;
  /** A winner is clear after two clean repetitions when both ratios are beyond this factor on one side. */
  obviousFactor?: number;
  /** ...or after three when the ratio of the fastest times is beyond this one and the median ratio agrees. */
  clearFactor?: number;
}

const DEFAULTS: Required<TimingOptions> = { maxReps: 5, obviousFactor: 1.5, clearFactor: 1.15 };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const imageSize = (g: ConvGeometry) => g.inChannels * g.inHeight * g.inWidth;
const outputSize = (g: ConvGeometry) => g.outChannels * g.outHeight * g.outWidth;
const weightSize = (g: ConvGeometry) => g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW;

/**
 * Buffers for timing convolutions, shared by every shape and grown on demand: inputs filled once
 * with values in [-0.5, 0.5), outputs apart from them so that no result feeds a later call.
 */
export class ConvWorkspace {
  private inputs = new Float32Array(0);
  private output = new Float32Array(0);

  /** Views for one geometry: x, dy and w read, `out` written (sized for the largest of them). */
  views(g: ConvGeometry): { x: Float32Array; dy: Float32Array; w: Float32Array; bias: Float32Array; out: Float32Array } {
    const xs = g.batch * imageSize(g), ys = g.batch * outputSize(g), ws = weightSize(g) + g.outChannels;
    if (this.inputs.length < xs + ys + ws) {
      this.inputs = new Float32Array(xs + ys + ws);
      // A cheap spread of values (an LCG), not zeros: no kernel may take a shortcut on them.
      let s = 12345;
      for (let i = 0; i < this.inputs.length; i++) {
        s = (Math.imul(s, 1103515245) + 12345) | 0;
        this.inputs[i] = ((s >>> 8) & 0xffff) / 65536 - 0.5;
      }
    }
    if (this.output.length < Math.max(xs, ys, ws)) this.output = new Float32Array(Math.max(xs, ys, ws));
    return {
      x: this.inputs.subarray(0, xs), dy: this.inputs.subarray(xs, xs + ys), w: this.inputs.subarray(xs + ys, xs + ys + ws - g.outChannels),
      bias: this.inputs.subarray(xs + ys + ws - g.outChannels, xs + ys + ws), out: this.output,
    };
  }
}

/**
 * Times im2col and direct on one pass and geometry, alternating them call by call with the order
 * flipped every other repetition, and picks the one whose fastest call was faster when it wins
 * clearly (else the rule's). Delays from a
 * shared machine only ever add time, so the fastest of a few calls is the undisturbed time; the
 * median of per-repetition ratios must agree before a measurement stops early. There is no
 * separate warm-up: a first call that grows scratch buffers is slower, which can only delay an
 * early stop (its ratio disagrees with the others) or exaggerate the true winner's lead, and the
 * fastest calls ignore it. A forward pass is timed as each of `forwards` (summed), the ways a
 * training step calls it. `force` switches the addon's algorithm; it is back on 'auto' afterwards.
 */
export function measureConvChoice(kernels: ConvKernels, force: (algo: 'auto' | ConvAlgorithm) => void, rule: ConvAlgorithm,
  pass: ConvPass, g: ConvGeometry, workspace = new ConvWorkspace(), options: TimingOptions = {},
  forwards: readonly ForwardCall[] = [PLAIN_FORWARD]): ConvChoice {
  const o = { ...DEFAULTS, ...options };
  const { x, dy, w, bias, out } = workspace.views(g);
  const call = pass === 'forward' ? () => { for (const f of forwards) kernels.conv2dForward(x, w, f.bias ? bias : null, out, g, f.activation, f.slope); }
    : pass === 'backwardInput' ? () => kernels.conv2dBackwardInput(dy, w, out, g, 0)
      : () => kernels.conv2dBackwardFilter(x, dy, out, g, 0);
  const run = (algo: ConvAlgorithm): number => {
    force(algo);
    const t0 = performance.now();
    call();
    return performance.now() - t0;
  };
  try {
    let bestIm2col = Infinity, bestDirect = Infinity, decided = false;
    const a: number[] = [], b: number[] = [], ratios: number[] = [];
    for (let r = 0; r < o.maxReps; r++) {
      const first = r % 2 === 0 ? 'im2col' : 'direct';
      const t1 = run(first), t2 = run(first === 'im2col' ? 'direct' : 'im2col');
      const [im2col, direct] = first === 'im2col' ? [t1, t2] : [t2, t1];
      a.push(im2col);
      b.push(direct);
      ratios.push(im2col / direct);
      bestIm2col = Math.min(bestIm2col, im2col);
      bestDirect = Math.min(bestDirect, direct);
      const beyond = (f: number) => (v: number) => v > f || v < 1 / f;
      const sameSide = ratios.every((v) => v > 1) || ratios.every((v) => v < 1);
      const obvious = ratios.length >= 2 && sameSide && ratios.every(beyond(o.obviousFactor));
      const best = bestIm2col / bestDirect;
      const clear = ratios.length >= 3 && beyond(o.clearFactor)(best) && (median(ratios) > 1) === (best > 1);
      decided = obvious || clear;
      if (decided) break;
    }
    return {
      pass, geometry: { ...g }, algorithm: !decided ? rule : bestIm2col > bestDirect ? 'direct' : 'im2col', rule,
      im2colMs: bestIm2col, directMs: bestDirect, reps: ratios.length,
    };
  } finally {
    force('auto');
  }
}
