// A run as it trains: server-sent events from /api/events bring each epoch, and the loss curve is
// fetched again as server-rendered SVG; a `picture` event says the reconstructions were replaced
// on disk (same name, new mtime), and the picture is reloaded with that version in its query.
import { drawPlot, el, runFileUrl } from './common.js';

const id = new URLSearchParams(location.search).get('run');
const status = document.querySelector('#status');
const errorLine = document.querySelector('#error');
const picture = document.querySelector('#reconstructions');
let epoch = 0;
let epochs = null;
let redraw = null;

function showError(message) {
  errorLine.textContent = message;
  errorLine.hidden = false;
}

function setStatus(text) {
  status.textContent = text;
  status.className = `status ${text}`;
}

/** Many events can arrive at once (a page opened mid-run replays them all): draw once for the lot. */
function scheduleRedraw() {
  if (redraw !== null) return;
  redraw = setTimeout(async () => {
    redraw = null;
    const shownEpoch = epoch;
    try {
      await drawPlot(document.querySelector('#loss-curve'), `/api/loss.svg?run=${encodeURIComponent(id)}&epoch=${shownEpoch}`);
      document.querySelector('#loss-curve').dataset.epochs = String(shownEpoch);
    } catch (e) {
      showError(`Could not draw the loss curve: ${e.message}`);
    }
  }, 100);
}

function showProgress() {
  document.querySelector('#epoch').textContent = epochs ? `epoch ${epoch} of ${epochs}` : `epoch ${epoch}`;
  document.querySelector('#bar').style.width = epochs ? `${Math.min(100, (100 * epoch) / epochs)}%` : '0';
}

/** Once the run has ended its report is written; link it when the server lists it. */
async function linkReport(tries = 20) {
  const res = await fetch(`/api/run?run=${encodeURIComponent(id)}`, { cache: 'no-store' });
  const run = res.ok ? await res.json() : null;
  if (run?.report) {
    document.querySelector('#report').replaceChildren(' ', el('a', 'open the report', { href: runFileUrl(id, 'report.html') }));
  } else if (tries > 0) {
    setTimeout(() => linkReport(tries - 1), 1000);
  }
}

function onEvent(event) {
  if (event.type === 'start') {
    epochs = event.epochs;
    setStatus('training');
    document.querySelector('#report').replaceChildren();
  } else if (event.type === 'epoch') {
    epoch = event.epoch;
    epochs = event.epochs;
    setStatus('training');
    scheduleRedraw();
  } else if (event.type === 'end') {
    setStatus(event.status);
    scheduleRedraw();
    linkReport();
  }
  showProgress();
}

/**
 * Listens to the run's events. EventSource reconnects by itself after a dropped stream, but not
 * after an error answer (a run whose folder is not written yet, a restarted server): then a new
 * one is opened a little later.
 */
function listen() {
  const source = new EventSource(`/api/events?run=${encodeURIComponent(id)}`);
  source.addEventListener('run', (message) => onEvent(JSON.parse(message.data)));
  source.addEventListener('picture', (message) => {
    const { file, version } = JSON.parse(message.data);
    if (file === 'reconstructions.png') picture.src = `${runFileUrl(id, file)}?v=${version}`;
  });
  // A killed run writes no last event: the server says so when it finds the training process gone.
  source.addEventListener('stopped', () => {
    setStatus('stopped');
    document.querySelector('#report').textContent = ' · its training process is gone (killed or crashed); aekit train --resume on its folder continues it';
  });
  source.addEventListener('reset', () => { epoch = 0; epochs = null; setStatus('training'); showProgress(); });
  source.addEventListener('open', () => { if (status.textContent === 'connecting') setStatus('waiting'); errorLine.hidden = true; });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      showError('No such run yet, or the dashboard is not answering; trying again…');
      setTimeout(listen, 2000);
    } else if (source.readyState !== EventSource.OPEN) {
      showError('Lost the connection to the dashboard; retrying…');
    }
  });
}

if (!id) {
  showError('No run named: open this page from the run list.');
} else {
  document.querySelector('#run').textContent = id;
  document.title = `${id} · aekit`;
  picture.addEventListener('load', () => { picture.hidden = false; document.querySelector('#no-pictures').hidden = true; });
  picture.addEventListener('error', () => { picture.hidden = true; });
  listen();
}
