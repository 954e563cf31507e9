// Area 1, the data: the built-in examples, a CSV from a file or dropped, read in
// the worker in chunks (progress, Cancel), then profiled and shown. A table that
// loaded becomes the store's `data` (store.js): the other areas follow from there.
import { $, el, clear, showError, clearError, fmtCell } from './dom.js';
import { renderProfile, clearProfile } from './profile.js';
import { store } from './store.js';
import { client, setBusy, setStatus, workerBusy, restartWorker, recoverIfFatal, whenNotBusy } from './session.js';
import { setupSources } from './formats.js';

export const EXAMPLES = [
  ['iris.csv', 'iris — flower species (classification, 150 rows)'],
  ['diabetes.csv', 'diabetes — disease progression (regression, 442 rows)'],
  ['breast_cancer.csv', 'breast cancer — malignant or benign (classification, 569 rows)'],
  ['titanic_like.csv', 'titanic-like — survival, missing values & text (classification)'],
  ['wine.csv', 'wine — cultivar (classification, 178 rows)'],
  ['housing_like.csv', 'housing-like — price (regression, text column)'],
];

export const isExample = (name) => EXAMPLES.some(([f]) => f === name);

const dataError = () => $('#data-error');
let loading = false;
let sources = null; // www/formats.js: any format, URLs, the sheet/table picker
const sourceState = { dataUrl: null }; // the URL the data came from (never the data), or null
// The default example (iris, 757 bytes gzip), fetched at start-up so that Load waits for no
// request: [file, Promise<Blob | null>], used once.
let prefetched = null;

export function setupData() {
  const sel = $('#example-select');
  for (const [file, label] of EXAMPLES) sel.append(el('option', { value: file }, label));
  sel.value = 'iris.csv';
  prefetched = [sel.value, fetchExample(sel.value).catch(() => null)];
  $('#load-example').addEventListener('click', async () => {
    const file = sel.value;
    clearError(dataError());
    try {
      await loadExample(file);
    } catch (e) {
      showError(dataError(), `Could not fetch the example ${file}: ${e.message}`);
    }
  });
  $('#csv-file').addEventListener('change', async (ev) => {
    const f = ev.target.files[0];
    ev.target.value = '';
    if (f) await loadFile(f);
  });
  const zone = $('#drop-zone');
  zone.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', async (ev) => {
    ev.preventDefault();
    zone.classList.remove('over');
    const f = ev.dataTransfer?.files?.[0];
    if (f) await loadFile(f);
  });
  // A different delimiter re-reads the loaded file at once.
  $('#delimiter-select').addEventListener('change', () => {
    const d = store.get('data');
    if (d && !loading) loadData(d.blob, d.name, d.types);
  });
  $('#data-cancel').addEventListener('click', cancelLoad);
  sources = setupSources({ client, state: sourceState, ui: { dataError: dataError() }, loadData: (b, n, t) => loadData(b, n, t, loading), setStatus });
  store.on('load-example', (name) => loadExample(name));
  // On during follow-up work (the model view after a result): a pick then waits (readyToLoad).
  const buttons = () => {
    for (const id of ['#csv-file', '#load-example']) $(id).disabled = workerBusy() && !store.get('follow-up');
  };
  store.on('busy-changed', buttons);
  store.on('restoring-changed', buttons);
  store.on('follow-up-changed', buttons);
}

let lastPick = 0; // the latest load asked for while the worker was busy (an earlier one gives way)

/**
 * Whether `name` may load now. Training (a run the user asked for) refuses it, as before; the
 * page's follow-up work after a result (the out-of-fold pictures, the model view's fit on all
 * rows and, on the first result, the move to the full module: ≈ 1 s) is not the user's request,
 * so the load waits for it to end, saying so, then goes ahead. A later pick replaces a waiting one.
 */
