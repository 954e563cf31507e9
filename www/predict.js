// Area 4, predict: the session's current model (store value `model`: trained on
// this page, the best of a search, retrained, or loaded from a file) summarised;
// a model file loaded (its pipeline goes back into the editor); predictions for a
// CSV or for the loaded table, shown and downloaded.
import { $, el, append, clear, showError, clearError, fmt, download, parseCsv, fmtCell } from './dom.js';
import { lineageView, performanceView } from './monitor.js';
import { store } from './store.js';
import { emit } from './events.js';
import { client, setStatus, workerBusy, recoverIfFatal, adoptModel, ensureModel } from './session.js';

let predictionSource = null; // what the shown predictions were made of: {bytes | null (the loaded table), blob, modelText}
let predictionsName = 'predictions.csv';
let waitingSpec = null; // a loaded model file's spec, waiting for data to go into the editor

const predictError = () => $('#predict-error');

export function setupPredict() {
  $('#model-file').addEventListener('change', async (ev) => {
    const f = ev.target.files[0];
    ev.target.value = '';
    if (f) await loadModelFile(f);
  });
  $('#predict-file').addEventListener('change', async (ev) => {
    const f = ev.target.files[0];
    ev.target.value = '';
    if (f) await predict(new Uint8Array(await f.arrayBuffer()), f.name);
  });
  $('#predict-loaded').addEventListener('click', async () => {
    const data = store.get('data');
    if (!data) {
      showError(predictError(), 'No data loaded: load a CSV in step 1 first.');
      return;
    }
    // The worker's session holds the loaded table: no second read of the file.
    await predict(null, data.name);
  });
  $('#download-predictions').addEventListener('click', downloadPredictions);
  store.on('model-changed', (m) => {
    say(''); // the note about a model file's pipeline is about that file only
    if (m) renderModelSummary(m.summary, m.source);
  });
  // The pipeline area opens a waiting spec when data comes (it listens first): say what happened.
  store.on('data-changed', (d) => {
    const spec = waitingSpec;
    waitingSpec = null;
    if (spec && d) restoreNote(spec, d, 'opened');
  });
  const buttons = () => {
    for (const id of ['#model-file', '#predict-file', '#predict-loaded']) $(id).disabled = workerBusy();
  };
  store.on('busy-changed', buttons);
  store.on('restoring-changed', buttons);
}

/** Loads a model file: it becomes the session's model, and its pipeline goes back into the editor. */
async function loadModelFile(f) {
  clearError(predictError());
  let text;
  try {
    text = await f.text();
    await client.call('load_model', { text });
    await adoptModel(text, f.name);
    emit('model-loaded', { text, source: 'file' });
  } catch (e) {
    const kept = store.get('model') ? ' The previously loaded model is still in use.' : '';
    showError(predictError(), `Could not load ${f.name}: ${e.message}.${kept}`);
    await recoverIfFatal(e);
    return;
  }
  // The file holds the spec it was trained from (the worker has just read it).
  const spec = JSON.parse(text).spec;
  const data = store.get('data');
  waitingSpec = null;
  if (!restoreNote(spec, data, null)) return;
  try {
    const [how] = await store.emit('open-spec', spec, { scroll: false, whenData: true });
    if (how === 'pending') waitingSpec = spec;
    restoreNote(spec, data, how);
  } catch (e) {
    say(`Its pipeline could not be put into the editor: ${e.message}`);
  }
}

function say(text) {
  const note = $('#model-restore');
  note.textContent = text;
  note.hidden = !text;
}

/** The note under the model summary: whether the model file's pipeline is in the editor. False when the data cannot take it. */
function restoreNote(spec, data, how) {
  if (data && spec.target !== undefined && !data.summary.columns.some((c) => c.name === spec.target)) {
    say(`Its pipeline is not put into the editor: ${data.name} has no column ${JSON.stringify(spec.target)} to predict.`);
    return false;
  }
  if (how === 'pending') say('Its pipeline will be put into the editor (step 2) when data is loaded.');
  else if (how === 'opened') say('Its pipeline is now in the editor (step 2): train it again, or change it.');
  return true;
}

