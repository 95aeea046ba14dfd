/**
 * Scatter plots of labelled 2-D points as an RGB image: one or more panels side by side, each
 * with a frame and its zero axes, points coloured by class, and a legend of coloured dots with
 * the class numbers. Knows nothing of models: it draws points.
 */
import { UsageError } from '../errors.js';
import type { Image } from './png.js';

/** Ten colours that stay apart on white (matplotlib's "tab10"), as RGB in [0, 1]. */
export const CLASS_COLOURS: readonly (readonly [number, number, number])[] = [
  [0x1f, 0x77, 0xb4], [0xff, 0x7f, 0x0e], [0x2c, 0xa0, 0x2c], [0xd6, 0x27, 0x28], [0x94, 0x67, 0xbd],
  [0x8c, 0x56, 0x4b], [0xe3, 0x77, 0xc2], [0x7f, 0x7f, 0x7f], [0xbc, 0xbd, 0x22], [0x17, 0xbe, 0xcf],
].map(([r, g, b]) => [r / 255, g / 255, b / 255] as const);

/** One panel's points. */
export interface ScatterPanel {
  /** n points as interleaved (x, y) pairs: 2n values. */
  points: ArrayLike<number>;
  /** One class per point (0..9 get distinct colours; others wrap around); all class 0 when absent. */
  labels?: ArrayLike<number>;
}

/** Layout of the plot. */
export interface ScatterOptions {
  /** Side of each square panel in pixels; default 360. */
  size?: number;
  /** Half-width of each point's square dot in pixels (0 is a single pixel); default 1. */
  radius?: number;
  /**
   * Share of points left outside the view at each end of each axis, so that a few outliers do not
   * squeeze the rest into a corner; default 0.005 (the view spans the 0.5th to 99.5th percentiles).
   */
  clip?: number;
  /** Draw the legend of class colours on the right; default true when any panel has labels. */
  legend?: boolean;
}

const MARGIN = 12;
const LEGEND_WIDTH = 44;

/**
 * Draws the panels left to right.
 * @param panels the point sets, one panel each.
 * @param options sizes and view.
 * @example
 * const image = scatterPlot([{ points: pcaCodes, labels }, { points: aeCodes, labels }]);
 * writePng('codes.png', image);
 */
export function scatterPlot(panels: ScatterPanel[], options: ScatterOptions = {}): Image {
  if (panels.length === 0) throw new UsageError('scatterPlot: no panels');
  const size = options.size ?? 360;
  const radius = options.radius ?? 1;
  const legend = options.legend ?? panels.some((p) => p.labels !== undefined);
  const width = panels.length * (size + MARGIN) + MARGIN + (legend ? LEGEND_WIDTH : 0);
  const height = size + 2 * MARGIN;
  const image: Image = { width, height, channels: 3, data: new Float32Array(width * height * 3).fill(1) };
  panels.forEach((panel, i) => drawPanel(image, panel, MARGIN + i * (size + MARGIN), MARGIN, size, radius, options.clip ?? 0.005));
  if (legend) drawLegend(image, width - LEGEND_WIDTH + 8, MARGIN + 8);
  return image;
}

function drawPanel(image: Image, panel: ScatterPanel, left: number, top: number, size: number, radius: number, clip: number): void {
  const n = panel.points.length / 2;
  if (!Number.isInteger(n)) throw new UsageError(`scatterPlot: points must be (x, y) pairs, got ${panel.points.length} values`);
  if (panel.labels && panel.labels.length !== n) throw new UsageError(`scatterPlot: ${panel.labels.length} labels for ${n} points`);
  const xs = Float64Array.from({ length: n }, (_, i) => panel.points[2 * i]);
  const ys = Float64Array.from({ length: n }, (_, i) => panel.points[2 * i + 1]);
  const [x0, x1] = view(xs, clip);
  const [y0, y1] = view(ys, clip);
  const inner = size - 2 * (radius + 2);
  const px = (x: number) => left + radius + 2 + Math.round(((x - x0) / (x1 - x0)) * inner);
  // Image rows grow downwards; y grows upwards.
  const py = (y: number) => top + radius + 2 + Math.round(((y1 - y) / (y1 - y0)) * inner);
  const axis: [number, number, number] = [0.85, 0.85, 0.85];
  if (x0 < 0 && x1 > 0) for (let y = top; y < top + size; y++) setPixel(image, px(0), y, axis);
  if (y0 < 0 && y1 > 0) for (let x = left; x < left + size; x++) setPixel(image, x, py(0), axis);
  for (let i = 0; i < n; i++) {
    if (!(xs[i] >= x0 && xs[i] <= x1 && ys[i] >= y0 && ys[i] <= y1)) continue;
    const colour = CLASS_COLOURS[Math.abs(Math.trunc(panel.labels?.[i] ?? 0)) % CLASS_COLOURS.length];
    fillSquare(image, px(xs[i]), py(ys[i]), radius, colour);
  }
  frame(image, left, top, size, size, [0.2, 0.2, 0.2]);
}

/** The view range of one coordinate: the clip..1−clip quantiles, padded by 5%; never empty. */
function view(values: Float64Array, clip: number): [number, number] {
  const finite = values.filter(Number.isFinite).sort();
  if (finite.length === 0) return [-1, 1];
  const at = (q: number) => finite[Math.min(finite.length - 1, Math.max(0, Math.round(q * (finite.length - 1))))];
  let lo = at(clip);
  let hi = at(1 - clip);
  if (hi - lo <= 0) {
    const half = Math.abs(lo) * 0.1 || 1;
    return [lo - half, hi + half];
  }
  const pad = 0.05 * (hi - lo);
  lo -= pad;
  hi += pad;
  return [lo, hi];
}

function drawLegend(image: Image, left: number, top: number): void {
  CLASS_COLOURS.forEach((colour, c) => {
    const y = top + c * 18;
    fillSquare(image, left + 4, y + 5, 4, colour);
    drawDigit(image, c, left + 14, y, 2, [0.1, 0.1, 0.1]);
  });
}

// A 3 × 5 bitmap font for the digits, one string of 15 bits per digit (rows top to bottom).
const DIGITS = [
  '111101101101111', '010110010010111', '111001111100111', '111001111001111', '101101111001001',
  '111100111001111', '111100111101111', '111001001001001', '111101111101111', '111101111001111',
];

function drawDigit(image: Image, digit: number, left: number, top: number, scale: number, colour: readonly [number, number, number]): void {
  const bits = DIGITS[digit];
  for (let r = 0; r < 5; r++) {
    for (let c = 0; c < 3; c++) {
      if (bits[r * 3 + c] !== '1') continue;
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) setPixel(image, left + c * scale + dx, top + r * scale + dy, colour);
    }
  }
}

function frame(image: Image, left: number, top: number, w: number, h: number, colour: readonly [number, number, number]): void {
  for (let x = left; x < left + w; x++) {
    setPixel(image, x, top, colour);
    setPixel(image, x, top + h - 1, colour);
  }
  for (let y = top; y < top + h; y++) {
    setPixel(image, left, y, colour);
    setPixel(image, left + w - 1, y, colour);
  }
}

function fillSquare(image: Image, cx: number, cy: number, r: number, colour: readonly [number, number, number]): void {
  for (let y = cy - r; y <= cy + r; y++) for (let x = cx - r; x <= cx + r; x++) setPixel(image, x, y, colour);
}

function setPixel(image: Image, x: number, y: number, colour: readonly [number, number, number]): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  const o = (y * image.width + x) * 3;
  image.data[o] = colour[0];
  image.data[o + 1] = colour[1];
  image.data[o + 2] = colour[2];
}
