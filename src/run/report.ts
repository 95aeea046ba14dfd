/**
 * report.html: a run folder on one page that opens from disk with no network — what the run is
 * (its layer specs, training settings and data), its metrics, its loss curve, and every picture
 * and plot in the folder, each inlined. It is built from the folder's files alone, so it can be
 * rebuilt at any time (`aekit report --model DIR`) and works for every kind of output folder:
 * training runs, classifiers, comparisons, PCA, anomaly and segmentation runs.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { readRegularFile } from '../io/read-file.js';
import { RUN_FILES, writeFileAtomic } from '../io/run-folder.js';
import { type Cell, escapeHtml, htmlTable, keyValueTable } from '../viz/html.js';
import { lossCurveSpec, renderPlot } from '../viz/plots.js';
import { runLossPoints } from './loss-points.js';
import { PICTURE_FILES } from './pictures.js';

/** The JSON files that describe an output folder, the first found names its kind. */
const RECORD_FILES = [RUN_FILES.model, 'compare.json', 'pca.json', 'segment.json', 'anomaly.json'] as const;

/** Pictures in the order a reader wants them; others follow by name. */
const PICTURE_ORDER = [
  RUN_FILES.reconstructions, RUN_FILES.filters, PICTURE_FILES.kernels, PICTURE_FILES.featureMaps, PICTURE_FILES.codeActivity,
  PICTURE_FILES.klPenalty, 'samples.png', 'interpolations.png', 'latent-grid.png', 'kl-per-unit.svg', 'compare.png', 'codes.svg', 'components.png', 'anomaly.png', 'segmentation.png',
];

type Json = Record<string, unknown>;

/**
 * Builds report.html for a run folder and writes it there (atomically).
 * @param dir an output folder of aekit's.
 * @returns the report's path.
 * @example
 * await writeReport('runs/deep'); // runs/deep/report.html
 */
export async function writeReport(dir: string): Promise<string> {
  const path = join(dir, RUN_FILES.report);
  writeFileAtomic(path, await buildReport(dir));
  return path;
}

/**
 * The report of a run folder as one HTML document.
 * @param dir an output folder of aekit's.
 * @throws UsageError when the folder holds none of aekit's records.
 * @example
 * const html = await buildReport('runs/deep');
 */
export async function buildReport(dir: string): Promise<string> {
  const recordFile = RECORD_FILES.find((f) => existsSync(join(dir, f)));
  if (!existsSync(dir) || !statSync(dir).isDirectory() || !recordFile) {
    throw new UsageError(`${dir}: not an output folder of aekit's (expected one of ${RECORD_FILES.join(', ')})`);
  }
  const record = readJson(join(dir, recordFile));
  const metrics = existsSync(join(dir, RUN_FILES.metrics)) ? readJson(join(dir, RUN_FILES.metrics)) : null;
  const title = `${basename(dir)}: ${describeKind(recordFile, record)}`;
  const sections = [
    section('Summary', keyValueTable(summary(dir, recordFile, record))),
    lossSection(await lossCurve(dir, metrics)),
    section('Metrics', resultTables(recordFile === RUN_FILES.model ? metrics ?? record.metrics : record)),
    picturesSection(dir),
    recordFile === RUN_FILES.model ? configSection(record) : '',
  ];
  return page(title, sections.filter((s) => s !== '').join('\n'));
}

function describeKind(recordFile: string, record: Json): string {
  if (recordFile !== RUN_FILES.model) return `aekit ${recordFile.replace('.json', '')}`;
  if (record.format === 'aekit-classifier') return 'classifier';
  if (record.format === 'aekit-encoder') return 'encoder';
  return typeof record.preset === 'string' ? `autoencoder, preset ${record.preset}` : 'autoencoder';
}

function summary(dir: string, recordFile: string, record: Json): Record<string, Cell> {
  const data = record.data as Json | null | undefined;
  const versions = record.versions as Json | undefined;
  return {
    folder: dir,
    // A comparison's record says whether Ctrl-C stopped it rather than naming a status.
    status: (record.status ?? (typeof record.aborted === 'boolean' ? (record.aborted ? 'aborted' : 'done') : undefined)) as Cell,
    preset: record.preset as Cell,
    data: (data?.name ?? data?.spec ?? record.data) as Cell,
    written: statSync(join(dir, recordFile)).mtime.toISOString(),
    aekit: versions?.aekit as Cell,
    backend: (versions?.backend ?? record.backend) as Cell,
  };
}

/** The loss per epoch: from metrics.json when the run ended, else from its events so far. */
async function lossCurve(dir: string, metrics: Json | null): Promise<string | null> {
  const points = runLossPoints(dir, metrics);
  return points.length === 0 ? null : renderPlot(lossCurveSpec(points, 'Loss per epoch'));
}

function lossSection(svg: string | null): string {
  return svg === null ? '' : section('Loss', `<div class="plot" id="loss-curve">${svg}</div>`);
}

/** Scalars as a name-value table; arrays of objects and matrices as tables of their own. */
function resultTables(value: unknown): string {
  if (value === null || typeof value !== 'object') return '<p>No metrics yet.</p>';
  const scalars: Record<string, Cell> = {};
  const tables: string[] = [];
  const visit = (obj: Json, prefix: string, depth: number) => {
    for (const [key, v] of Object.entries(obj)) {
      const name = prefix ? `${prefix}.${key}` : key;
      if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) scalars[name] = v as Cell;
      else if (Array.isArray(v)) tables.push(arrayTable(name, v));
      else if (depth < 2) visit(v as Json, name, depth + 1);
    }
  };
  visit(value as Json, '', 0);
  return [keyValueTable(scalars), ...tables.filter((t) => t !== '')].join('\n');
}

