/**
 * Plots as SVG documents, drawn by Vega-Lite (compiled to Vega, rendered in Node without a
 * browser or canvas). Each function takes plain numbers and returns a spec; renderPlot turns a
 * spec into SVG. Knows nothing of models: callers pass the curves.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY } from './raster.js';

/** A point of a named series: loss per epoch, precision per recall, and so on. */
export interface SeriesPoint {
  series: string;
  x: number;
  y: number;
}

/** Shared look: the font resvg has, a white background, sizes that read at 100%. */
const CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  view: { continuousWidth: 420, continuousHeight: 260 },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
  title: { fontSize: 14, anchor: 'start' as const },
};

/**
 * Renders a Vega-Lite spec to an SVG document.
 * @param spec the plot.
 * @example
 * const svg = await renderPlot(lossCurveSpec([{ series: 'train', x: 1, y: 0.5 }]));
 */
export async function renderPlot(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile({ ...spec, config: { ...CONFIG, ...spec.config } }).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Loss per epoch, one line per series (train, validation, test sse; or one per run when runs
 * are compared), points marked so a curve of one epoch still shows.
 * @param points the curves: series name, epoch, loss.
 * @param title the plot's title.
 * @param yTitle the loss axis' title; default 'loss'.
 * @example
 * lossCurveSpec([{ series: 'train', x: 1, y: 80 }, { series: 'train', x: 2, y: 61 }], 'runs/deep');
 */
export function lossCurveSpec(points: SeriesPoint[], title = 'Loss per epoch', yTitle = 'loss'): TopLevelSpec {
  return {
    title,
    data: { values: points },
    mark: { type: 'line', point: true, clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, sort: null },
    },
  };
}

/**
 * 2-D codes coloured by label, one panel per set of codes (e.g. PCA's and an autoencoder's),
 * each panel titled.
 * @param panels a title and the n points (x, y interleaved) of each panel.
 * @param labels one class per point, shared by the panels; absent: one colour.
 * @example
 * latentScatterSpec([{ title: 'PCA', points: pcaCodes }, { title: 'deep autoencoder', points: codes }], labels);
 */
export function latentScatterSpec(panels: { title: string; points: ArrayLike<number> }[], labels?: ArrayLike<number>): TopLevelSpec {
  const values = panels.flatMap((panel) => Array.from({ length: panel.points.length / 2 }, (_, i) => ({
    panel: panel.title, x: panel.points[2 * i], y: panel.points[2 * i + 1], label: labels ? String(labels[i]) : 'all',
  })));
  return {
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels.map((p) => p.title), header: { labelFontSize: 13, labelFontWeight: 'bold' } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 300,
      height: 300,
      mark: { type: 'circle', size: 6, opacity: 0.7 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'code unit 1', scale: { zero: false } },
        y: { field: 'y', type: 'quantitative', title: 'code unit 2', scale: { zero: false } },
        color: { field: 'label', type: 'nominal', title: 'label', scale: { scheme: 'category10' } },
      },
    },
  };
}

/**
 * The histogram of code units' mean activations ρ̂_j with the sparsity target ρ marked.
 * @param means each code unit's mean activation over the test set.
 * @param rho the target.
 * @example
 * activationHistogramSpec([0.04, 0.06, 0.05], 0.05);
 */
