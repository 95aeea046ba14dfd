// The playground: draw a digit and watch a trained autoencoder reconstruct it, its code, a noisy
// copy denoised, erased pixels inpainted, and (for 2-d codes) the decoded latent plane. The model
// runs in the page on aekit's WebAssembly backend (playground/aekit-browser.js, built from
// src/serve/playground/browser-api.ts). Runs come from the dashboard's API, or from a run's two
// files opened by hand when the page is served statically.
import { loadRunModel, trainUndercomplete, useWasm } from './playground/aekit-browser.js';

const $ = (id) => document.getElementById(id);
const state = { model: null, size: 28, input: null, missing: null, tool: 'pen', latent: null, last: null, ms: null };

// The brush, in pixels of the model's grid: full ink within INNER, fading to none at OUTER.
const INNER = 0.6, OUTER = 1.6;

/** Distance from point p to the segment a-b. */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Inks (or marks as erased) the pixels near the segment a-b, in grid coordinates. */
function stroke(ax, ay, bx, by) {
  const n = state.size;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const d = segmentDistance(x + 0.5, y + 0.5, ax, ay, bx, by);
      if (d >= OUTER) continue;
      const i = y * n + x;
      if (state.tool === 'erase') state.missing[i] = 1;
      else state.input[i] = Math.max(state.input[i], Math.min(1, (OUTER - d) / (OUTER - INNER)));
    }
  }
}

/** Draws a row of pixels in [0, 1] as a grey image filling the canvas; erased pixels in red when given. */
function paint(canvas, pixels, missing) {
  const n = state.size;
  const image = new ImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const v = Math.round(255 * Math.max(0, Math.min(1, pixels[i])));
    const erased = missing && missing[i];
    image.data.set(erased ? [160, 30, 30, 255] : [v, v, v, 255], 4 * i);
  }
  const scratch = document.createElement('canvas');
  scratch.width = scratch.height = n;
  scratch.getContext('2d').putImageData(image, 0, 0);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}

function showCode(code) {
  const box = $('code');
  box.replaceChildren();
  const scale = Math.max(1e-6, ...Array.from(code, Math.abs));
  code.forEach((v, i) => {
    const row = document.createElement('div');
    row.textContent = `${String(i).padStart(2)} ${v.toFixed(3)}`;
    const bar = document.createElement('div');
    bar.className = v < 0 ? 'pg-bar neg' : 'pg-bar';
    bar.style.width = `${Math.round(200 * Math.abs(v) / scale)}px`;
    box.append(row, bar);
  });
}

/** Recomputes every view from the drawing: called once per animation frame while drawing. */
function update() {
  const m = state.model;
  if (!m) return;
  const started = performance.now();
  const reconstruction = m.reconstruct(state.input);
  const code = m.encode(state.input);
  paint($('input'), state.input, state.missing);
  paint($('reconstruction'), reconstruction);
  // Time to the first answer, the reconstruction drawn: what a stroke waits for.
  state.ms = performance.now() - started;
  showCode(code);
  const noisy = m.addNoise(state.input, Number($('sigma').value), 1);
  paint($('noisy'), noisy);
  paint($('denoised'), m.reconstruct(noisy));
  paint($('inpainted'), state.missing.some((v) => v) ? m.inpaint(state.input, state.missing, 30) : reconstruction);
  if (m.codeSize === 2) drawLatentMarker(code);
  const maps = m.featureMaps(state.input);
  showFeatureMaps(maps);
  state.last = { reconstruction, code, maps };
  $('timing').textContent = `reconstruction in ${state.ms.toFixed(1)} ms`;
}

// ---------------------------------------------------------------- feature maps (conv models)

/**
 * Draws each image-shaped encoder layer's output as a grid of its channels, one grey map per
 * channel scaled from its own minimum (black) to its maximum (white); hidden for dense models.
 */
