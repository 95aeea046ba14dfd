// Several runs' loss per epoch on one plot, a series per run, drawn by the server as SVG.
import { drawPlot, el, livePageUrl } from './common.js';

const params = new URLSearchParams(location.search);
const ids = params.getAll('run');
const curve = document.querySelector('#curve');
curve.value = params.get('curve') === 'validation' ? 'validation' : 'train';

async function draw() {
  const error = document.querySelector('#error');
  const query = ids.map((id) => `run=${encodeURIComponent(id)}`).join('&');
  try {
    const drawn = await drawPlot(document.querySelector('#loss-curve'), `/api/loss.svg?${query}&curve=${curve.value}`);
    if (!drawn) document.querySelector('#loss-curve').replaceChildren(el('p', `None of these runs has a ${curve.value} loss curve.`, { class: 'muted' }));
    error.hidden = true;
  } catch (e) {
    error.textContent = `Could not draw the curves: ${e.message}`;
    error.hidden = false;
  }
}

if (ids.length === 0) {
  document.querySelector('#empty').hidden = false;
} else {
  const list = document.querySelector('#runs');
  list.append('runs: ');
  ids.forEach((id, i) => list.append(...(i > 0 ? [', '] : []), el('a', id, { href: livePageUrl(id) })));
  curve.addEventListener('change', () => {
    params.set('curve', curve.value);
    history.replaceState(null, '', `?${params}`);
    void draw();
  });
  await draw();
}
