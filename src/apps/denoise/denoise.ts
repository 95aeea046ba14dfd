/**
 * Denoising with a trained autoencoder: corrupt clean rows with a noise spec, reconstruct them,
 * and measure how far the noisy and the denoised rows are from the clean ones.
 */
import { UsageError } from '../../errors.js';
import type { Autoencoder } from '../../models/autoencoder.js';
import { corrupt, type NoiseSpec } from '../../nn/noise.js';
import type { Matrix } from '../../data/dataset.js';
import { Prng } from '../../util/prng.js';
import { transformRows } from '../../run/transform.js';

/** How close the noisy input and the model's output are to the clean rows. */
export interface DenoiseMetrics {
  /** PSNR (dB, peak 1) of the noisy rows against the clean ones. */
  psnrNoisy: number;
  /** PSNR (dB, peak 1) of the denoised rows against the clean ones. */
  psnrDenoised: number;
  /** Mean over examples of the summed squared error of the noisy rows. */
  sseNoisy: number;
  /** Mean over examples of the summed squared error of the denoised rows. */
  sseDenoised: number;
}

/** The metrics, and the rows they were computed from. */
export interface DenoiseResult {
  metrics: DenoiseMetrics;
  noisy: Matrix;
  denoised: Matrix;
}

/**
 * Peak signal-to-noise ratio in dB: 10·log10(peak² / mse). Here mse is the mean over every value
 * of every row (sse / features), so the PSNR of a set is that of its pooled error.
 * @example
 * psnr(0.01); // 20
 */
export function psnr(mse: number, peak = 1): number {
  return 10 * Math.log10((peak * peak) / mse);
}

/** The mean over rows of the summed squared difference of two matrices of one shape. */
export function meanSse(a: Matrix, b: Matrix): number {
  if (a.n !== b.n || a.features !== b.features) throw new UsageError(`meanSse: shapes ${a.n}×${a.features} and ${b.n}×${b.features} differ`);
  let total = 0;
  for (let i = 0; i < a.x.length; i++) {
    const d = a.x[i] - b.x[i];
    total += d * d;
  }
  return total / a.n;
}

/**
 * A corrupted copy of `data`, from a PRNG seeded with `seed` (the same seed, the same noise).
 * @example
 * const noisy = corruptRows(test, parseNoise('mask:0.5'), 1);
 */
export function corruptRows(data: Matrix, spec: NoiseSpec, seed: number): Matrix {
  const x = data.x.slice();
  corrupt(x, spec, new Prng(seed));
  return { x, n: data.n, features: data.features };
}

/**
 * The model's reconstruction of each row: for a denoising autoencoder, the denoised rows.
 * @example
 * const clean = denoiseRows(model, noisy);
 */
export function denoiseRows(model: Autoencoder, noisy: Matrix): Matrix {
  return transformRows(model, 'reconstruct', noisy);
}

/**
 * Corrupts `clean` with `spec`, denoises it, and compares both with the clean rows.
 * @example
 * const { metrics } = denoiseEval(model, test, parseNoise('mask:0.5'));
 * metrics.psnrDenoised - metrics.psnrNoisy; // the gain in dB
 */
export function denoiseEval(model: Autoencoder, clean: Matrix, spec: NoiseSpec, seed = 0): DenoiseResult {
  const noisy = corruptRows(clean, spec, seed);
  const denoised = denoiseRows(model, noisy);
  return { metrics: denoiseMetrics(clean, noisy, denoised), noisy, denoised };
}

/**
 * How far noisy and denoised rows are from the clean ones: sse and PSNR of each.
 * @example
 * const { psnrDenoised } = denoiseMetrics(clean, noisy, denoiseRows(model, noisy));
 */
export function denoiseMetrics(clean: Matrix, noisy: Matrix, denoised: Matrix): DenoiseMetrics {
  const sseNoisy = meanSse(noisy, clean);
  const sseDenoised = meanSse(denoised, clean);
  return { psnrNoisy: psnr(sseNoisy / clean.features), psnrDenoised: psnr(sseDenoised / clean.features), sseNoisy, sseDenoised };
}
