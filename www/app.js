// The page: builds a pipeline spec from forms (generated from the core's
// catalogue), sends it to the worker, shows the results. It never touches the
// wasm module itself (see protocol.js) and never puts user data into HTML.
import { WorkerClient } from './protocol.js';
import { $, el, append, clear, showError, clearError, fmt, download, parseCsv } from './dom.js';
import { paramForm } from './forms.js';
import { renderProfile, clearProfile } from './profile.js';
import { fillPalette, wirePreview, resetPreview, notePreviewSpec, topLevelOnly } from './steps.js';
import { inferTask, modelNote } from './model_picker.js';
import { renderInspection } from './model_view.js';
import { renderClustering } from './cluster_view.js';
import { drawFoldChart, renderDiagnostics, renderCurve, destroyCharts, CAPTIONS, suggestValues, parseValues, curveParams } from './eval_charts.js';
import { syncCvForm, fillGroupColumns, cvFromForm, holdoutFromForm } from './eval_form.js';
import { setupSearch, searchDataChanged, addSearchBlock, searchMetrics } from './search.js';
import { setupMonitor, lineageView } from './monitor.js';

import { setupRuns, recordRun, fillForm } from './runs.js';
import { setupExport } from './export.js';
import { setupSources } from './formats.js';

import { wireCode, noteCodeSpec } from './code.js';

const EXAMPLES = [
  ['iris.csv', 'iris — flower species (classification, 150 rows)'],
  ['diabetes.csv', 'diabetes — disease progression (regression, 442 rows)'],
  ['breast_cancer.csv', 'breast cancer — malignant or benign (classification, 569 rows)'],
  ['titanic_like.csv', 'titanic-like — survival, missing values & text (classification)'],
  ['wine.csv', 'wine — cultivar (classification, 178 rows)'],
  ['housing_like.csv', 'housing-like — price (regression, text column)'],
];
const DEFAULT_METRICS = {
  regression: ['rmse', 'mae', 'r2'],
  classification: ['accuracy', 'f1_macro', 'roc_auc'],
};

const state = {
  catalog: null,
  blob: null, // the loaded CSV (a File or Blob, never a copy), kept so a restarted worker gets it back
  options: '', // the read options it was loaded with (JSON)
  types: {}, // column type overrides the data was loaded with
  profile: null,
  loading: false,
  dataName: '',
  summary: null,
  steps: [], // {info, form, node}
  branchSteps: { num: [], cat: [] }, // steps added from the palette to the ColumnTransformer branches, after the built-in ones
  modelForm: null,
  lastSpec: null, // spec JSON of the last successful cross-validation
  lastReport: null,
  modelText: null, // the session's current model file, kept for worker restarts
  predictionSource: null, // what the shown predictions were made of: {bytes | null (the loaded table), blob, modelText}
  predictionsName: 'predictions.csv',
  chart: null,
  busy: false,
  restoring: false,
  task: null, // 'classification' | 'regression' | 'clustering' (model picker)
  taskByUser: false, // chosen with the task selector or a model of another task
  taskReason: '', // why the target suggests the task
};

const client = new WorkerClient();
let sources = null; // www/formats.js: any format, URLs, the sheet/table picker

const ui = {
  status: $('#status'),
  dataError: $('#data-error'),
  trainError: $('#train-error'),
  predictError: $('#predict-error'),
};

function setStatus(text) {
  ui.status.textContent = text;
}

// ---------------------------------------------------------------- start-up

async function main() {
  wireData();
  wirePipeline();
  wireResults();
  wirePredict();
  setupSearch({ client, state, buildSpec, updateSpecView, setBusy, recoverIfFatal, adoptModel, recordRun });
  setupMonitor({ client, setBusy, recoverIfFatal, adoptModel, ensureModel });
  setupRuns({ client, state, openSpec, loadExample: (name) => loadExample(name), isExample: (name) => EXAMPLES.some(([f]) => f === name) });
  setupExport({ client, state, recoverIfFatal });
  try {
    const { catalog, version } = await client.call('init');
    state.catalog = catalog;
    $('#version').textContent = version;
    buildCatalogControls();
    setStatus('ready');
    document.body.dataset.ready = 'true';
  } catch (e) {
    setStatus('failed to start');
    showError(ui.dataError, `pipelab could not start its WebAssembly worker: ${e.message}`);
  }
}

// A worker restart (Cancel, or an internal error) loses the wasm session:
// give the new one the data and the model back, so the user keeps both.
async function restoreWorker() {
  state.restoring = true;
  refreshButtons();
  try {
    await client.call('init');
    if (state.blob) await client.call('load_stream', { blob: state.blob, options: state.options });
    if (state.modelText) await client.call('load_model', { text: state.modelText });
  } finally {
    state.restoring = false;
    refreshButtons();
  }
}

async function recoverIfFatal(e) {
  if (!e.fatal) return;
  client.restart();
  try {
    await restoreWorker();
  } catch (e2) {
    showError(ui.dataError, `restarting the worker failed: ${e2.message}`);
  }
}

// ---------------------------------------------------------------- 1. data