async function readyToLoad(name) {
  // Called when busy only, so that a load with nothing running shows its progress synchronously.
  const pick = ++lastPick;
  while (store.get('busy')) {
    if (!store.get('follow-up')) {
      showError(dataError(), 'Training is running: cancel it or wait before loading other data.');
      return false;
    }
    setStatus(`waiting for the model view to be drawn, then loading ${name}…`);
    const text = $('#data-progress-text');
    text.textContent = `${name} waits for the model view (a fit on all rows) to end…`;
    $('#data-progress').removeAttribute('value'); // indeterminate
    $('#data-progress-row').hidden = false;
    delete $('#data-progress-row').dataset.done;
    await whenNotBusy();
    if (pick !== lastPick) return false;
  }
  return true;
}

/** The read options from the data controls (JSON, '' = defaults). */
function readOptions(types) {
  const o = {};
  if ($('#skip-malformed').checked) o.skip_malformed_rows = true;
  const d = $('#delimiter-select').value;
  if (d) o.delimiter = d;
  if (types && Object.keys(types).length) o.types = types;
  return Object.keys(o).length ? JSON.stringify(o) : '';
}

const MB = (n) => `${(n / 1048576).toFixed(n < 10485760 ? 2 : 1)} MB`;

/** Cancel a running read: the worker restarts and gets the previous data back. */
async function cancelLoad() {
  $('#data-progress-text').textContent = 'cancelled — restarting the worker…';
  try {
    await restartWorker();
    const d = store.get('data');
    $('#data-progress-text').textContent = d ? `cancelled; ${d.name} is still loaded` : 'cancelled';
  } catch (e) {
    showError(dataError(), `restarting the worker failed: ${e.message}`);
  }
}

async function fetchExample(file) {
  const res = await fetch(new URL(`./datasets/${file}`, import.meta.url));
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.blob();
}

async function loadExample(file) {
  const early = prefetched?.[0] === file ? await prefetched[1] : null;
  prefetched = null;
  await loadData(early ?? (await fetchExample(file)), file);
}

async function loadFile(file) {
  clearError(dataError());
  // Not busy: no await before the read shows (its Cancel is live at once).
  if (store.get('busy') && !(await readyToLoad(file.name))) return;
  sourceState.dataUrl = null;
  // Cancel is offered at once, while the worker works out the format (a drop can be
  // cancelled before its first byte is read); loadData takes the read over from there.
  showReading(file.name, file.size);
  try {
    // CSV is read as it is; Parquet, SQLite, Excel and JSON are converted first (www/formats.js).
    await sources.openSource(file, file.name);
  } catch (e) {
    if (!e.cancelled) showError(dataError(), `Could not read ${file.name}: ${e.message}`);
  } finally {
    if (loading) {
      // Nothing was read (a sheet or table is to be chosen, or the conversion failed).
      endReading();
      if (!$('#data-progress-text').textContent.startsWith('cancelled')) $('#data-progress-row').hidden = true;
    }
  }
}

/** The progress row with an enabled Cancel, and the page busy. */
function showReading(name, size) {
  const bar = $('#data-progress');
  bar.max = Math.max(1, size);
  bar.value = 0;
  $('#data-progress-text').textContent = `reading ${name}: 0 / ${MB(size)}`;
  $('#data-progress-row').hidden = false;
  delete $('#data-progress-row').dataset.done;
  $('#data-cancel').disabled = false;
  $('#data-cancel').hidden = false;
  loading = true;
  setBusy(true);
}

function endReading() {
  loading = false;
  setBusy(false);
  $('#data-cancel').disabled = true;
  $('#data-cancel').hidden = true;
}

/**
 * Reads a File/Blob in the worker (streamed in chunks, with progress and
 * Cancel), then profiles it. On error or cancel the previous data stays.
 * `begun`: loadFile already shows the progress row and holds the page busy.
 */