function showFeatureMaps(maps) {
  $('features-panel').hidden = maps.length === 0;
  const box = $('features');
  const key = maps.map((f) => `${f.layer}:${f.channels}x${f.height}x${f.width}`).join(' ');
  if (box.dataset.key !== key) {
    box.replaceChildren(...maps.map((f) => {
      const cols = Math.min(8, f.channels), rows = Math.ceil(f.channels / cols);
      const canvas = document.createElement('canvas');
      canvas.width = cols * (f.width + 1) - 1;
      canvas.height = rows * (f.height + 1) - 1;
      // Shown at about 320 pixels wide, whole pixels per value.
      canvas.style.width = `${canvas.width * Math.max(1, Math.floor(320 / canvas.width))}px`;
      canvas.setAttribute('aria-label', `${f.layer}: ${f.channels} maps of ${f.height}x${f.width}`);
      const label = document.createElement('div');
      label.className = 'muted';
      label.textContent = `${f.layer}: ${f.channels} maps of ${f.height}x${f.width}`;
      const wrap = document.createElement('div');
      wrap.append(label, canvas);
      return wrap;
    }));
    box.dataset.key = key;
  }
  maps.forEach((f, i) => {
    const canvas = box.children[i].querySelector('canvas');
    const cols = Math.min(8, f.channels), size = f.height * f.width;
    const image = new ImageData(canvas.width, canvas.height);
    image.data.fill(64); // the grid lines between maps, dark grey
    for (let c = 0; c < f.channels; c++) {
      let lo = Infinity, hi = -Infinity;
      for (let j = 0; j < size; j++) { const v = f.data[c * size + j]; if (v < lo) lo = v; if (v > hi) hi = v; }
      const span = hi > lo ? hi - lo : 1;
      const x0 = (c % cols) * (f.width + 1), y0 = Math.floor(c / cols) * (f.height + 1);
      for (let y = 0; y < f.height; y++) {
        for (let x = 0; x < f.width; x++) {
          const g = Math.round(255 * (f.data[c * size + y * f.width + x] - lo) / span);
          const o = 4 * ((y0 + y) * canvas.width + x0 + x);
          image.data[o] = image.data[o + 1] = image.data[o + 2] = g;
        }
      }
    }
    for (let o = 3; o < image.data.length; o += 4) image.data[o] = 255;
    canvas.getContext('2d').putImageData(image, 0, 0);
  });
}

let pending = false;
function schedule() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; update(); });
}

// ---------------------------------------------------------------- the latent plane (2-d codes)
const GRID = 12;
function buildLatentMap() {
  const m = state.model;
  const panel = $('latent-panel');
  panel.hidden = m.codeSize !== 2;
  if (m.codeSize !== 2) return;
  const range = 3;
  const codes = new Float32Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      codes[2 * (r * GRID + c)] = -range + (2 * range * (c + 0.5)) / GRID;
      codes[2 * (r * GRID + c) + 1] = range - (2 * range * (r + 0.5)) / GRID;
    }
  }
  const images = m.decode(codes);
  state.latent = { range, images };
  drawLatentMarker(null);
}

function drawLatentMarker(code) {
  const { range, images } = state.latent ?? {};
  if (!images) return;
  const canvas = $('latent');
  const ctx = canvas.getContext('2d');
  const cell = canvas.width / GRID, n = state.size, size = n * n;
  const tile = document.createElement('canvas');
  tile.width = tile.height = Math.floor(cell);
  for (let k = 0; k < GRID * GRID; k++) {
    paint(tile, images.subarray(k * size, (k + 1) * size));
    ctx.drawImage(tile, (k % GRID) * cell, Math.floor(k / GRID) * cell, cell, cell);
  }
  if (code) {
    const x = ((code[0] + range) / (2 * range)) * canvas.width, y = ((range - code[1]) / (2 * range)) * canvas.height;
    ctx.fillStyle = '#f80';
    ctx.beginPath();
    ctx.arc(x, y, 5, 0, 2 * Math.PI);
    ctx.fill();
  }
}

function decodeAtPointer(event) {
  const canvas = $('latent');
  const rect = canvas.getBoundingClientRect();
  const { range } = state.latent;
  const z = new Float32Array([
    -range + (2 * range * (event.clientX - rect.left)) / rect.width,
    range - (2 * range * (event.clientY - rect.top)) / rect.height,
  ]);
  paint($('decoded'), state.model.decode(z));
  $('latent-at').textContent = `(${z[0].toFixed(2)}, ${z[1].toFixed(2)})`;
}