function wireData() {
  const sel = $('#example-select');
  for (const [file, label] of EXAMPLES) sel.append(el('option', { value: file }, label));
  sel.value = 'iris.csv';
  $('#load-example').addEventListener('click', async () => {
    const file = sel.value;
    clearError(ui.dataError);
    try {
      await loadExample(file);
    } catch (e) {
      showError(ui.dataError, `Could not fetch the example ${file}: ${e.message}`);
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
    if (state.blob && !state.loading) loadData(state.blob, state.dataName, state.types);
  });
  $('#data-cancel').addEventListener('click', cancelLoad);
  sources = setupSources({ client, state, ui, loadData, setStatus });
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
  client.restart();
  $('#data-progress-text').textContent = 'cancelled — restarting the worker…';
  try {
    await restoreWorker();
    $('#data-progress-text').textContent = state.blob ? `cancelled; ${state.dataName} is still loaded` : 'cancelled';
  } catch (e) {
    showError(ui.dataError, `restarting the worker failed: ${e.message}`);
  }
}

async function loadExample(file) {
  const res = await fetch(new URL(`./datasets/${file}`, import.meta.url));
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  await loadData(await res.blob(), file);
}

async function loadFile(file) {
  clearError(ui.dataError);
  try {
    state.dataUrl = null;
    await sources.openSource(file, file.name);
  } catch (e) {
    showError(ui.dataError, `Could not read ${file.name}: ${e.message}`);
  }
}

/**
 * Reads a File/Blob in the worker (streamed in chunks, with progress and
 * Cancel), then profiles it. On error or cancel the previous data stays.
 */
async function loadData(blob, name, types = {}) {
  if (state.busy) {
    showError(ui.dataError, 'Training is running: cancel it or wait before loading other data.');
    return;
  }
  clearError(ui.dataError);
  setStatus(`reading ${name}…`);
  const options = readOptions(types);
  const bar = $('#data-progress');
  const text = $('#data-progress-text');
  bar.max = Math.max(1, blob.size);
  bar.value = 0;
  text.textContent = `reading ${name}: 0 / ${MB(blob.size)}`;
  $('#data-progress-row').hidden = false;
  delete $('#data-progress-row').dataset.done;
  $('#data-cancel').disabled = false;
  $('#data-cancel').hidden = false;
  state.loading = true;
  setBusy(true);
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
      showError(ui.dataError, `The data is loaded, but its profile failed: ${e.message}`);
    }
  } catch (e) {
    state.loading = false;
    setBusy(false);
    $('#data-cancel').disabled = true;
    if (e.cancelled) {
      setStatus('ready');
      return; // cancelLoad() restores the previous data and says so
    }
    text.textContent = 'failed';
    await recoverIfFatal(e);
    const kept = state.summary ? ` The previously loaded data (${state.dataName}) is still loaded.` : '';
    showError(ui.dataError, `Could not load ${name}: ${e.message}.${kept}`);
    setStatus('ready');
    return;
  }
  state.loading = false;
  setBusy(false);
  $('#data-cancel').disabled = true;
  $('#data-cancel').hidden = true;
  const secs = (summary.read_ms ?? 0) / 1000;
  text.textContent = `read ${MB(blob.size)} in ${secs.toFixed(2)} s` + (secs > 0 ? ` (${(blob.size / 1048576 / secs).toFixed(1)} MB/s)` : '');
  $('#data-progress-row').dataset.done = 'true';
  state.blob = blob;
  state.options = options;
  state.types = types;
  state.dataName = name;
  state.summary = summary;
  state.profile = profile;
  state.lastSpec = null;
  state.lastReport = null;
  $('#results-section').hidden = true;
  resetPreview();
  renderData();
  searchDataChanged();
  setupForData();
  setStatus(`${name} loaded`);
}

