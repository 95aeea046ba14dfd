/**
 * Labelled pictures: rows of image tiles with a title and a label before each row (which row is
 * the input, which a method's output), as SVG to rasterise. A picture explains itself without
 * the README beside it.
 */
import { encodePng, type Image } from './png.js';
import { FONT_FAMILY } from './raster.js';

/** One row of a figure: a label and the image of its tiles. */
export interface FigureRow {
  label: string;
  image: Image;
}

/** What a figure shows. */
export interface Figure {
  title: string;
  rows: FigureRow[];
  /** A line of smaller text under the rows: what the tiles are, how they were scaled. */
  caption?: string;
}

const TITLE_SIZE = 15;
const LABEL_SIZE = 13;
const CAPTION_SIZE = 11;
const MARGIN = 10;
const GAP = 6;
/** DejaVu Sans averages a little under 0.6 em per character of mixed text. */
const CHAR_WIDTH = 0.6;

/** Where a figure's parts land, in pixels from its top left corner. */
export interface FigureLayout {
  width: number;
  height: number;
  /** Each row's image. */
  rows: { x: number; y: number; width: number; height: number }[];
  /** The baseline of each row's label, and of the caption when there is one. */
  labelBaselines: number[];
  captionBaseline: number | null;
}

/**
 * Where the title, rows and caption of a figure go: the title on top, each row's label on the
 * left and its image to the right, the caption below.
 * @param figure the title, rows and caption.
 * @example
 * const { rows } = figureLayout(figure); // rows[1].y: where the second row's image starts
 */
export function figureLayout(figure: Figure): FigureLayout {
  const labelWidth = Math.max(0, ...figure.rows.map((r) => textWidth(r.label, LABEL_SIZE)));
  const imageLeft = MARGIN + (labelWidth > 0 ? Math.ceil(labelWidth) + GAP : 0);
  const rows: FigureLayout['rows'] = [];
  const labelBaselines: number[] = [];
  let y = MARGIN + TITLE_SIZE + GAP;
  for (const row of figure.rows) {
    const { width, height } = row.image;
    rows.push({ x: imageLeft, y, width, height });
    labelBaselines.push(Math.round(y + height / 2 + LABEL_SIZE * 0.35));
    y += height + GAP;
  }
  let width = Math.max(imageLeft + Math.max(0, ...rows.map((r) => r.width)), MARGIN + textWidth(figure.title, TITLE_SIZE)) + MARGIN;
  let captionBaseline: number | null = null;
  if (figure.caption) {
    captionBaseline = y + CAPTION_SIZE;
    y = captionBaseline;
    width = Math.max(width, 2 * MARGIN + textWidth(figure.caption, CAPTION_SIZE));
  }
  return { width: Math.ceil(width), height: Math.ceil(y + MARGIN), rows, labelBaselines, captionBaseline };
}

/**
 * A figure as an SVG document, laid out by figureLayout.
 * @param figure the title, rows and caption.
 * @example
 * writeSvgAsPng('denoise.png', rowsFigure({ title: 'Denoising', rows: [{ label: 'clean', image }] }));
 */
export function rowsFigure(figure: Figure): string {
  const layout = figureLayout(figure);
  const parts = [text(MARGIN, MARGIN + TITLE_SIZE, figure.title, TITLE_SIZE, 'bold')];
  figure.rows.forEach((row, i) => {
    const { x, y, width, height } = layout.rows[i];
    parts.push(`<image x="${x}" y="${y}" width="${width}" height="${height}" image-rendering="optimizeSpeed" href="${dataUri(row.image)}"/>`);
    if (row.label) parts.push(text(MARGIN, layout.labelBaselines[i], row.label, LABEL_SIZE));
  });
  if (figure.caption && layout.captionBaseline !== null) parts.push(text(MARGIN, layout.captionBaseline, figure.caption, CAPTION_SIZE, 'normal', '#444'));
  const { width, height } = layout;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`
    + `<rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>`;
}

/** An image as a data: URI of its PNG bytes, for <image href> and <img src>. */
export function dataUri(image: Image): string {
  return `data:image/png;base64,${encodePng(image).toString('base64')}`;
}

/** Escapes text for an XML text node or attribute. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(x: number, y: number, value: string, size: number, weight = 'normal', fill = 'black'): string {
  return `<text x="${x}" y="${y}" font-family="${FONT_FAMILY}" font-size="${size}" font-weight="${weight}" fill="${fill}">${escapeXml(value)}</text>`;
}

function textWidth(value: string, size: number): number {
  return value.length * size * CHAR_WIDTH;
}
