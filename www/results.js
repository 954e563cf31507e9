// Area 3, the results: the store's `result` drawn — the cross-validation report
// (summary, per-fold table and chart, hold-out score, warnings, out-of-fold
// pictures, learning and validation curves) or a clustering; the fitted model
// view; "Fit on all rows & download model".
import { $, el, clear, showError, clearError, fmt, download, afterPaint } from './dom.js';
import { renderInspection } from './model_view.js';
import { renderClustering } from './cluster_view.js';
import { drawFoldChart, renderDiagnostics, renderCurve, destroyCharts, CAPTIONS, suggestValues, parseValues, curveParams } from './eval_charts.js';
import { store } from './store.js';
import { emit } from './events.js';
import { explainWarning } from './explain.js';
import { client, setBusy, workerBusy, recoverIfFatal, fitModel, followUp } from './session.js';
import { fitOnPool } from './fit_pool.js';

/** Rows up to which the model view is fitted right after cross-validation (else: a button). */
const AUTO_MODEL_VIEW_ROWS = 20000;

/**
 * The parameters a validation curve varies first, when the model has them: the usual
 * complexity knobs. A choice of the page (which picture to offer first), not knowledge
 * of the core: the names and their ranges come from the catalogue (curveParams).
 */
const CURVE_FIRST = ['C', 'alpha', 'max_depth', 'n_neighbors', 'n_estimators', 'learning_rate'];

let curveModel = null; // the model whose parameters fill the validation-curve picker

const trainError = () => $('#train-error');
const modelInfo = (name) => store.get('catalog')?.models.find((m) => m.name === name);

export function setupResults() {
  $('#chart-metric').addEventListener('change', () => drawFoldChart($('#fold-chart'), store.get('result')?.report, $('#chart-metric').value));
  $('#download-model').addEventListener('click', downloadModel);
  $('#show-model').addEventListener('click', () => showModel(store.get('result')?.spec));
  $('#fold-caption').textContent = CAPTIONS.folds;
  $('#vc-param').addEventListener('change', () => {
    $('#vc-values').value = suggestValues(curveParamInfo($('#vc-param').value));
  });
  $('#lc-run').addEventListener('click', () => runCurve('learning'));
  $('#vc-run').addEventListener('click', () => runCurve('validation'));
  store.on('data-changed', () => {
    $('#results-section').hidden = true;
    store.set('result', null);
  });
  store.on('result-changed', (r) => {
    if (r?.kind === 'cv') return showCv(r);
    if (r?.kind === 'clustering') return showClustering(r);
  });
  const buttons = () => {
    for (const id of ['#download-model', '#lc-run', '#vc-run']) $(id).disabled = workerBusy();
  };
  store.on('busy-changed', buttons);
  store.on('restoring-changed', buttons);
}

async function showCv({ spec, report }) {
  renderResults(report, spec);
  $('#results-section .results-cols').hidden = false;
  $('#cluster-view').hidden = true;
  for (const id of ['#eval-diagnostics', '#eval-curves']) $(id).hidden = false;
  // Not the user's request: a file picked meanwhile waits for it (data.js) instead of being refused.
  await followUp(async () => {
    await loadDiagnostics();
    await autoShowModel(spec);
  });
}

function showClustering({ spec, view }) {
  const r = view.report;
  $('#results-section').hidden = false;
  $('#results-section .results-cols').hidden = true;
  // The cross-validation pictures belong to supervised runs.
  for (const id of ['#eval-diagnostics', '#eval-curves', '#holdout-result']) $(id).hidden = true;
  clear($('#warnings'));
  const aside = JSON.parse(spec).target;
  $('#results-info').textContent = `clustering fitted on all ${r.n_rows} rows (no cross-validation: there is no target to score against)` +
    (aside ? ` · ${aside} was set aside: not a feature, only compared with the clusters` : '');
  renderClustering($('#cluster-view'), view);
  renderInspection($('#model-view'), view.inspection, JSON.parse(spec));
  $('#show-model').hidden = true;
  $('#model-view-status').textContent = '';
  $('#model-status').textContent = '';
}

/** The ParamInfo of a validation-curve path (model__<name>) in the last spec's model. */
function curveParamInfo(path) {
  const name = path.replace(/^model__/, '');
  return curveParams(modelInfo(curveModel))?.find((p) => p.name === name);
}

