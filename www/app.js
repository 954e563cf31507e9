// The page: builds a pipeline spec from forms (generated from the core's
// catalogue), sends it to the worker, shows the results. It never touches the
// wasm module itself (see protocol.js) and never puts user data into HTML.
import { WorkerClient } from './protocol.js';
import { $, el, append, clear, showError, clearError, fmt, download, parseCsv } from './dom.js';
import { paramForm } from './forms.js';
import { setupSearch, searchDataChanged, addSearchBlock, searchMetrics } from './search.js';

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
  bytes: null, // the loaded CSV, kept so a restarted worker gets it back
  options: '', // the read options it was loaded with (JSON)
  dataName: '',
  summary: null,
  steps: [], // {info, form, node}
  modelForm: null,
  lastSpec: null, // spec JSON of the last successful cross-validation
  lastReport: null,
  modelText: null, // the session's current model file, kept for worker restarts
  predictionsCsv: null,
  predictionsName: 'predictions.csv',
  chart: null,
  busy: false,
  restoring: false,
};

const client = new WorkerClient();

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
  setupSearch({ client, state, buildSpec, updateSpecView, setBusy, recoverIfFatal, adoptModel });
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
    if (state.bytes) await client.call('load_csv', { bytes: state.bytes, options: state.options });
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
      const res = await fetch(new URL(`./datasets/${file}`, import.meta.url));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      await loadData(new Uint8Array(await res.arrayBuffer()), file);
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
}

async function loadFile(file) {
  clearError(ui.dataError);
  try {
    await loadData(new Uint8Array(await file.arrayBuffer()), file.name);
  } catch (e) {
    showError(ui.dataError, `Could not read ${file.name}: ${e.message}`);
  }
}

async function loadData(bytes, name) {
  if (state.busy) {
    showError(ui.dataError, 'Training is running: cancel it or wait before loading other data.');
    return;
  }
  clearError(ui.dataError);
  setStatus(`reading ${name}…`);
  const options = $('#skip-malformed').checked ? JSON.stringify({ skip_malformed_rows: true }) : '';
  let summary;
  try {
    summary = await client.call('load_csv', { bytes, options });
  } catch (e) {
    await recoverIfFatal(e);
    const kept = state.summary ? ` The previously loaded data (${state.dataName}) is still loaded.` : '';
    showError(ui.dataError, `Could not load ${name}: ${e.message}.${kept}`);
    setStatus('ready');
    return;
  }
  state.bytes = bytes;
  state.options = options;
  state.dataName = name;
  state.summary = summary;
  state.lastSpec = null;
  state.lastReport = null;
  $('#results-section').hidden = true;
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
  $('#add-step').addEventListener('click', () => {
    addStep($('#add-step-select').value);
    updateSpecView();
  });
  $('#cv-shuffle').addEventListener('change', () => {
    $('#cv-random-state').disabled = !$('#cv-shuffle').checked;
  });
  $('#cv-random-state').disabled = true;
  $('#train').addEventListener('click', train);
  $('#cancel').addEventListener('click', cancel);
}

function buildCatalogControls() {
  const c = state.catalog;
  const add = clear($('#add-step-select'));
  for (const s of c.steps) add.append(el('option', { value: s.name, title: s.help }, s.name));
  add.value = c.steps.some((s) => s.name === 'StandardScaler') ? 'StandardScaler' : c.steps[0]?.name;

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
  hu.value = 'ignore';
  setModel(ms.value);
}

function componentInfo(kind, name) {
  return state.catalog[kind].find((x) => x.name === name);
}

let stepSerial = 0;
function addStep(name) {
  const info = componentInfo('steps', name);
  if (!info) return;
  const serial = stepSerial++;
  const form = paramForm(info, `step${serial}`);
  const node = el('li', { class: 'step', dataset: { step: name } });
  const entry = { info, form, node };
  const move = (d) => {
    const i = state.steps.indexOf(entry);
    const j = i + d;
    if (j < 0 || j >= state.steps.length) return;
    [state.steps[i], state.steps[j]] = [state.steps[j], state.steps[i]];
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
          state.steps.splice(state.steps.indexOf(entry), 1);
          renderSteps();
        } }, '✕'))),
    form.node);
  state.steps.push(entry);
  renderSteps();
}