function renderData() {
  const s = state.summary;
  $('#data-view').hidden = false;
  $('#data-info').textContent = `${state.dataName}: ${s.n_rows} rows × ${s.n_cols} columns · delimiter ${JSON.stringify(s.report.delimiter)} · ${s.report.encoding}`;
  const warn = clear($('#read-warnings'));
  const notes = [...s.report.warnings];
  for (const [from, to] of s.report.renamed_headers) notes.push(`column header ${JSON.stringify(from)} was renamed to ${JSON.stringify(to)}`);
  const sk = s.report.skipped_rows;
  if (sk.length) notes.push(`skipped ${sk.length} malformed row${sk.length > 1 ? 's' : ''} (line${sk.length > 1 ? 's' : ''} ${sk.slice(0, 10).join(', ')}${sk.length > 10 ? ', …' : ''})`);
  for (const n of notes) warn.append(el('p', {}, '⚠ ', n));

  if (state.profile) {
    renderProfile($('#profile-view'), state.profile, {
      types: state.types,
      onApplyTypes: (types) => loadData(state.blob, state.dataName, types),
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
        el('td', {}, el('label', { for: `use-col-${i}` }, c.name)),
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

// ---------------------------------------------------------------- 2. pipeline

function wirePipeline() {
  const sec = $('#pipeline-section');
  sec.addEventListener('input', updateSpecView);
  sec.addEventListener('change', updateSpecView);
  $('#columns-table').addEventListener('change', updateSpecView);
  $('#target-select').addEventListener('change', () => {
    syncTargetRow();
    chooseModelForTarget();
  });
  $('#use-preprocess').addEventListener('change', () => {
    $('#preprocess-options').classList.toggle('disabled', !$('#use-preprocess').checked);
  });
  $('#model-select').addEventListener('change', () => setModel($('#model-select').value));
  $('#task-select').addEventListener('change', () => setTask($('#task-select').value, true));
  $('#show-model').addEventListener('click', () => showModel(state.lastSpec));
  $('#add-step').addEventListener('click', () => {
    addStep($('#add-step-select').value, $('#add-step-where').value);
    updateSpecView();
  });
  wirePreview({ client, buildSpec, onError: recoverIfFatal });
  wireCode(client);
  $('#cv-fieldset').addEventListener('change', syncCvForm);
  syncCvForm();
  $('#train').addEventListener('click', train);
  $('#cancel').addEventListener('click', cancel);
}

function buildCatalogControls() {
  const c = state.catalog;
  fillPalette($('#add-step-select'), c.steps, $('#add-step-help'));

  const ms = clear($('#model-select'));
  const groups = {};
  for (const m of c.models) (groups[m.group] ??= []).push(m);
  for (const [g, models] of Object.entries(groups)) {
    ms.append(el('optgroup', { label: g }, models.map((m) => el('option', { value: m.name }, m.name))));
  }
  // The preprocessing selects take their choices from the catalogue too.
  const imputer = c.steps.find((s) => s.name === 'SimpleImputer');
  const strategies = imputer?.params.find((p) => p.name === 'strategy')?.choices ?? [];
  for (const [id, dflt] of [['#num-imputer', 'median'], ['#cat-imputer', 'most_frequent']]) {
    const sel = clear($(id));
    sel.append(el('option', { value: '' }, 'none'));
    for (const s of strategies) sel.append(el('option', { value: s }, `strategy=${s}`));
    sel.value = strategies.includes(dflt) ? dflt : '';
  }
  $('#num-scaler').checked = true;
  const onehot = c.steps.find((s) => s.name === 'OneHotEncoder');
  const hu = clear($('#cat-onehot'));
  for (const s of onehot?.params.find((p) => p.name === 'handle_unknown')?.choices ?? []) hu.append(el('option', { value: s }, s));
  hu.append(el('option', { value: '' }, 'off (encode with palette steps)'));
  hu.value = 'ignore';
  renderSteps();
  setModel(ms.value);
}

function componentInfo(kind, name) {
  return state.catalog[kind].find((x) => x.name === name);
}

let stepSerial = 0;
/** Adds a step from the palette to the top-level steps (`where` = 'steps') or to a ColumnTransformer branch ('num' / 'cat'). */
function addStep(name, where = 'steps') {
  const info = componentInfo('steps', name);
  if (!info) return;
  if (where !== 'steps' && topLevelOnly(info)) {
    showError(ui.trainError, `${name} removes training rows, so it can only go in the top-level steps ("all features").`);
    return;
  }
  clearError(ui.trainError);
  const list = where === 'steps' ? state.steps : state.branchSteps[where];
  if (where !== 'steps' && !$('#use-preprocess').checked) {
    $('#use-preprocess').checked = true;
    $('#preprocess-options').classList.remove('disabled');
  }
  const serial = stepSerial++;
  const form = paramForm(info, `step${serial}`);
  const node = el('li', { class: 'step', dataset: { step: name } });
  const entry = { info, form, node };
  const move = (d) => {
    const i = list.indexOf(entry);
    const j = i + d;
    if (j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    renderSteps();
  };
  append(node,
    el('div', { class: 'step-head' },
      el('strong', {}, name),
      el('span', { class: 'muted' }, ' — ', info.help),
      el('span', { class: 'step-buttons' },
        el('button', { type: 'button', title: 'move up', 'aria-label': `move ${name} up`, onclick: () => move(-1) }, '↑'),
        el('button', { type: 'button', title: 'move down', 'aria-label': `move ${name} down`, onclick: () => move(1) }, '↓'),
        el('button', { type: 'button', class: 'remove', title: 'remove', 'aria-label': `remove ${name}`, onclick: () => {
          list.splice(list.indexOf(entry), 1);
          renderSteps();
        } }, '✕'))),
    form.node);
  list.push(entry);
  renderSteps();
}

function renderSteps() {
  const list = clear($('#steps-list'));
  state.steps.forEach((s, i) => {
    s.node.dataset.testid = `step-${i}`;
    list.append(s.node);
  });
  if (!state.steps.length) list.append(el('li', { class: 'muted empty' }, 'No steps: the features go straight to the model.'));
  for (const b of ['num', 'cat']) {
    const bl = clear($(`#${b}-steps-list`));
    state.branchSteps[b].forEach((s, i) => {
      s.node.dataset.testid = `${b}-step-${i}`;
      bl.append(s.node);
    });
    if (!state.branchSteps[b].length) bl.append(el('li', { class: 'muted empty' }, 'nothing more'));
  }
  updateSpecView();
}

function modelTask(name) {
  return componentInfo('models', name)?.group ?? 'regression';
}

function setModel(name) {
  const info = componentInfo('models', name);
  if (!info) return;
  const prevTask = state.modelForm ? modelTask(state.modelForm.name) : null;
  $('#model-select').value = name;
  $('#model-help').textContent = info.help;
  const form = paramForm(info, 'model');
  form.name = name;
  state.modelForm = form;
  clear($('#model-params')).append(form.node);
  const task = info.group;
  $('#model-note').textContent = modelNote(name, state.summary?.n_rows ?? 0);
  $('#model-note').hidden = !$('#model-note').textContent;
  if (task !== state.task) {
    // Picking a model of another task overrides the inferred task.
    state.taskByUser = state.task !== null;
    state.task = task;
  }
  updateTaskView();
  if (task !== prevTask) {
    renderMetrics(task);
    searchMetrics(task);
    $('#cv-splitter').value = task === 'classification' ? 'StratifiedKFold' : 'KFold';
    syncCvForm();
  }
  updateSpecView();
}

function renderMetrics(task) {
  const box = clear($('#metrics'));
  for (const m of state.catalog.metrics[task] ?? []) {
    const id = `metric-${m}`;
    const cb = el('input', { type: 'checkbox', id, value: m, dataset: { metric: m } });
    cb.checked = (DEFAULT_METRICS[task] ?? []).includes(m);
    box.append(el('label', { class: 'check', for: id }, cb, ' ', m));
  }
}

function featureColumns() {
  const target = $('#target-select').value;
  return state.summary.columns.filter((c) => c.name !== target && $(`.use-col[data-col="${CSS.escape(c.name)}"]`)?.checked);
}

function syncTargetRow() {
  const target = $('#target-select').value;
  for (const box of document.querySelectorAll('.use-col')) {
    const isTarget = box.dataset.col === target;
    box.disabled = isTarget;
    box.closest('tr').classList.toggle('target-row', isTarget);
  }
  const col = state.summary.columns.find((c) => c.name === target);
  $('#target-info').textContent = col ? `${col.type}, ${col.distinct} distinct values${col.missing ? `, ${col.missing} missing (those rows are left out)` : ''}` : '';
}

/** Infers the task from the target (see model_picker.js) and picks a model of that task. */
function chooseModelForTarget() {
  const target = $('#target-select').value;
  const col = state.summary.columns.find((c) => c.name === target);
  const { task, reason } = inferTask(col, state.summary);
  state.taskReason = reason;
  // A chosen clustering keeps the column as reference labels.
  if (state.task === 'clustering' && state.taskByUser && col) {
    updateTaskView();
    updateSpecView();
    return;
  }
  setTask(task, false);
}

/** Sets the task (from the selector, or inferred): a model of that task is picked if needed. */
function setTask(task, byUser) {
  state.taskByUser = byUser;
  if (task !== 'clustering' && !$('#target-select').value && state.summary) {
    // Supervised learning needs a target: the last column is the usual place.
    $('#target-select').value = state.summary.columns[state.summary.columns.length - 1]?.name ?? '';
    syncTargetRow();
    state.taskReason = inferTask(state.summary.columns.find((c) => c.name === $('#target-select').value), state.summary).reason;
  }
  if (modelTask($('#model-select').value) !== task) {
    const m = state.catalog.models.find((x) => x.group === task);
    state.task = task;
    if (m) setModel(m.name);
  }
  state.task = task;
  state.taskByUser = byUser;
  updateTaskView();
  updateSpecView();
}

/** The task selector, its explanation, and the controls that only supervised learning has. */
function updateTaskView() {
  const task = state.task;
  if (!task) return;
  const clustering = task === 'clustering';
  $('#task-select').value = task;
  const target = $('#target-select').value;
  const inferred = state.summary ? inferTask(state.summary.columns.find((c) => c.name === target), state.summary).task : task;
  let info = state.taskByUser && inferred !== task ? `chosen by you (the target suggests ${inferred})` : state.taskReason ? `inferred: ${state.taskReason}` : '';
  if (clustering) {
    info += target
      ? ` · ${target} is kept out of the features and only compared with the clusters (adjusted Rand, NMI); choose (none) to drop that comparison`
      : ' · every ticked column is a feature';
  }
  $('#task-info').textContent = info;
  const lab = document.querySelector('label[for="target-select"]');
  if (lab) lab.textContent = clustering ? 'Reference labels (optional, never used to fit)' : 'Column to predict';
  $('#cv-splitter').closest('fieldset').hidden = clustering;
  $('#metrics').closest('fieldset').hidden = clustering;
  $('#train').textContent = clustering ? 'Fit & evaluate the clustering' : 'Train & cross-validate';
}

function setupForData() {
  const s = state.summary;
  const ts = clear($('#target-select'));
  ts.append(el('option', { value: '' }, '(none: clustering)'));
  for (const c of s.columns) ts.append(el('option', { value: c.name }, c.name));
  // The last column is the usual place for the target.
  ts.value = s.columns[s.columns.length - 1]?.name ?? '';
  // Untick columns that look like identifiers (all-distinct, named *id*) or
  // free text (a text column with a different value in most rows, like a name):
  // one-hot encoding those only adds noise.
  for (const c of s.columns) {
    const idLike = /(^|_)id$/i.test(c.name) && c.distinct === s.n_rows;
    const freeText = c.type === 'categorical' && s.n_rows >= 20 && c.distinct > 0.5 * s.n_rows;
    if (idLike || freeText) {
      const box = $(`.use-col[data-col="${CSS.escape(c.name)}"]`);
      if (box) box.checked = false;
    }
  }
  syncTargetRow();
  fillGroupColumns(s.columns);
  const feats = featureColumns();
  const needsPrep = feats.some((c) => c.type !== 'numeric' || c.missing > 0);
  $('#use-preprocess').checked = needsPrep;
  $('#preprocess-options').classList.toggle('disabled', !needsPrep);
  $('#pipeline-section').hidden = false;
  state.taskByUser = false; // new data: the task is inferred again
  chooseModelForTarget();
  updateSpecView();
}

/** The spec from the forms; throws an Error with a readable message. */
function buildSpec() {
  const spec = {};
  const target = $('#target-select').value;
  const clustering = modelTask(state.modelForm.name) === 'clustering';
  if (!target && !clustering) throw new Error('choose the target column');
  if (target) spec.target = target;
  const drop = state.summary.columns
    .filter((c) => c.name !== target && !$(`.use-col[data-col="${CSS.escape(c.name)}"]`)?.checked)
    .map((c) => c.name);
  if (drop.length) spec.drop = drop;
  if ($('#use-preprocess').checked) {
    const feats = featureColumns();
    const has = (t) => feats.some((c) => c.type === t);
    const transformers = [];
    if (has('numeric')) {
      const steps = [];
      if ($('#num-imputer').value) steps.push({ SimpleImputer: { strategy: $('#num-imputer').value } });
      if ($('#num-scaler').checked) steps.push({ StandardScaler: {} });
      for (const s of state.branchSteps.num) steps.push({ [s.info.name]: s.form.values() });
      transformers.push({ name: 'num', columns: { dtype: 'numeric' }, steps });
    }
    if (has('categorical')) {
      const steps = [];
      if ($('#cat-imputer').value) steps.push({ SimpleImputer: { strategy: $('#cat-imputer').value } });
      if ($('#cat-onehot').value) steps.push({ OneHotEncoder: { handle_unknown: $('#cat-onehot').value } });
      for (const s of state.branchSteps.cat) steps.push({ [s.info.name]: s.form.values() });
      transformers.push({ name: 'cat', columns: { dtype: 'categorical' }, steps });
    }
    for (const [b, type] of [['num', 'numeric'], ['cat', 'categorical']]) {
      if (state.branchSteps[b].length && !has(type)) throw new Error(`preprocessing: the ${b} branch has steps but no ${type} feature column is selected`);
    }
    if (has('boolean')) {
      transformers.push({ name: 'bool', columns: { dtype: 'boolean' }, steps: [{ SimpleImputer: { strategy: 'most_frequent' } }] });
    }
    if (!transformers.length) throw new Error('preprocessing: no feature columns selected');
    spec.preprocess = { transformers, remainder: $('#remainder').value };
  }
  if (state.steps.length) spec.steps = state.steps.map((s) => ({ [s.info.name]: s.form.values() }));
  spec.model = { [state.modelForm.name]: state.modelForm.values() };
  if (clustering) return spec; // fitted on every row and scored without a target: no CV, no scoring
  spec.cv = cvFromForm();
  const holdout = holdoutFromForm();
  if (holdout) spec.holdout = holdout;
  const scoring = [...document.querySelectorAll('#metrics input:checked')].map((b) => b.value);
  if (!scoring.length) throw new Error('choose at least one metric');
  spec.scoring = scoring;
  return spec;
}

/** Puts a spec back into the editor (the Runs view's "open"). */
function openSpec(spec) {
  if (!state.summary) throw new Error('load data first');
  if (spec.target !== undefined) {
    $('#target-select').value = spec.target;
    $('#target-select').dispatchEvent(new Event('change'));
  }
  for (const c of state.summary.columns) {
    const box = $(`.use-col[data-col="${CSS.escape(c.name)}"]`);
    if (box && c.name !== spec.target) box.checked = !(spec.drop ?? []).includes(c.name);
  }
  const pre = spec.preprocess;
  $('#use-preprocess').checked = !!pre;
  $('#use-preprocess').dispatchEvent(new Event('change'));
  state.branchSteps = { num: [], cat: [] };
  state.steps = [];
  const addFilled = (s, where) => {
    const [name, params] = Object.entries(s)[0];
    addStep(name, where);
    const list = where === 'steps' ? state.steps : state.branchSteps[where];
    if (list.length) fillForm(list[list.length - 1].form, params);
  };
  if (pre) {
    const steps = (n) => [...(pre.transformers.find((t) => t.name === n)?.steps ?? [])];
    const first = (list, cls) => (list[0] && cls in list[0] ? list.shift()[cls] : null);
    const [num, cat] = [steps('num'), steps('cat')];
    const ni = first(num, 'SimpleImputer');
    $('#num-imputer').value = ni ? ni.strategy ?? 'mean' : '';
    $('#num-scaler').checked = !!first(num, 'StandardScaler');
    const ci = first(cat, 'SimpleImputer');
    $('#cat-imputer').value = ci ? ci.strategy ?? 'mean' : '';
    const oh = first(cat, 'OneHotEncoder');
    $('#cat-onehot').value = oh ? oh.handle_unknown ?? 'error' : '';
    for (const s of num) addFilled(s, 'num');
    for (const s of cat) addFilled(s, 'cat');
    $('#remainder').value = pre.remainder ?? 'drop';
  }
  for (const s of spec.steps ?? []) addFilled(s, 'steps');
  const [model, mparams] = Object.entries(spec.model)[0];
  setModel(model);
  fillForm(state.modelForm, mparams);
  if (spec.cv) {
    const [splitter, cp] = Object.entries(spec.cv)[0];
    $('#cv-splitter').value = splitter;
    if (cp.n_splits !== undefined) $('#cv-n-splits').value = cp.n_splits;
    $('#cv-shuffle').checked = !!cp.shuffle;
    if (cp.random_state !== undefined) $('#cv-random-state').value = cp.random_state;
    syncCvForm();
  }
  if (spec.scoring?.length) for (const b of document.querySelectorAll('#metrics input')) b.checked = spec.scoring.includes(b.value);
  renderSteps();
  updateSpecView();
  $('#pipeline-section').scrollIntoView({ block: 'start' });
}

function updateSpecView() {
  if (!state.summary || !state.modelForm) return;
  const ta = $('#spec-json');
  try {
    const spec = buildSpec();
    ta.value = JSON.stringify(addSearchBlock(structuredClone(spec)), null, 2);
    ta.classList.remove('invalid');
    notePreviewSpec(JSON.stringify(spec));
    noteCodeSpec(ta.value);
  } catch (e) {
    ta.value = `// ${e.message}`;
    ta.classList.add('invalid');
  }
}

function setBusy(busy) {
  state.busy = busy;
  refreshButtons();
}

// Buttons are off while a call runs or while a restarted worker gets its data back.
function refreshButtons() {
  const off = state.busy || state.restoring;
  $('#train').disabled = off;
  $('#cancel').disabled = !state.busy;
  $('#download-model').disabled = off;
  for (const id of ['#csv-file', '#load-example', '#model-file', '#predict-file', '#predict-loaded', '#lc-run', '#vc-run']) $(id).disabled = off;
}

async function train() {
  clearError(ui.trainError);
  let spec;
  try {
    spec = JSON.stringify(buildSpec(), null, 2);
  } catch (e) {
    showError(ui.trainError, e.message);
    return;
  }
  if (modelTask(state.modelForm.name) === 'clustering') return trainClustering(spec);
  const progress = $('#progress');
  const text = $('#progress-text');
  progress.max = 1;
  progress.value = 0;
  text.textContent = 'starting…';
  setBusy(true);
  setStatus('training…');
  const t0 = performance.now();
  try {
    const report = await client.call('cross_validate', { spec }, (done, total) => {
      progress.max = total;
      progress.value = done;
      text.textContent = `fold ${done} / ${total} done`;
    });
    state.lastSpec = spec;
    state.lastReport = report;
    text.textContent = `done in ${((performance.now() - t0) / 1000).toFixed(2)} s`;
    renderResults(report);
    recordRun('cv', { spec, report }); // the run history (www/runs.js); never throws
    $('#results-section .results-cols').hidden = false;
    $('#cluster-view').hidden = true;
    for (const id of ['#eval-diagnostics', '#eval-curves']) $(id).hidden = false;
    await loadDiagnostics();
    setStatus('trained');
    await autoShowModel(spec);
  } catch (e) {
    await runFailed(e, text);
  } finally {
    setBusy(false);
  }
}

// ---------------------------------------------------------------- models area: clustering and the model view

/** A failed or cancelled training run: the progress line says which, the error is shown, the worker recovers. */
async function runFailed(e, text) {
  if (e.cancelled) {
    text.textContent = 'cancelled';
  } else {
    text.textContent = 'failed';
    showError(ui.trainError, e.message);
    await recoverIfFatal(e);
  }
  setStatus('ready');
}

/** Fits a clustering on every row (no cross-validation: nothing to score against). */
async function trainClustering(spec) {
  const progress = $('#progress');
  const text = $('#progress-text');
  progress.max = 1;
  progress.value = 0;
  text.textContent = 'fitting the clustering on every row…';
  setBusy(true);
  setStatus('clustering…');
  const t0 = performance.now();
  try {
    const res = await client.call('fit_clustering', { spec });
    progress.value = 1;
    state.lastSpec = spec;
    state.lastReport = null;
    state.modelText = res.model_text;
    text.textContent = `done in ${((performance.now() - t0) / 1000).toFixed(2)} s`;
    const r = res.view.report;
    $('#results-section').hidden = false;
    $('#results-section .results-cols').hidden = true;
    // The cross-validation pictures belong to supervised runs.
    for (const id of ['#eval-diagnostics', '#eval-curves', '#holdout-result']) $(id).hidden = true;
    clear($('#warnings'));
    $('#results-info').textContent = `clustering fitted on all ${r.n_rows} rows (no cross-validation: there is no target to score against)`;
    renderClustering($('#cluster-view'), res.view);
    recordRun('fit', { spec, model_text: res.model_text, scalars: r.metrics, fit_time_ms: performance.now() - t0 });
    renderInspection($('#model-view'), res.view.inspection, JSON.parse(spec));
    $('#show-model').hidden = true;
    $('#model-view-status').textContent = '';
    $('#model-status').textContent = '';
    // The session now holds this clustering model: the Predict section uses it.
    renderModelSummary(await client.call('model_summary'), 'trained on this page');
    setStatus('trained');
  } catch (e) {
    await runFailed(e, text);
  } finally {
    setBusy(false);
  }
}

/** Rows up to which the model view is fitted right after cross-validation (else: a button). */
const AUTO_MODEL_VIEW_ROWS = 20000;

async function autoShowModel(spec) {
  $('#model-view').hidden = true;
  $('#model-view-status').textContent = '';
  if ((state.summary?.n_rows ?? 0) <= AUTO_MODEL_VIEW_ROWS) {
    $('#show-model').hidden = true;
    await showModel(spec);
  } else {
    $('#show-model').hidden = false;
    $('#model-view-status').textContent = 'fits the pipeline once more, on all rows';
  }
}

/** Fits the spec on all rows (without replacing the loaded model) and draws what it learned. */
async function showModel(spec) {
  if (!spec) return;
  const status = $('#model-view-status');
  status.textContent = 'fitting on all rows to show the model…';
  const wasBusy = state.busy;
  setBusy(true);
  try {
    const ins = await client.call('inspect_fit', { spec });
    renderInspection($('#model-view'), ins, JSON.parse(spec));
    status.textContent = '';
    $('#show-model').hidden = true;
  } catch (e) {
    status.textContent = e.cancelled ? 'cancelled' : `Could not show the model: ${e.message}`;
    if (!e.cancelled) await recoverIfFatal(e);
  } finally {
    setBusy(wasBusy);
  }
}

async function cancel() {
  client.restart();
  $('#progress-text').textContent = 'cancelled — restarting the worker…';
  try {
    await restoreWorker();
    $('#progress-text').textContent = 'cancelled; your data is still loaded';
  } catch (e) {
    showError(ui.trainError, `restarting the worker failed: ${e.message}`);
  }
}

// ---------------------------------------------------------------- 3. results

function wireResults() {
  $('#chart-metric').addEventListener('change', () => drawChart(state.lastReport, $('#chart-metric').value));
  $('#download-model').addEventListener('click', downloadModel);
  $('#fold-caption').textContent = CAPTIONS.folds;
  $('#vc-param').addEventListener('change', () => {
    $('#vc-values').value = suggestValues(curveParamInfo($('#vc-param').value));
  });
  $('#lc-run').addEventListener('click', () => runCurve('learning'));
  $('#vc-run').addEventListener('click', () => runCurve('validation'));
}

/** The ParamInfo of a validation-curve path (model__<name>) in the last spec's model. */
function curveParamInfo(path) {
  const name = path.replace(/^model__/, '');
  return curveParams(componentInfo('models', state.lastModelName))?.find((p) => p.name === name);
}

/** Fills the validation-curve parameter picker from the model's parameter schema. */
function fillCurveParams() {
  const spec = JSON.parse(state.lastSpec);
  const model = Object.keys(spec.model)[0];
  if (state.lastModelName === model && $('#vc-param').options.length) return;
  state.lastModelName = model;
  const sel = clear($('#vc-param'));
  const ps = curveParams(componentInfo('models', model));
  for (const p of ps) sel.append(el('option', { value: `model__${p.name}`, title: p.help }, `model__${p.name}`));
  const preferred = ['C', 'alpha', 'max_depth', 'n_neighbors', 'n_estimators', 'learning_rate'].find((n) => ps.some((p) => p.name === n));
  if (preferred) sel.value = `model__${preferred}`;
  $('#vc-values').value = suggestValues(curveParamInfo(sel.value));
  $('#vc-run').hidden = !ps.length;
}

/** Out-of-fold pictures of the last cross-validation (confusion, ROC, PR, residuals). */
async function loadDiagnostics() {
  const box = $('#eval-diagnostics');
  try {
    const d = await client.call('cv_diagnostics');
    renderDiagnostics(box, d);
  } catch (e) {
    clear(box).append(el('p', { class: 'error' }, `Could not draw the out-of-fold pictures: ${e.message}`));
    await recoverIfFatal(e);
  }
}

/** Runs a learning or validation curve of the last cross-validated spec, with progress and Cancel. */
async function runCurve(kind) {
  if (!state.lastSpec || state.busy) return;
  const err = $('#curve-error');
  clearError(err);
  let params;
  try {
    if (kind === 'learning') {
      const sizes = $('#lc-sizes').value.split(',').map((x) => x.trim()).filter((x) => x !== '').map(Number);
      if (!sizes.length || sizes.some((x) => !Number.isFinite(x))) throw new Error('learning curve: train_sizes must be numbers separated by commas');
      params = { train_sizes: sizes, shuffle: $('#lc-shuffle').checked };
    } else {
      const path = $('#vc-param').value;
      if (!path) throw new Error('validation curve: this model has no parameter to vary');
      params = { param: path, values: parseValues($('#vc-values').value, curveParamInfo(path)) };
    }
  } catch (e) {
    showError(err, e.message);
    return;
  }
  const bar = $('#curve-progress');
  const status = $('#curve-status');
  bar.hidden = false;
  bar.value = 0;
  status.textContent = `${kind} curve: starting…`;
  setBusy(true);
  const t0 = performance.now();
  try {
    const c = await client.call(`${kind}_curve`, { spec: state.lastSpec, params: JSON.stringify(params) }, (done, total) => {
      bar.max = total;
      bar.value = done;
      status.textContent = `${kind} curve: fit ${done} / ${total}`;
    });
    renderCurve($(kind === 'learning' ? '#learning-curve' : '#validation-curve'), c);
    status.textContent = `${kind} curve done in ${((performance.now() - t0) / 1000).toFixed(2)} s`;
  } catch (e) {
    if (e.cancelled) status.textContent = `${kind} curve cancelled`;
    else {
      status.textContent = '';
      showError(err, e.message);
      await recoverIfFatal(e);
    }
  } finally {
    bar.hidden = true;
    setBusy(false);
  }
}

function renderResults(r) {
  $('#results-section').hidden = false;
  // Metrics in the order the spec lists them (the report's maps are sorted by name).
  let order = [];
  try {
    order = JSON.parse(state.lastSpec).scoring ?? [];
  } catch {}
  const metrics = [...order.filter((m) => m in r.metrics), ...Object.keys(r.metrics).filter((m) => !order.includes(m))];
  const nFolds = r.folds.length;
  $('#results-info').textContent =
    `${r.cv} · ${r.n_rows} rows · ${r.n_features_out} features reach the model · ${r.task}` +
    (r.classes?.length ? ` · classes: ${r.classes.join(', ')}` : '');

  const st = clear($('#summary-table'));
  st.append(el('thead', {}, el('tr', {}, el('th', {}, 'metric'), el('th', { class: 'num' }, 'test mean'), el('th', { class: 'num' }, '± std'), el('th', { class: 'num' }, 'train mean'))));
  const sb = el('tbody');
  for (const m of metrics) {
    const s = r.metrics[m];
    const tr = r.train_metrics?.[m];
    sb.append(el('tr', { dataset: { metric: m } },
      el('th', {}, m),
      el('td', { class: 'num mean', dataset: { testid: `mean-${m}` } }, fmt(s.mean)),
      el('td', { class: 'num std', dataset: { testid: `std-${m}` } }, fmt(s.std, 4)),
      el('td', { class: 'num muted' }, tr ? fmt(tr.mean) : '')));
  }
  st.append(sb);

  const ft = clear($('#folds-table'));
  ft.append(el('thead', {}, el('tr', {}, el('th', {}, 'fold'), el('th', { class: 'num' }, 'train rows'), el('th', { class: 'num' }, 'test rows'),
    el('th', { class: 'num' }, 'fit ms'), el('th', { class: 'num' }, 'score ms'), metrics.map((m) => el('th', { class: 'num' }, m)))));
  const fb = el('tbody');
  for (let i = 0; i < nFolds; i++) {
    const f = r.folds[i];
    fb.append(el('tr', {}, el('td', {}, i + 1), el('td', { class: 'num' }, f.n_train), el('td', { class: 'num' }, f.n_test),
      el('td', { class: 'num' }, f.fit_time_ms.toFixed(1)), el('td', { class: 'num' }, f.score_time_ms.toFixed(1)),
      metrics.map((m) => el('td', { class: 'num' }, fmt(r.metrics[m].folds[i])))));
  }
  ft.append(fb);

  const cm = clear($('#chart-metric'));
  for (const m of metrics) cm.append(el('option', { value: m }, m));
  drawChart(r, metrics[0]);

  renderHoldout(r, metrics);
  clear($('#eval-diagnostics'));
  for (const id of ['#learning-curve', '#validation-curve']) clear($(id));
  destroyCharts('learning');
  destroyCharts('validation');
  $('#curve-status').textContent = '';
  clearError($('#curve-error'));
  fillCurveParams();

  const w = clear($('#warnings'));
  if (r.warnings?.length) {
    w.append(el('h3', {}, 'Warnings'));
    w.append(el('ul', {}, r.warnings.map((x) => el('li', {}, x))));
  }
  $('#model-status').textContent = '';
}

function drawChart(r, metric) {
  drawFoldChart($('#fold-chart'), r, metric);
}

/** The hold-out part's final scores, labelled as such, next to the CV means of the training part. */
function renderHoldout(r, metrics) {
  const box = clear($('#holdout-result'));
  const h = r.holdout;
  box.hidden = !h;
  if (!h) return;
  box.append(
    el('h3', {}, 'Final score on the untouched test part'),
    el('p', { class: 'muted' },
      `${h.n_test} rows were set aside before anything else; cross-validation (below) used only the other ${h.n_train}. ` +
      'The model was then fitted once on those and scored once on the held-out rows: this is the number to report.'),
    el('table', { dataset: { testid: 'holdout-table' } },
      el('thead', {}, el('tr', {}, el('th', {}, 'metric'), el('th', { class: 'num' }, 'held-out test'), el('th', { class: 'num' }, 'CV mean (training part)'))),
      el('tbody', {}, metrics.filter((m) => m in h.scores).map((m) => el('tr', {},
        el('th', {}, m),
        el('td', { class: 'num', dataset: { testid: `holdout-${m}` } }, fmt(h.scores[m])),
        el('td', { class: 'num muted' }, fmt(r.metrics[m].mean)))))));
}

async function downloadModel() {
  if (!state.lastSpec) return;
  const status = $('#model-status');
  clearError(ui.trainError);
  status.textContent = 'fitting on all rows…';
  setBusy(true);
  try {
    const fitT0 = performance.now();
    const text = await client.call('fit', { spec: state.lastSpec });
    state.modelText = text;
    recordRun('fit', { spec: state.lastSpec, report: state.lastReport, model_text: text, fit_time_ms: performance.now() - fitT0 });
    // The session now predicts with the model it just fitted (not a reload of the
    // file), so the e2e test can check that the saved file predicts identically.
    const summary = await client.call('model_summary');
    renderModelSummary(summary, 'trained on this page');
    const base = state.dataName.replace(/\.[^.]*$/, '') || 'data';
    const name = `pipelab-model-${base}-${summary.model}.json`;
    download(text, name, 'application/json');
    status.textContent = `saved ${name} (${(text.length / 1024).toFixed(1)} KiB)`;
  } catch (e) {
    status.textContent = '';
    showError(ui.trainError, `Could not fit the model: ${e.message}`);
    await recoverIfFatal(e);
  } finally {
    setBusy(false);
  }
}

/** The session's model file text: the one loaded or trained, else the last cross-validated spec fitted now (Monitor). */
async function ensureModel() {
  if (state.modelText) return state.modelText;
  if (!state.lastSpec) throw new Error('no model: train one (step 3) or load a model file (step 4) first');
  state.modelText = await client.call('fit', { spec: state.lastSpec });
  renderModelSummary(await client.call('model_summary'), 'trained on this page');
  return state.modelText;
}

/** A model fitted elsewhere on the page (the search's refit) becomes the session's model. */
async function adoptModel(text, source) {
  state.modelText = text;
  renderModelSummary(await client.call('model_summary'), source);
}

// ---------------------------------------------------------------- 4. predict

/** Long numbers in a preview are shortened for reading; the downloaded CSV keeps every digit. */
function fmtCell(v) {
  if (v === undefined) return '';
  const x = Number(v);
  return v.trim() !== '' && Number.isFinite(x) && v.length > 10 ? fmt(x) : v;
}

function wirePredict() {
  $('#model-file').addEventListener('change', async (ev) => {
    const f = ev.target.files[0];
    ev.target.value = '';
    if (!f) return;
    clearError(ui.predictError);
    try {
      const text = await f.text();
      const summary = await client.call('load_model', { text });
      state.modelText = text;
      renderModelSummary(summary, f.name);
    } catch (e) {
      const kept = state.modelText ? ' The previously loaded model is still in use.' : '';
      showError(ui.predictError, `Could not load ${f.name}: ${e.message}.${kept}`);
      await recoverIfFatal(e);
    }
  });
  $('#predict-file').addEventListener('change', async (ev) => {
    const f = ev.target.files[0];
    ev.target.value = '';
    if (f) await predict(new Uint8Array(await f.arrayBuffer()), f.name);
  });
  $('#predict-loaded').addEventListener('click', async () => {
    if (!state.blob) {
      showError(ui.predictError, 'No data loaded: load a CSV in step 1 first.');
      return;
    }
    // The worker's session holds the loaded table: no second read of the file.
    predict(null, state.dataName);
  });
  $('#download-predictions').addEventListener('click', downloadPredictions);
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
  const src = state.predictionSource;
  if (!src) return;
  clearError(ui.predictError);
  if (src.modelText !== state.modelText || (!src.bytes && src.blob !== state.blob)) {
    showError(ui.predictError, 'The model or the loaded data changed since these predictions were made: predict again, then download.');
    return;
  }
  setStatus('writing the predictions CSV…');
  try {
    download(await client.call('predictions_csv', { bytes: src.bytes }), state.predictionsName, 'text/csv');
  } catch (e) {
    showError(ui.predictError, `Could not write the predictions: ${e.message}`);
    await recoverIfFatal(e);
  }
  setStatus('ready');
}

// Predicts CSV bytes, or the loaded table when `bytes` is null.
async function predict(bytes, name) {
  clearError(ui.predictError);
  setStatus(`predicting ${name}…`);
  try {
    const { n_rows: nRows, head_csv: head } = bytes ? await client.call('predict_csv', { bytes }) : await client.call('predict_loaded', {});
    state.predictionSource = { bytes, blob: state.blob, modelText: state.modelText };
    state.predictionsName = `${name.replace(/\.[^.]*$/, '')}-predictions.csv`;
    const rows = parseCsv(head);
    const header = rows.shift() ?? [];
    const predCol = Math.max(0, header.indexOf('prediction'));
    // Show the prediction (and probability) columns first, then the input's columns.
    const order = [...header.keys()].slice(predCol).concat([...header.keys()].slice(0, predCol));
    const cls = (i) => (i >= predCol ? 'pred' : '');
    $('#predictions').hidden = false;
    $('#predictions-info').textContent = `${nRows} predictions for ${name}; the first ${Math.min(nRows, 15)} are shown.`;
    const t = clear($('#predictions-table'));
    t.append(el('thead', {}, el('tr', {}, order.map((i) => el('th', { class: cls(i) }, header[i])))));
    t.append(el('tbody', {}, rows.slice(0, 15).map((r) => el('tr', {}, order.map((i) => el('td', { class: cls(i) }, fmtCell(r[i])))))));
    setStatus('ready');
  } catch (e) {
    showError(ui.predictError, `Could not predict ${name}: ${e.message}`);
    setStatus('ready');
    await recoverIfFatal(e);
  }
}

main();
