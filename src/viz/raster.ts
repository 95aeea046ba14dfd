/**
 * SVG to PNG, for pictures that carry text (titles, row labels, axes): the SVG is drawn by resvg
 * with the DejaVu Sans font shipped as an npm package, so a picture looks the same on every
 * machine, whatever fonts it has installed.
 */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { writeFileAtomic } from '../io/run-folder.js';

const require = createRequire(import.meta.url);
/** The font files every picture is drawn with (regular and bold). */
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));

/** The font family to name in SVG text that will be rasterised here. */
export const FONT_FAMILY = 'DejaVu Sans';

/**
 * Rasterises an SVG document to PNG bytes.
 * @param svg the SVG document (a width and height on its root element).
 * @param zoom scale factor from SVG units to pixels; default 1.
 * @example
 * writeFileSync('loss.png', svgToPng(await renderPlot(lossCurveSpec(series)), 2));
 */
export function svgToPng(svg: string, zoom = 1): Buffer {
  const resvg = new Resvg(svg, {
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    fitTo: zoom === 1 ? { mode: 'original' } : { mode: 'zoom', value: zoom },
    background: 'white',
  });
  return resvg.render().asPng();
}

/**
 * Writes an SVG document as a PNG file.
 * @param path the PNG file.
 * @param svg the SVG document.
 * @param zoom scale factor; default 1.
 * @example
 * writeSvgAsPng('reconstructions.png', rowsFigure({ title: 'Reconstructions', rows }));
 */
export function writeSvgAsPng(path: string, svg: string, zoom = 1): void {
  // Atomically, so a reader (a dashboard refreshing a live run) never sees half a file.
  writeFileAtomic(path, svgToPng(svg, zoom));
}