function renderSteps() {
  const list = clear($('#steps-list'));
  state.steps.forEach((s, i) => {
    s.node.dataset.testid = `step-${i}`;
    list.append(s.node);
  });
  if (!state.steps.length) list.append(el('li', { class: 'muted empty' }, 'No steps: the features go straight to the model.'));
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
  if (task !== prevTask) {
    renderMetrics(task);
    searchMetrics(task);
    $('#cv-splitter').value = task === 'classification' ? 'StratifiedKFold' : 'KFold';
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

/** Picks a model suited to the target: text/boolean or few whole-number values → a classifier. */
function chooseModelForTarget() {
  const col = state.summary.columns.find((c) => c.name === $('#target-select').value);
  if (!col) return;
  const classify = col.type !== 'numeric' || col.distinct <= 10;
  const want = classify ? 'classification' : 'regression';
  if (modelTask($('#model-select').value) !== want) {
    const m = state.catalog.models.find((x) => x.group === want);
    if (m) setModel(m.name);
  }
  updateSpecView();
}

function setupForData() {
  const s = state.summary;
  const ts = clear($('#target-select'));
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
  const feats = featureColumns();
  const needsPrep = feats.some((c) => c.type !== 'numeric' || c.missing > 0);
  $('#use-preprocess').checked = needsPrep;
  $('#preprocess-options').classList.toggle('disabled', !needsPrep);
  $('#pipeline-section').hidden = false;
  chooseModelForTarget();
  updateSpecView();
}

/** The spec from the forms; throws an Error with a readable message. */
function buildSpec() {
  const spec = {};
  const target = $('#target-select').value;
  if (!target) throw new Error('choose the target column');
  spec.target = target;
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
      transformers.push({ name: 'num', columns: { dtype: 'numeric' }, steps });
    }
    if (has('categorical')) {
      const steps = [];
      if ($('#cat-imputer').value) steps.push({ SimpleImputer: { strategy: $('#cat-imputer').value } });
      steps.push({ OneHotEncoder: { handle_unknown: $('#cat-onehot').value } });
      transformers.push({ name: 'cat', columns: { dtype: 'categorical' }, steps });
    }
    if (has('boolean')) {
      transformers.push({ name: 'bool', columns: { dtype: 'boolean' }, steps: [{ SimpleImputer: { strategy: 'most_frequent' } }] });
    }
    if (!transformers.length) throw new Error('preprocessing: no feature columns selected');
    spec.preprocess = { transformers, remainder: $('#remainder').value };
  }
  if (state.steps.length) spec.steps = state.steps.map((s) => ({ [s.info.name]: s.form.values() }));
  spec.model = { [state.modelForm.name]: state.modelForm.values() };
  const nSplits = Number($('#cv-n-splits').value);
  if (!Number.isInteger(nSplits) || nSplits < 2) throw new Error('cross-validation: n_splits must be a whole number ≥ 2');
  const cv = { n_splits: nSplits };
  if ($('#cv-shuffle').checked) {
    cv.shuffle = true;
    const rs = $('#cv-random-state').value.trim();
    if (rs !== '') cv.random_state = Number(rs);
  }
  spec.cv = { [$('#cv-splitter').value]: cv };
  const scoring = [...document.querySelectorAll('#metrics input:checked')].map((b) => b.value);
  if (!scoring.length) throw new Error('choose at least one metric');
  spec.scoring = scoring;
  return spec;
}