/** Fills the validation-curve parameter picker from the model's parameter schema. */
function fillCurveParams(specText) {
  const model = Object.keys(JSON.parse(specText).model)[0];
  if (curveModel === model && $('#vc-param').options.length) return;
  curveModel = model;
  const sel = clear($('#vc-param'));
  const ps = curveParams(modelInfo(model));
  for (const p of ps) sel.append(el('option', { value: `model__${p.name}`, title: p.help }, `model__${p.name}`));
  const preferred = CURVE_FIRST.find((n) => ps.some((p) => p.name === n));
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
  const spec = store.get('result')?.spec;
  if (!spec || store.get('busy')) return;
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
    const c = await client.call(`${kind}_curve`, { spec, params: JSON.stringify(params) }, (done, total) => {
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

function renderResults(r, specText) {
  $('#results-section').hidden = false;
  // Metrics in the order the spec lists them (the report's maps are sorted by name).
  let order = [];
  try {
    order = JSON.parse(specText).scoring ?? [];
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
  // The numbers first; the chart once they are painted (of the metric picked by then).
  afterPaint(() => {
    if (store.get('result')?.report === r) drawFoldChart($('#fold-chart'), r, $('#chart-metric').value);
  });

  renderHoldout(r, metrics);
  clear($('#eval-diagnostics'));
  for (const id of ['#learning-curve', '#validation-curve']) clear($(id));
  destroyCharts('learning');
  destroyCharts('validation');
  $('#curve-status').textContent = '';
  clearError($('#curve-error'));
  fillCurveParams(specText);

  const w = clear($('#warnings'));
  if (r.warnings?.length) {
    w.append(el('h3', {}, 'Warnings'));
    w.append(el('ul', {}, r.warnings.map((x) => el('li', {}, x, explainWarning(x)))));
  }
  $('#model-status').textContent = '';
}

/** The hold-out part's final scores, labelled as such, next to the CV means of the training part. */
function renderHoldout(r, metrics) {
  const box = clear($('#holdout-result'));
  const h = r.holdout;
  box.hidden = !h;
  $('#refit-all-label').hidden = !h;
  $('#download-model').textContent = h ? 'Fit & download model' : 'Fit on all rows & download model';
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

async function autoShowModel(spec) {
  $('#model-view').hidden = true;
  $('#model-view-status').textContent = '';
  if ((store.get('data')?.summary?.n_rows ?? 0) <= AUTO_MODEL_VIEW_ROWS) {
    $('#show-model').hidden = true;
    await showModel(spec);
  } else {
    $('#show-model').hidden = false;
    $('#model-view-status').textContent = 'fits the pipeline once more, on all rows';
  }
}

/** Fits the spec on all rows (without replacing the session's model) and draws what it learned. */
async function showModel(spec) {
  if (!spec) return;
  const status = $('#model-view-status');
  status.textContent = 'fitting on all rows to show the model…';
  const wasBusy = store.get('busy');
  setBusy(true);
  try {
    // A forest's trees or KMeans' restarts on the worker pool when the data is large (www/fit_pool.js).
    const ins = (await fitOnPool(client, store.get('data') ?? {}, spec, 'inspect')) ?? (await client.call('inspect_fit', { spec }));
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

/** The last trained spec's model file, downloaded: the session's model when it was fitted from that spec, else fitted now. */
async function downloadModel() {
  const result = store.get('result');
  if (!result) return;
  const status = $('#model-status');
  clearError(trainError());
  // With a hold-out part the model is fitted on the training part unless the user asks for every row.
  const holdout = Boolean(result.report?.holdout);
  const refitAll = holdout && $('#refit-all').checked;
  status.textContent = holdout && !refitAll ? 'fitting on the training part…' : 'fitting on all rows…';
  setBusy(true);
  try {
    let model = store.get('model');
    if (model?.spec !== result.spec || Boolean(model?.refitAll) !== refitAll) {
      await fitModel(result.spec, 'trained on this page', refitAll);
      model = store.get('model');
    }
    const text = model.text;
    store.emit('run-finished', { kind: 'fit', spec: result.spec, report: result.report, model_text: text, fit_time_ms: model.fitMs });
    const base = store.get('data').name.replace(/\.[^.]*$/, '') || 'data';
    const name = `pipelab-model-${base}-${model.summary.model}.json`;
    download(text, name, 'application/json');
    emit('model-saved', { text });
    status.textContent = `saved ${name} (${(text.length / 1024).toFixed(1)} KiB)`;
  } catch (e) {
    status.textContent = '';
    showError(trainError(), `Could not fit the model: ${e.message}`);
    await recoverIfFatal(e);
  } finally {
    setBusy(false);
  }
}
