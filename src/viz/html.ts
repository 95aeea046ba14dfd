/**
 * Small pieces of HTML for pages built as strings (the run report): escaping, and tables of
 * values. Knows nothing of runs.
 */

/** A table cell's value. */
export type Cell = string | number | boolean | null | undefined;

/**
 * Escapes text for an HTML text node or a quoted attribute.
 * @example
 * escapeHtml('a < b'); // 'a &lt; b'
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A cell's text: numbers to at most 6 significant digits (integers whole), null and undefined empty.
 * @example
 * formatCell(0.123456789); // '0.123457'
 */
export function formatCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : Number(value.toPrecision(6)).toString();
  return String(value);
}

/**
 * A table with a header row.
 * @param columns the header cells.
 * @param rows the body, one array of cells a row.
 * @example
 * htmlTable(['digit', 'auc'], [[0, 0.99], [1, 0.998]]);
 */
export function htmlTable(columns: string[], rows: Cell[][]): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(formatCell(c))}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * A two-column table of name and value, for settings and scalar metrics.
 * @example
 * keyValueTable({ epochs: 20, lr: 0.001 });
 */
export function keyValueTable(entries: Record<string, Cell>): string {
  return `<table class="kv"><tbody>\n${Object.entries(entries).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(formatCell(v))}</td></tr>`).join('\n')}\n</tbody></table>`;
}
