// Helpers the dashboard's pages share: run names in URLs, numbers for people, plots from the API.

/** The URL of a file in a run folder: each segment of the run's name encoded on its own. */
export function runFileUrl(id, file) {
  return `/runs/${id.split('/').map(encodeURIComponent).join('/')}/${encodeURIComponent(file)}`;
}

/** A page of the dashboard about one run. */
export function livePageUrl(id) {
  return `live.html?run=${encodeURIComponent(id)}`;
}

/** A metric with four significant decimals; a dash when there is none. */
export function fmt(value) {
  return typeof value === 'number' ? value.toFixed(4) : '–';
}

/** An ISO date as local "2026-11-30 14:05". */
export function fmtDate(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An element with text content (never parsed as HTML). */
export function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  return node;
}

/**
 * Draws the server's SVG plot into `container`. The SVG is the dashboard's own (rendered from
 * numbers by Vega-Lite on the server), so it goes in as markup, not as an <img>: its paths can
 * then be styled and inspected. Returns false when there is no plot yet.
 */
export async function drawPlot(container, url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (res.status === 404) return false;
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  const svg = new DOMParser().parseFromString(await res.text(), 'image/svg+xml').documentElement;
  if (svg.nodeName !== 'svg') throw new Error(`${url}: not an SVG`);
  container.replaceChildren(document.importNode(svg, true));
  return true;
}