// ---------------------------------------------------------------- input
function gridPoint(canvas, event) {
  const rect = canvas.getBoundingClientRect();
  return [((event.clientX - rect.left) / rect.width) * state.size, ((event.clientY - rect.top) / rect.height) * state.size];
}

function wireDrawing() {
  const canvas = $('input');
  let last = null;
  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = gridPoint(canvas, e);
    stroke(...last, ...last);
    schedule();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = gridPoint(canvas, e);
    stroke(...last, ...p);
    last = p;
    schedule();
  });
  const end = () => { last = null; };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  for (const radio of document.querySelectorAll('input[name=tool]')) radio.addEventListener('change', () => { state.tool = radio.value; });
  $('clear').addEventListener('click', () => { state.input.fill(0); state.missing.fill(0); schedule(); });
  $('sigma').addEventListener('input', schedule);
  let dragging = false;
  $('latent').addEventListener('pointerdown', (e) => { dragging = true; decodeAtPointer(e); });
  $('latent').addEventListener('pointermove', (e) => { if (dragging) decodeAtPointer(e); });
  $('latent').addEventListener('pointerup', () => { dragging = false; });
}

// ---------------------------------------------------------------- models
function useModel(model, name) {
  if (!model.image || model.image[0] !== model.image[1]) throw new Error(`${name}: the playground draws square single-channel images; this model takes ${model.inputSize} values`);
  state.model = model;
  state.size = model.image[0];
  state.input = new Float32Array(model.inputSize);
  state.missing = new Uint8Array(model.inputSize);
  buildLatentMap();
  $('status').textContent = `${name}: ${model.inputSize} pixels, ${model.codeSize}-d code`;
  update();
}

async function openRun(id) {
  $('status').textContent = `loading ${id}…`;
  const path = id.split('/').map(encodeURIComponent).join('/');
  const [json, weights] = await Promise.all([
    fetch(`runs/${path}/model.json`).then((r) => { if (!r.ok) throw new Error(`model.json: HTTP ${r.status}`); return r.json(); }),
    fetch(`api/weights?run=${encodeURIComponent(id)}`).then((r) => { if (!r.ok) throw new Error(`weights: HTTP ${r.status}`); return r.arrayBuffer(); }),
  ]);
  useModel(loadRunModel(json, new Uint8Array(weights), id), id);
}

async function openFiles(files) {
  const byName = new Map([...files].map((f) => [f.name.endsWith('.json') ? 'json' : 'weights', f]));
  if (!byName.has('json') || !byName.has('weights')) throw new Error('open both model.json and model.safetensors of a run');
  const json = JSON.parse(await byName.get('json').text());
  useModel(loadRunModel(json, new Uint8Array(await byName.get('weights').arrayBuffer()), byName.get('json').name), 'opened files');
}

// ---------------------------------------------------------------- training in the page
const training = { losses: [], controller: null, digits: null, epochs: 0, done: false };