export function activationHistogramSpec(means: ArrayLike<number>, rho: number): TopLevelSpec {
  // From 0, so that the target and the distance of the units from it both show.
  const top = Math.max(rho, ...Array.from(means)) * 1.05;
  return {
    title: `Mean activation of each code unit (target ρ = ${rho})`,
    layer: [
      {
        data: { values: Array.from(means, (v) => ({ v })) },
        mark: 'bar',
        encoding: {
          x: { field: 'v', type: 'quantitative', bin: { maxbins: 50, extent: [0, top] }, title: 'mean activation ρ̂ over the test set' },
          y: { aggregate: 'count', type: 'quantitative', title: 'code units' },
        },
      },
      {
        data: { values: [{ rho, label: `ρ = ${rho}` }] },
        layer: [
          { mark: { type: 'rule', color: '#d62728', strokeWidth: 2 }, encoding: { x: { field: 'rho', type: 'quantitative' } } },
          {
            mark: { type: 'text', color: '#d62728', align: 'left', dx: 4, baseline: 'top', y: 4 },
            encoding: { x: { field: 'rho', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    ],
  };
}

/**
 * The KL sparsity penalty Ω(ρ̂) = ρ log(ρ/ρ̂) + (1−ρ) log((1−ρ)/(1−ρ̂)) of one unit against its
 * mean activation ρ̂, for a target ρ: zero at ρ̂ = ρ, growing without bound towards 0 and 1.
 * @param rho the target, in (0, 1).
 * @param points samples of ρ̂ across (0, 1); default 199.
 * @example
 * klPenaltySpec(0.05);
 */
export function klPenaltySpec(rho: number, points = 199): TopLevelSpec {
  const values = Array.from({ length: points }, (_, i) => {
    const p = (i + 1) / (points + 1);
    return { p, omega: rho * Math.log(rho / p) + (1 - rho) * Math.log((1 - rho) / (1 - p)) };
  });
  return {
    title: `KL sparsity penalty of one unit, target ρ = ${rho}`,
    data: { values },
    mark: 'line',
    encoding: {
      x: { field: 'p', type: 'quantitative', title: 'mean activation ρ̂' },
      y: { field: 'omega', type: 'quantitative', title: 'Ω(ρ̂) = KL(ρ ‖ ρ̂)', scale: { type: 'symlog' } },
    },
  };
}

/**
 * Curves of y against x per series with both axes on [0, 1]: precision–recall for retrieval
 * (x recall, y precision) and ROC for anomaly scores (x false positive rate, y true positive rate).
 * @param points the curves.
 * @param title the plot's title.
 * @param axes the x and y axis titles.
 * @example
 * unitCurveSpec(points, 'ROC, digit 3 normal', ['false positive rate', 'true positive rate']);
 */
export function unitCurveSpec(points: SeriesPoint[], title: string, axes: [string, string]): TopLevelSpec {
  return {
    title,
    data: { values: points.map((p, i) => ({ ...p, i })) },
    mark: 'line',
    encoding: {
      x: { field: 'x', type: 'quantitative', title: axes[0], scale: { domain: [0, 1] } },
      y: { field: 'y', type: 'quantitative', title: axes[1], scale: { domain: [0, 1] } },
      color: { field: 'series', type: 'nominal', title: null, sort: null },
      // The curves come in threshold order; a ROC curve can rise at one x, so keep that order.
      order: { field: 'i', type: 'quantitative' },
    },
  };
}

/**
 * A bar per code unit: its KL(q(z_j | x) ‖ N(0, 1)) averaged over the test set, in nats, the units
 * sorted from most to least used; a dashed line at 0.01 nats, below which a unit is taken as unused.
 * @param perUnit each unit's mean KL.
 * @example
 * klPerUnitSpec([3.2, 0.001, 1.4]);
 */
export function klPerUnitSpec(perUnit: ArrayLike<number>): TopLevelSpec {
  const order = Array.from(perUnit, (kl, unit) => ({ unit, kl })).sort((a, b) => b.kl - a.kl);
  const used = order.filter((u) => u.kl >= 0.01).length;
  return {
    title: `KL per code unit on the test set: ${used} of ${order.length} units carry information (≥ 0.01 nats)`,
    layer: [
      {
        data: { values: order.map((u, rank) => ({ ...u, rank })) },
        mark: 'bar',
        encoding: {
          x: { field: 'rank', type: 'ordinal', title: 'code unit, from most to least used', axis: { labels: order.length <= 64, labelAngle: 0 }, sort: null },
          y: { field: 'kl', type: 'quantitative', title: 'mean KL(q(z_j | x) ‖ N(0, 1)), nats' },
          tooltip: [{ field: 'unit', type: 'quantitative' }, { field: 'kl', type: 'quantitative', format: '.3f' }],
        },
      },
      { data: { values: [{ y: 0.01 }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#d62728' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
    ],
  };
}