function updateSpecView() {
  if (!state.summary || !state.modelForm) return;
  const ta = $('#spec-json');
  try {
    ta.value = JSON.stringify(addSearchBlock(buildSpec()), null, 2);
    ta.classList.remove('invalid');
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
  for (const id of ['#csv-file', '#load-example', '#model-file', '#predict-file', '#predict-loaded']) $(id).disabled = off;
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
    setStatus('trained');
  } catch (e) {
    if (e.cancelled) {
      text.textContent = 'cancelled';
    } else {
      text.textContent = 'failed';
      showError(ui.trainError, e.message);
      await recoverIfFatal(e);
    }
    setStatus('ready');
  } finally {
    setBusy(false);
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
    el('th', { class: 'num' }, 'fit ms'), metrics.map((m) => el('th', { class: 'num' }, m)))));
  const fb = el('tbody');
  for (let i = 0; i < nFolds; i++) {
    const f = r.folds[i];
    fb.append(el('tr', {}, el('td', {}, i + 1), el('td', { class: 'num' }, f.n_train), el('td', { class: 'num' }, f.n_test),
      el('td', { class: 'num' }, f.fit_time_ms.toFixed(1)), metrics.map((m) => el('td', { class: 'num' }, fmt(r.metrics[m].folds[i])))));
  }
  ft.append(fb);

  const cm = clear($('#chart-metric'));
  for (const m of metrics) cm.append(el('option', { value: m }, m));
  drawChart(r, metrics[0]);

  const w = clear($('#warnings'));
  if (r.warnings?.length) {
    w.append(el('h3', {}, 'Warnings'));
    w.append(el('ul', {}, r.warnings.map((x) => el('li', {}, x))));
  }
  $('#model-status').textContent = '';
}

function drawChart(r, metric) {
  if (!r || !metric) return;
  const canvas = $('#fold-chart');
  if (typeof window.Chart !== 'function') {
    canvas.replaceWith(el('p', { id: 'fold-chart', class: 'muted' }, 'Chart library not loaded (run scripts/build-web.sh).'));
    return;
  }
  state.chart?.destroy();
  const labels = r.metrics[metric].folds.map((_, i) => `fold ${i + 1}`);
  const datasets = [{ label: `${metric} (test)`, data: r.metrics[metric].folds, backgroundColor: '#3b6fd8' }];
  if (r.train_metrics?.[metric]) datasets.push({ label: `${metric} (train)`, data: r.train_metrics[metric].folds, backgroundColor: '#b8c7ea' });
  state.chart = new window.Chart(canvas, {
    type: 'bar',
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom' } },
      scales: { y: { beginAtZero: !['r2'].includes(metric) || Math.min(...r.metrics[metric].folds) >= 0 } },
    },
  });
}

async function downloadModel() {
  if (!state.lastSpec) return;
  const status = $('#model-status');
  clearError(ui.trainError);
  status.textContent = 'fitting on all rows…';
  setBusy(true);
  try {
    const text = await client.call('fit', { spec: state.lastSpec });
    state.modelText = text;
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
  $('#predict-loaded').addEventListener('click', () => {
    if (!state.bytes) {
      showError(ui.predictError, 'No data loaded: load a CSV in step 1 first.');
      return;
    }
    predict(state.bytes, state.dataName);
  });
  $('#download-predictions').addEventListener('click', () => {
    if (state.predictionsCsv) download(state.predictionsCsv, state.predictionsName, 'text/csv');
  });
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
    cv.length ? el('p', { class: 'muted' }, `cross-validated: ${cv.join(' · ')}`) : null);
  box.dataset.loaded = 'true';
}

async function predict(bytes, name) {
  clearError(ui.predictError);
  setStatus(`predicting ${name}…`);
  try {
    const csv = await client.call('predict_csv', { bytes });
    state.predictionsCsv = csv;
    state.predictionsName = `${name.replace(/\.[^.]*$/, '')}-predictions.csv`;
    const rows = parseCsv(csv);
    const header = rows.shift() ?? [];
    const predCol = Math.max(0, header.indexOf('prediction'));
    // Show the prediction (and probability) columns first, then the input's columns.
    const order = [...header.keys()].slice(predCol).concat([...header.keys()].slice(0, predCol));
    const cls = (i) => (i >= predCol ? 'pred' : '');
    $('#predictions').hidden = false;
    $('#predictions-info').textContent = `${rows.length} predictions for ${name}; the first ${Math.min(rows.length, 15)} are shown.`;
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