/** The shipped digits as rows of pixels in [0, 1]. */
async function loadDigits() {
  if (training.digits) return training.digits;
  const response = await fetch('playground/digits-5000.u8.gz');
  if (!response.ok) throw new Error(`digits: HTTP ${response.status}`);
  const bytes = new Uint8Array(await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  training.digits = Float32Array.from(bytes, (b) => b / 255);
  return training.digits;
}

function drawLoss() {
  const canvas = $('loss');
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const losses = training.losses;
  if (losses.length < 2) return;
  const hi = Math.max(...losses), lo = Math.min(...losses);
  ctx.strokeStyle = '#36c';
  ctx.beginPath();
  losses.forEach((v, i) => {
    const x = (i / (losses.length - 1)) * (canvas.width - 10) + 5;
    const y = canvas.height - 5 - ((v - lo) / Math.max(hi - lo, 1e-9)) * (canvas.height - 10);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
  ctx.fillStyle = '#333';
  ctx.fillText(`${hi.toFixed(1)}`, 5, 12);
  ctx.fillText(`${lo.toFixed(1)}`, 5, canvas.height - 8);
}

/** Eight held-out digits (top) and the model's reconstructions of them (bottom). */
function drawSamples(model) {
  const digits = training.digits, size = 784, n = digits.length / size;
  const rows = digits.subarray((n - 8) * size);
  const recon = model.reconstruct(rows);
  const canvas = $('samples'), cell = canvas.width / 8;
  const tile = document.createElement('canvas');
  tile.width = tile.height = cell;
  const ctx = canvas.getContext('2d');
  for (let k = 0; k < 8; k++) {
    paint(tile, rows.subarray(k * size, (k + 1) * size));
    ctx.drawImage(tile, k * cell, 0);
    paint(tile, recon.subarray(k * size, (k + 1) * size));
    ctx.drawImage(tile, k * cell, cell);
  }
}

async function train() {
  const digits = await loadDigits();
  training.losses = [];
  training.done = false;
  training.controller = new AbortController();
  $('train').disabled = true;
  $('stop').disabled = false;
  let model = null, steps = 0;
  const { result } = await trainUndercomplete(digits, {
    epochs: Number($('epochs').value) || 5,
    signal: training.controller.signal,
    onModel: (m) => { model = m; },
    onEvent: (event) => {
      if (event.type === 'step') {
        training.losses.push(event.loss);
        steps += 1;
        $('train-status').textContent = `epoch ${event.epoch}/${event.epochs}, step ${event.step}/${event.totalSteps}, loss ${event.loss.toFixed(2)}, ${Math.round(event.samplesPerSecond)} samples/s`;
        if (steps % 10 === 0) { drawLoss(); drawSamples(model); }
      } else {
        training.epochs = event.epoch;
        drawLoss();
        drawSamples(model);
      }
    },
  });
  drawLoss();
  drawSamples(model);
  $('train-status').textContent = `${result.aborted ? 'stopped' : 'done'} after ${training.epochs} epoch(s), ${Math.round(result.samplesPerSecond)} samples/s: draw on it above`;
  training.done = true;
  $('train').disabled = false;
  $('stop').disabled = true;
  useModel(model, 'trained in this page');
}

function fail(error) {
  $('status').textContent = String(error.message ?? error);
  console.error(error);
}

async function main() {
  // Threaded where the page is cross-origin isolated (aekit serve sends the headers), else one thread.
  const backend = await useWasm('playground/aekit.wasm', 'playground/aekit-threads.wasm');
  // Threads need a cross-origin isolated page (aekit serve sends the headers; a page opened from a file is not).
  $('threads').textContent = backend.threads > 1 ? `${backend.threads} threads` : 'one thread: the page is not cross-origin isolated';
  wireDrawing();
  $('train').addEventListener('click', () => train().catch(fail));
  $('stop').addEventListener('click', () => training.controller?.abort());
  $('files').addEventListener('change', (e) => openFiles(e.target.files).catch(fail));
  let runs = [];
  try {
    const response = await fetch('api/runs');
    if (response.ok) runs = (await response.json()).runs.filter((r) => r.kind === 'autoencoder');
  } catch {
    // Served as a static page: no dashboard API; the files input still works.
  }
  const select = $('run');
  for (const r of runs) select.append(new Option(r.id, r.id));
  select.addEventListener('change', () => openRun(select.value).catch(fail));
  const wanted = new URLSearchParams(location.search).get('run');
  if (wanted && runs.some((r) => r.id === wanted)) select.value = wanted;
  if (select.value) await openRun(select.value).catch(fail);
  else $('status').textContent = runs.length ? '' : 'no runs here: open a run\'s model.json and model.safetensors';
  // For tests and the curious: the page's state, read-only by convention.
  window.aekitPlayground = {
    backend: backend.name,
    threads: backend.threads,
    get workerChunks() { return backend.workerChunks(); },
    get ready() { return state.model !== null; },
    get input() { return Array.from(state.input ?? []); },
    get reconstruction() { return Array.from(state.last?.reconstruction ?? []); },
    get code() { return Array.from(state.last?.code ?? []); },
    get milliseconds() { return state.ms; },
    get latentShown() { return !$('latent-panel').hidden; },
    get featureMapsShown() { return !$('features-panel').hidden; },
    get featureMaps() { return (state.last?.maps ?? []).map((f) => ({ layer: f.layer, channels: f.channels, height: f.height, width: f.width, data: Array.from(f.data) })); },
    decode: (code) => Array.from(state.model.decode(Float32Array.from(code))),
    get training() { return { losses: [...training.losses], epochs: training.epochs, done: training.done }; },
  };
}

main().catch(fail);