/** A table for an array that reads as one: flat objects (one row each) or a matrix; '' otherwise. */
function arrayTable(name: string, values: unknown[]): string {
  if (values.length === 0) return '';
  if (values.every((v) => Array.isArray(v) && v.every((c) => typeof c === 'number'))) {
    const rows = values;
    return `<h3>${escapeHtml(name)}</h3>${htmlTable(['', ...rows[0].map((_, j) => String(j))], rows.map((r, i) => [String(i), ...r]))}`;
  }
  if (values.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
    const objects = values as Json[];
    const columns = [...new Set(objects.flatMap((o) => Object.keys(o).filter((k) => !isStructured(o[k]))))];
    return `<h3>${escapeHtml(name)}</h3>${htmlTable(columns, objects.map((o) => columns.map((c) => o[c] as Cell)))}`;
  }
  return '';
}

const isStructured = (v: unknown) => v !== null && typeof v === 'object';

/** Every PNG and SVG in the folder, inlined as data: URIs (a PNG drawn from an SVG beside it is left out). */
function picturesSection(dir: string): string {
  const files = readdirSync(dir).filter((f) => ['.png', '.svg'].includes(extname(f)));
  const shown = files.filter((f) => !(f.endsWith('.png') && files.includes(f.replace(/\.png$/, '.svg'))));
  const rank = (f: string) => (PICTURE_ORDER.includes(f) ? PICTURE_ORDER.indexOf(f) : PICTURE_ORDER.length);
  shown.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (shown.length === 0) return '';
  const figures = shown.map((f) => {
    const type = f.endsWith('.svg') ? 'image/svg+xml' : 'image/png';
    const data = readRegularFile(join(dir, f), 'picture').toString('base64');
    return `<figure><img src="data:${type};base64,${data}" alt="${escapeHtml(f)}"><figcaption>${escapeHtml(f)}</figcaption></figure>`;
  });
  return section('Pictures', figures.join('\n'));
}

/** The model's layer specs, training settings and data, as model.json records them. */
function configSection(record: Json): string {
  const model = record.model as Json | undefined;
  if (!model) return '';
  const layers = (part: string, specs: unknown) => (Array.isArray(specs) ? (specs as Json[]).map((s, i) => [part, i, String(s.type), details(s)] as Cell[]) : []);
  const rows = [...layers('encoder', model.encoder), ...layers('decoder', model.decoder), ...layers('head', model.head)];
  const parts = [
    keyValueTable({ input: JSON.stringify(model.input), output: model.output ? details(model.output as Json) : undefined }),
    htmlTable(['part', '#', 'layer', 'settings'], rows),
  ];
  if (record.training) parts.push('<h3>Training</h3>', keyValueTable(record.training as Record<string, Cell>));
  if (record.data) parts.push('<h3>Data</h3>', keyValueTable(flatData(record.data as Json)));
  return section('Model', parts.join('\n'));
}

/** A spec's settings other than its type, as `name=value` pairs. */
function details(spec: Json): string {
  return Object.entries(spec).filter(([k]) => k !== 'type').map(([k, v]) => `${k}=${isStructured(v) ? JSON.stringify(v) : String(v as Cell)}`).join(', ');
}

function flatData(data: Json): Record<string, Cell> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, isStructured(v) ? briefJson(v) : v as Cell]));
}

/** The most values of an array a table cell shows; a per-feature scaling of a wide table has one per feature. */
const SHOWN_VALUES = 6;

/**
 * A value as JSON for a table cell, with long arrays cut to their first values and their count,
 * so a per-feature scaling is one short line, not a line several screens wide.
 * @example
 * briefJson({ offset: [1, 2, 3, 4, 5, 6, 7, 8] }); // '{"offset":[1, 2, 3, 4, 5, 6, … (8 values)]}'
 */
export function briefJson(value: unknown): string {
  if (Array.isArray(value)) {
    const shown = value.slice(0, SHOWN_VALUES).map((v) => (typeof v === 'number' ? String(Number(v.toPrecision(6))) : briefJson(v)));
    return `[${shown.join(', ')}${value.length > SHOWN_VALUES ? `, … (${value.length} values)` : ''}]`;
  }
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${briefJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

function readJson(path: string): Json {
  const text = readRegularFile(path, 'JSON file').toString('utf8');
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Json;
  } catch {
    // Reported below with the file's name.
  }
  throw new UsageError(`${path}: not a JSON object; the report needs the run's own record`);
}

function section(heading: string, body: string): string {
  return `<section><h2>${escapeHtml(heading)}</h2>\n${body}\n</section>`;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 17px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 28px; } h3 { font-size: 14px; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
table.kv th { background: #f6f6f6; font-weight: 600; }
figure { margin: 12px 0; } figure img { max-width: 100%; border: 1px solid #eee; } figcaption { color: #666; font-size: 12px; }
</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
<footer><p style="color:#888;font-size:12px">Made by aekit from the files in this folder; <code>aekit report --model DIR</code> rebuilds it.</p></footer>
</body></html>
`;
}