function renderModelSummary(m, source) {
  const box = clear($('#model-summary'));
  box.classList.remove('muted');
  const cv = Object.entries(m.cv_metrics ?? {}).map(([k, v]) => `${k} ${fmt(v.mean, 4)} ± ${fmt(v.std, 3)}`);
  append(box,
    el('p', {}, el('strong', {}, m.model), ` predicting `, el('code', {}, m.target ?? '(clusters)'), ` · ${m.task} · from ${source}`),
    el('p', { class: 'muted' }, `trained on ${m.n_train_rows} rows · reads columns: ${m.schema.map((s) => `${s.name} (${s.type})`).join(', ')}`),
    m.classes?.length ? el('p', { class: 'muted' }, `classes: ${m.classes.join(', ')}`) : null,
    el('p', { class: 'muted' }, `${m.feature_names.length} features reach the model`),
    cv.length ? el('p', { class: 'muted' }, `cross-validated: ${cv.join(' · ')}`) : null,
    lineageView(m.lineage),
    m.has_reference ? null : el('p', { class: 'muted' }, 'This file holds no training reference: the Monitor needs a model trained by this version.'));
  box.dataset.loaded = 'true';
}

// The whole predictions CSV is written when it is downloaded (for a large file it is
// tens of megabytes: every input column again), by the model and data that made the
// predictions on show.
async function downloadPredictions() {
  const src = predictionSource;
  if (!src) return;
  clearError(predictError());
  if (src.modelText !== store.get('model')?.text || (!src.bytes && src.blob !== store.get('data')?.blob)) {
    showError(predictError(), 'The model or the loaded data changed since these predictions were made: predict again, then download.');
    return;
  }
  setStatus('writing the predictions CSV…');
  try {
    download(await client.call('predictions_csv', { bytes: src.bytes }), predictionsName, 'text/csv');
  } catch (e) {
    showError(predictError(), `Could not write the predictions: ${e.message}`);
    await recoverIfFatal(e);
  }
  setStatus('ready');
}

// Predicts CSV bytes, or the loaded table when `bytes` is null, with the current model
// (the one trained last is fitted on all rows first if it was not yet).
async function predict(bytes, name) {
  clearError(predictError());
  setStatus(`predicting ${name}…`);
  try {
    const modelText = await ensureModel();
    const { n_rows: nRows, head_csv: head, warnings, performance } = bytes ? await client.call('predict_csv', { bytes }) : await client.call('predict_loaded', {});
    predictionSource = { bytes, blob: store.get('data')?.blob ?? null, modelText };
    predictionsName = `${name.replace(/\.[^.]*$/, '')}-predictions.csv`;
    const rows = parseCsv(head);
    const header = rows.shift() ?? [];
    const predCol = Math.max(0, header.indexOf('prediction'));
    // Show the prediction (and probability) columns first, then the input's columns.
    const order = [...header.keys()].slice(predCol).concat([...header.keys()].slice(0, predCol));
    const cls = (i) => (i >= predCol ? 'pred' : '');
    $('#predictions').hidden = false;
    $('#predictions-info').textContent = `${nRows} predictions for ${name}; the first ${Math.min(nRows, 15)} are shown.`;
    emit('predicted', { modelText, name, nRows });
    const t = clear($('#predictions-table'));
    t.append(el('thead', {}, el('tr', {}, order.map((i) => el('th', { class: cls(i) }, header[i])))));
    t.append(el('tbody', {}, rows.slice(0, 15).map((r) => el('tr', {}, order.map((i) => el('td', { class: cls(i) }, fmtCell(r[i])))))));
    // The rows hold the target column: how the model scores on them, against its CV.
    const extra = clear($('#predictions-scored'));
    if (performance) append(extra, performanceView(performance, 'predictions-performance', 'rows predicted'));
    if (warnings?.length) append(extra, el('p', { class: 'muted', dataset: { testid: 'predictions-warnings' } }, warnings.join(' · ')));
    setStatus('ready');
  } catch (e) {
    showError(predictError(), `Could not predict ${name}: ${e.message}`);
    setStatus('ready');
    await recoverIfFatal(e);
  }
}
