/**
 * The pictures of a VAE run: samples from the prior, spherical walks between test examples'
 * codes, the decoded latent grid of a 2-d code, and the KL of each code unit (which units the
 * model uses). Each with its title and row labels drawn in.
 */
import { writeFileAtomic } from '../io/atomic-write.js';
import { join } from 'node:path';
import type { Matrix } from '../data/dataset.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { klPerUnit, variationalParts } from '../training/likelihood.js';
import { type Figure, rowsFigure } from '../viz/figure.js';
import { klPerUnitSpec, renderPlot } from '../viz/plots.js';
import { writeSvgAsPng } from '../viz/raster.js';
import { interpolateExamples, latentGrid, sampleFromPrior, type Walk } from './generative.js';
import { imageShape, tileRow } from './pictures.js';

/** The files of a VAE's pictures. */
export const GENERATIVE_FILES = {
  samples: 'samples.png',
  interpolations: 'interpolations.png',
  latentGrid: 'latent-grid.png',
  klPerUnit: 'kl-per-unit.svg',
} as const;

/**
 * The figure of `count` samples, ten a row: codes from the prior, or with `mixtureComponents`
 * from a Gaussian mixture of that many components fitted to the training codes.
 * @example
 * writeSvgAsPng('samples.png', rowsFigure(samplesFigure(samples, [28, 28], 1)));
 */
export function samplesFigure(samples: Matrix, shape: [number, number], temperature: number, mixtureComponents?: number): Figure {
  const cols = Math.min(10, samples.n);
  const rows = Math.ceil(samples.n / cols);
  const source = mixtureComponents === undefined
    ? `the prior N(0, ${temperature === 1 ? 'I' : `${temperature}²I`})`
    : `a ${mixtureComponents}-component Gaussian mixture fitted to the training codes${temperature === 1 ? '' : ` (T = ${temperature})`}`;
  return {
    title: `${samples.n} samples: codes drawn from ${source}, decoded`,
    rows: Array.from({ length: rows }, (_, r) => tileRow('', samples.x.subarray(r * cols * samples.features, Math.min(samples.n, (r + 1) * cols) * samples.features), shape, cols)),
    caption: 'Each tile is the decoder\'s output for one code (for a sigmoid output, the Bernoulli pixel probabilities).',
  };
}

/**
 * The figure of walks between pairs of examples, a row each, labelled with the examples' indices.
 * @example
 * walksFigure([{ from: 0, to: 1, walk }], [28, 28]);
 */
export function walksFigure(walks: { from: number; to: number; walk: Walk }[], shape: [number, number]): Figure {
  const { kind, variational } = walks[0].walk;
  return {
    title: variational
      ? 'Spherical interpolation between test examples\' codes (posterior means), decoded'
      : 'Linear interpolation between test examples\' codes: a deterministic autoencoder (no prior)',
    rows: walks.map(({ from, to, walk }) => tileRow(`test ${from} → ${to}`, walk.outputs.x, shape, walk.outputs.n)),
    caption: variational
      ? 'Along the great circle between the two codes, their lengths blended (Gaussian codes lie near a sphere).'
      : `Straight (${kind}) steps between two codes; a deterministic code has holes where the decoder never learned.`,
  };
}

/**
 * Writes samples.png, interpolations.png, kl-per-unit.svg and, for a 2-d code, latent-grid.png
 * into a VAE's run folder; nothing for other models or data that are not images.
 * @returns the files written.
 */
export async function writeGenerativePictures(dir: string, model: Autoencoder, test: Matrix & { shape?: readonly number[] }): Promise<string[]> {
  if (!variationalParts(model) || test.n === 0) return [];
  const written: string[] = [];
  const shape = imageShape(test);
  if (shape) {
    const { samples } = sampleFromPrior(model, { count: 100, seed: 0 });
    writeSvgAsPng(join(dir, GENERATIVE_FILES.samples), rowsFigure(samplesFigure(samples, shape, 1)));
    const pairs = Math.min(5, Math.floor(test.n / 2));
    if (pairs > 0) {
      const walks = Array.from({ length: pairs }, (_, p) => ({ from: 2 * p, to: 2 * p + 1, walk: interpolateExamples(model, test, 2 * p, 2 * p + 1, 10) }));
      writeSvgAsPng(join(dir, GENERATIVE_FILES.interpolations), rowsFigure(walksFigure(walks, shape)));
    }
    written.push(GENERATIVE_FILES.samples, ...(pairs > 0 ? [GENERATIVE_FILES.interpolations] : []));
    if (model.codeSize === 2) {
      const size = 20;
      const grid = latentGrid(model, size);
      writeSvgAsPng(join(dir, GENERATIVE_FILES.latentGrid), rowsFigure({
        title: `The learned manifold: a ${size}x${size} grid of 2-d codes at the prior's quantiles, decoded`,
        rows: Array.from({ length: size }, (_, r) => tileRow('', grid.x.subarray(r * size * grid.features, (r + 1) * size * grid.features), shape, size)),
        caption: 'Column c, row r decodes z = (Φ⁻¹((c + ½)/n), Φ⁻¹(1 − (r + ½)/n)): each cell holds the same prior mass.',
      }));
      written.push(GENERATIVE_FILES.latentGrid);
    }
  }
  writeFileAtomic(join(dir, GENERATIVE_FILES.klPerUnit), await renderPlot(klPerUnitSpec(klPerUnit(model, test))));
  written.push(GENERATIVE_FILES.klPerUnit);
  return written;
}