async function loadData(blob, name, types = {}, begun = false) {
  clearError(dataError());
  if (!begun && store.get('busy') && !(await readyToLoad(name))) return;
  setStatus(`reading ${name}…`);
  const options = readOptions(types);
  const bar = $('#data-progress');
  const text = $('#data-progress-text');
  showReading(name, blob.size);
  let summary;
  let profile = null;
  try {
    summary = await client.call('load_stream', { blob, options }, (done, total) => {
      bar.max = Math.max(1, total);
      bar.value = done;
      text.textContent = `reading ${name}: ${MB(done)} / ${MB(total)}`;
    });
    try {
      profile = await client.call('profile');
    } catch (e) {
      if (e.cancelled) throw e;
      showError(dataError(), `The data is loaded, but its profile failed: ${e.message}`);
    }
  } catch (e) {
    endReading();
    if (e.cancelled) {
      setStatus('ready');
      return; // cancelLoad() restores the previous data and says so
    }
    text.textContent = 'failed';
    await recoverIfFatal(e);
    const prev = store.get('data');
    const kept = prev ? ` The previously loaded data (${prev.name}) is still loaded.` : '';
    showError(dataError(), `Could not load ${name}: ${e.message}.${kept}`);
    setStatus('ready');
    return;
  }
  endReading();
  const secs = (summary.read_ms ?? 0) / 1000;
  text.textContent = `read ${MB(blob.size)} in ${secs.toFixed(2)} s` + (secs > 0 ? ` (${(blob.size / 1048576 / secs).toFixed(1)} MB/s)` : '');
  $('#data-progress-row').dataset.done = 'true';
  const data = { blob, options, types, name, summary, profile, example: isExample(name) && !(blob instanceof File) };
  renderData(data);
  await store.set('data', data);
  setStatus(`${name} loaded`);
}

function renderData(d) {
  const s = d.summary;
  $('#data-view').hidden = false;
  $('#data-info').textContent = `${d.name}: ${s.n_rows} rows × ${s.n_cols} columns · delimiter ${JSON.stringify(s.report.delimiter)} · ${s.report.encoding}`;
  const warn = clear($('#read-warnings'));
  const notes = [...s.report.warnings];
  for (const [from, to] of s.report.renamed_headers) notes.push(`column header ${JSON.stringify(from)} was renamed to ${JSON.stringify(to)}`);
  const sk = s.report.skipped_rows;
  if (sk.length) notes.push(`skipped ${sk.length} malformed row${sk.length > 1 ? 's' : ''} (line${sk.length > 1 ? 's' : ''} ${sk.slice(0, 10).join(', ')}${sk.length > 10 ? ', …' : ''})`);
  for (const n of notes) warn.append(el('p', {}, '⚠ ', n));

  if (d.profile) {
    renderProfile($('#profile-view'), d.profile, {
      types: d.types,
      onApplyTypes: (types) => loadData(d.blob, d.name, types),
    });
  } else clearProfile($('#profile-view'));

  const ct = clear($('#columns-table'));
  ct.append(el('thead', {}, el('tr', {}, el('th', {}, 'use'), el('th', {}, 'column'), el('th', {}, 'type'), el('th', { class: 'num' }, 'missing'), el('th', { class: 'num' }, 'distinct'))));
  const body = el('tbody');
  s.columns.forEach((c, i) => {
    const box = el('input', { type: 'checkbox', id: `use-col-${i}`, class: 'use-col', dataset: { col: c.name } });
    box.checked = true;
    body.append(
      el('tr', { dataset: { col: c.name } },
        el('td', {}, box),
        el('td', {}, el('label', { for: `use-col-${i}` }, c.name), el('span', { class: 'stage-tag target-tag', hidden: true }, 'target')),
        el('td', {}, el('span', { class: `type type-${c.type}` }, c.type)),
        el('td', { class: 'num' }, c.missing),
        el('td', { class: 'num' }, c.distinct)),
    );
  });
  ct.append(body);

  const pt = clear($('#preview-table'));
  pt.append(el('thead', {}, el('tr', {}, s.columns.map((c) => el('th', {}, c.name)))));
  const pb = el('tbody');
  for (const row of s.preview.slice(0, 12)) {
    pb.append(el('tr', {}, row.map((v) => (v === null ? el('td', { class: 'missing' }, '—') : el('td', {}, fmtCell(v))))));
  }
  pt.append(pb);
}
