/**
 * Loss curves as SVG for the dashboard: one run's curves (train, validation, test sse), or several
 * runs on one plot, one series per run. Rendering a Vega-Lite plot takes tens of milliseconds, so
 * each SVG is kept until the files it was drawn from change (their mtimes and sizes are the key).
 */
import { lstatSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { runLossPoints } from '../run/loss-points.js';
import { lossCurveSpec, renderPlot, type SeriesPoint } from '../viz/plots.js';
import { fileUnder } from './safe-path.js';

/** Which loss a comparison plots per run. */
export type CompareCurve = 'train' | 'validation';

/** How many SVGs are kept; the oldest goes first. */
const CACHE_SIZE = 200;

/**
 * Draws and remembers loss plots of run folders.
 * @example
 * const plots = new LossPlots();
 * const svg = await plots.run('runs/deep', 'deep');
 */
export class LossPlots {
  private readonly cache = new Map<string, string>();
  private renders = 0;

  /** How many plots were rendered (not answered from the cache) so far. */
  get rendered(): number {
    return this.renders;
  }

  /** @param root the runs folder: a curve is drawn only from files that really lie under it. */
  constructor(private readonly root?: string) {}

  /** Whether the files a curve is drawn from are inside the runs folder, where they exist at all. */
  private readable(dir: string): boolean {
    return ['metrics.json', 'events.jsonl'].every((f) => !existsOrLink(join(dir, f)) || fileUnder(this.root ?? dir, join(dir, f)) !== null);
  }

  /**
   * One run's loss curves, or null when it has none (yet).
   * @param dir the run folder.
   * @param id its name, for the title.
   */
  async run(dir: string, id: string): Promise<string | null> {
    if (!this.readable(dir)) return null;
    return this.cached(`run|${id}|${stamp(dir)}`, () => {
      const points = runLossPoints(dir);
      return points.length === 0 ? null : lossCurveSpec(points, `Loss per epoch: ${id}`);
    });
  }

  /**
   * Several runs' loss on one plot, a series per run (named by its folder); runs without that
   * curve are left out. Null when none has it.
   * @param runs each run's folder and name.
   * @param curve which loss to plot: train or validation.
   */
  async compare(runs: { dir: string; id: string }[], curve: CompareCurve): Promise<string | null> {
    // One plot per set of runs: the order asked in and repeats do not make another render.
    runs = [...new Map(runs.map((r) => [r.id, r])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (runs.length === 1) return this.run(runs[0].dir, runs[0].id);
    const key = `compare|${curve}|${runs.map((r) => `${r.id}|${stamp(r.dir)}`).join('|')}`;
    return this.cached(key, () => {
      const points: SeriesPoint[] = [];
      for (const { dir, id } of runs.filter((r) => this.readable(r.dir))) {
        for (const p of runLossPoints(dir)) if (p.series === curve) points.push({ ...p, series: id });
      }
      return points.length === 0 ? null : lossCurveSpec(points, `${curve === 'train' ? 'Training' : 'Validation'} loss per epoch`);
    });
  }

  private async cached(key: string, spec: () => ReturnType<typeof lossCurveSpec> | null): Promise<string | null> {
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      // Refreshed as the newest, so the plots in use stay.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const made = spec();
    if (made === null) return null;
    this.renders++;
    const svg = await renderPlot(made);
    this.cache.set(key, svg);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return svg;
  }
}

/** What a run's curves are drawn from, as mtimes and sizes: it changes when they do. */
function stamp(dir: string): string {
  return ['metrics.json', 'events.jsonl'].map((f) => {
    let s: Stats | null = null;
    try {
      s = statSync(join(dir, f));
    } catch {
      // Not there (yet).
    }
    return s ? `${s.mtimeMs}:${s.size}` : '-';
  }).join('|');
}

function existsOrLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
