// The run list: fetched from /api/runs, sorted by the column clicked, refreshed every few seconds
// so that new runs and finished ones show without a reload.
import { el, fmt, fmtDate, livePageUrl, runFileUrl } from './common.js';

const REFRESH_MS = 5000;
const table = document.querySelector('#runs');
const body = table.querySelector('tbody');
const compareButton = document.querySelector('#compare');
const filter = document.querySelector('#filter');
const selected = new Set();
let runs = [];
let sort = { key: 'date', direction: -1 };

/** Nulls sort last both ways: a run without a metric is never "best". */
function compare(a, b) {
  const x = a[sort.key];
  const y = b[sort.key];
  if (x === y) return a.id.localeCompare(b.id);
  if (x === null || x === undefined) return 1;
  if (y === null || y === undefined) return -1;
  const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
  return order * sort.direction;
}

/** Where a run's name leads: its report once written; the live page while it trains or has none. */
function runLink(run) {
  const href = run.report && run.status !== 'training' ? runFileUrl(run.id, 'report.html') : livePageUrl(run.id);
  return el('a', run.id, { href });
}

function row(run) {
  const tr = el('tr', null, { 'data-run': run.id });
  const box = el('input', null, { type: 'checkbox', 'aria-label': `compare ${run.id}` });
  box.checked = selected.has(run.id);
  box.addEventListener('change', () => {
    if (box.checked) selected.add(run.id); else selected.delete(run.id);
    compareButton.disabled = selected.size < 2;
  });
  const name = el('td');
  name.append(runLink(run));
  if (run.kind === 'autoencoder' || run.status === 'training') name.append(' ', el('a', 'live', { href: livePageUrl(run.id), class: 'muted' }));
  const status = el('td');
  const why = run.status === 'stopped' ? { title: 'its training process is gone (killed or crashed); aekit train --resume continues it from its checkpoint' } : {};
  status.append(el('span', run.status, { class: `status ${run.status}`, ...why }));
  const cells = [
    el('td'), name, el('td', run.kind), el('td', run.preset ?? '–'), el('td', run.data ?? '–'), status,
    el('td', run.epochs ?? '–', { class: 'num' }), el('td', fmt(run.sse), { class: 'num' }), el('td', fmt(run.bce), { class: 'num' }),
    el('td', run.error ? `unreadable: ${run.error}` : run.headline ?? '', { class: run.error ? 'wrap error' : 'wrap' }),
    el('td', fmtDate(run.date), { title: run.date }),
  ];
  cells[0].append(box);
  tr.append(...cells);
  return tr;
}

function render() {
  const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = runs.filter((r) => words.every((w) => [r.id, r.kind, r.preset, r.data, r.status].some((v) => v && v.toLowerCase().includes(w))));
  body.replaceChildren(...shown.sort(compare).map(row));
  for (const th of table.querySelectorAll('th.sortable')) {
    if (th.dataset.key === sort.key) th.setAttribute('aria-sort', sort.direction > 0 ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  }
  document.querySelector('#empty').hidden = runs.length > 0;
  document.querySelector('#summary').textContent = runs.length > 0 ? `(${shown.length} of ${runs.length})` : '';
}

async function load() {
  const error = document.querySelector('#error');
  try {
    const res = await fetch('/api/runs', { cache: 'no-store' });
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    runs = (await res.json()).runs;
    error.hidden = true;
    render();
  } catch (e) {
    error.textContent = `Could not list the runs: ${e.message}`;
    error.hidden = false;
  }
}

for (const th of table.querySelectorAll('th.sortable')) {
  th.addEventListener('click', () => {
    const key = th.dataset.key;
    // Losses start from the lowest (the best), dates from the newest, names from A.
    const firstDirection = key === 'date' ? -1 : 1;
    sort = { key, direction: sort.key === key ? -sort.direction : firstDirection };
    render();
  });
}
filter.addEventListener('input', render);
compareButton.addEventListener('click', () => {
  const query = [...selected].map((id) => `run=${encodeURIComponent(id)}`).join('&');
  location.href = `compare.html?${query}`;
});

await load();
setInterval(load, REFRESH_MS);
