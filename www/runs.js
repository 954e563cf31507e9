// The "Runs" view: the history of every cross-validation, search and fit on this
// page (stored by runs_store.js in IndexedDB), a table sortable by any metric, a
// chart of one metric across runs (each run's folds, mean ± std), "compare" for two or
// more runs (differing parameters highlighted, per-fold scores side by side), "open"
// (the pipeline back in the editor, and the data when it is a built-in example),
// rename / delete / clear, export / import, and "Log runs to MLflow" (www/mlflow.js).
import { $, el, clear, showError, clearError, fmt, download } from './dom.js';
import { addRun, listRuns, getRun, updateRun, deleteRun, clearRuns, exportRuns, importRuns, sha256Hex } from './runs_store.js';
import { logRun } from './mlflow.js';
import { store } from './store.js';
import { client } from './session.js';

import { emit } from './events.js';

let runs = [];
let sortKey = 'time';
let sortDesc = true;
const selected = new Set();
let chart = null;
const shaCache = new WeakMap(); // Blob → Promise<hex>
const MLFLOW_KEY = 'pipelab.mlflow';

export function setupRuns() {
  store.on('run-finished', ({ kind, ...p }) => recordRun(kind, p));
  const sec = $('#runs-section');
  sec.append(
    el('div', { class: 'row runs-tools' },
      el('button', { type: 'button', id: 'runs-compare', 'data-testid': 'runs-compare', disabled: true, onclick: renderCompare }, 'Compare selected'),
      el('button', { type: 'button', id: 'runs-export', 'data-testid': 'runs-export', onclick: exportAll }, 'Export all (JSON)'),
      el('label', { class: 'button', for: 'runs-import' }, 'Import…'),
      el('input', { type: 'file', id: 'runs-import', 'data-testid': 'runs-import', accept: '.json,application/json', class: 'visually-hidden', onchange: importFile }),
      el('button', { type: 'button', id: 'runs-clear', 'data-testid': 'runs-clear', onclick: clearAll }, 'Clear all'),
      el('span', { id: 'runs-status', class: 'muted', 'data-testid': 'runs-status', role: 'status' })),
    el('div', { id: 'runs-error', class: 'error', role: 'alert', hidden: true, 'data-testid': 'runs-error' }),
    mlflowSettings(),
    el('div', { class: 'scroll' }, el('table', { id: 'runs-table', 'data-testid': 'runs-table' })),
    el('div', { class: 'row' },
      el('label', { for: 'runs-metric' }, 'Chart metric'),
      el('select', { id: 'runs-metric', 'data-testid': 'runs-metric', onchange: drawChart })),
    el('div', { class: 'chart-box runs-chart-box' }, el('canvas', { id: 'runs-chart', 'aria-label': 'one metric across runs: each fold, and the mean ± std' })),
    el('div', { id: 'runs-compare-view', 'data-testid': 'runs-compare-view', hidden: true }));
  refresh();
}

// ---------------------------------------------------------------- recording

/**
 * Records a finished run. `kind`: 'cv' | 'search' | 'fit'. `p`: {spec (JSON text or object),
 * report (a CV report), search: {report} , model_text, fit_time_ms, scalars, warnings}.
 * Never throws: a failure to record is shown in the Runs view, the page's flow goes on.
 */
export async function recordRun(kind, p) {
  try {
    const st = store.get('data') ?? {};
    const spec = typeof p.spec === 'string' ? JSON.parse(p.spec) : p.spec;
    const specJson = JSON.stringify(spec);
    const candidates = p.search ? p.search.report.cv_results.map((c) => c.params) : null;
    const tp = await client.call('track_params', { spec: specJson, candidates });
    const run = {
      kind,
      time: Date.now(),
      name: '',
      data: { name: st.name, sha256: await dataSha(st.blob), rows: st.summary?.n_rows ?? null, cols: st.summary?.n_cols ?? null, example: !!st.example },
      spec,
      params: [...tp.params, ...tp.search],
      metrics: {},
      scalars: { ...(p.scalars ?? {}) },
      fit_time_ms: p.fit_time_ms ?? null,
      warnings: p.warnings ?? p.report?.warnings ?? [],
      model_text: p.model_text ?? null,
    };
    if (p.report) {
      run.metrics = Object.fromEntries(Object.entries(p.report.metrics).map(([k, m]) => [k, { folds: m.folds, mean: m.mean, std: m.std }]));
      if (run.fit_time_ms === null && p.report.folds?.length) run.fit_time_ms = p.report.folds.reduce((a, f) => a + f.fit_time_ms, 0) / p.report.folds.length;
      run.cv = p.report.cv;
      for (const [k, m] of Object.entries(p.report.train_metrics ?? {})) {
        run.scalars[`train_${k}_mean`] = m.mean;
        run.scalars[`train_${k}_std`] = m.std;
      }
      for (const [k, v] of Object.entries(p.report.holdout?.scores ?? {})) run.scalars[`holdout_${k}`] = v;
    }
    if (p.search) {
      const r = p.search.report;
      const best = r.cv_results[r.best_index];
      if (best) run.metrics[r.scoring] = { folds: best.split_test_scores, mean: best.mean_test_score, std: best.std_test_score };
      for (const [k, v] of Object.entries(r.best_params)) run.params.push([`best_${k}`, typeof v === 'string' ? v : JSON.stringify(v)]);
      run.scalars.best_cv_score = r.best_score;
      run.scalars.n_candidates = r.cv_results.length;
      run.search = {
        scoring: r.scoring,
        best_params: r.best_params,
        best_score: r.best_score,
        candidates: r.cv_results.map((c, i) => ({ params: c.params, all_params: tp.candidates[i], mean: c.mean_test_score, std: c.std_test_score, folds: c.split_test_scores, rank: c.rank, train: c.mean_train_score, fit_time_ms: c.mean_fit_time_ms, error: c.error ?? null, iteration: c.iteration, n_resources: c.n_resources })),
      };
    }
    run.name = `${kind} ${spec.model ? Object.keys(spec.model)[0] : ''} #${runs.length + 1}`;
    const id = await addRun(run);
    run.id = id;
    await refresh();
    setStatus(`recorded run "${run.name}"`);
    if (mlflowOn()) await sendToMlflow(id);
    return id;
  } catch (e) {
    showError($('#runs-error'), `The run could not be recorded: ${e.message}`);
    return null;
  }
}

function dataSha(blob) {
  if (!blob) return Promise.resolve(null);
  if (!shaCache.has(blob)) shaCache.set(blob, sha256Hex(blob).catch(() => null));
  return shaCache.get(blob);
}

// ---------------------------------------------------------------- MLflow

function mlflowSettingsValue() {
  try {
    return { enabled: false, uri: 'http://127.0.0.1:5000', experiment: 'pipelab', ...JSON.parse(localStorage.getItem(MLFLOW_KEY) ?? '{}') };
  } catch {
    return { enabled: false, uri: 'http://127.0.0.1:5000', experiment: 'pipelab' };
  }
}

function mlflowOn() {
  return $('#mlflow-enabled')?.checked;
}

function mlflowSettings() {
  const s = mlflowSettingsValue();
  const save = () => localStorage.setItem(MLFLOW_KEY, JSON.stringify({ enabled: $('#mlflow-enabled').checked, uri: $('#mlflow-uri').value.trim(), experiment: $('#mlflow-experiment').value.trim() }));
  const box = el('fieldset', { class: 'mlflow-settings' },
    el('legend', {}, 'MLflow'),
    el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'mlflow-enabled', 'data-testid': 'mlflow-enabled', onchange: save }), ' Log runs to MLflow'),
    el('label', { for: 'mlflow-uri' }, 'Tracking URI'),
    el('input', { type: 'url', id: 'mlflow-uri', 'data-testid': 'mlflow-uri', onchange: save, placeholder: 'http://127.0.0.1:5000' }),
    el('label', { for: 'mlflow-experiment' }, 'Experiment'),
    el('input', { type: 'text', id: 'mlflow-experiment', 'data-testid': 'mlflow-experiment', onchange: save }),
    el('small', { class: 'help' }, 'Start the server so it accepts this page: mlflow server --cors-allowed-origins ', el('code', { id: 'mlflow-origin' }, location.origin)),
    el('p', { id: 'mlflow-status', class: 'muted', 'data-testid': 'mlflow-status', role: 'status' }));
  box.querySelector('#mlflow-enabled').checked = !!s.enabled;
  box.querySelector('#mlflow-uri').value = s.uri;
  box.querySelector('#mlflow-experiment').value = s.experiment;
  return box;
}

/** Logs a stored run to MLflow; the outcome (or the reason it failed) is stored with the run. */
async function sendToMlflow(id) {
  const run = await getRun(id);
  if (!run) return;
  const settings = { uri: $('#mlflow-uri').value.trim(), experiment: $('#mlflow-experiment').value.trim() };
  const status = $('#mlflow-status');
  status.textContent = `logging "${run.name}" to ${settings.uri}…`;
  const children = (run.search?.candidates ?? []).map((c, i) => ({
    params: c.all_params ?? Object.entries(c.params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    metrics: c.error ? {} : { [run.search.scoring]: { folds: c.folds, mean: c.mean, std: c.std } },
    scalars: c.error ? {} : { [`train_${run.search.scoring}_mean`]: c.train, fit_time_ms_mean: c.fit_time_ms },
    tags: [['search.index', String(i)], ['search.rank', String(c.rank)], ['search.iteration', String(c.iteration ?? 0)], ['search.n_resources', String(c.n_resources ?? '')], ...(c.error ? [['search.error', c.error]] : [])],
  }));
  let mlflow;
  try {
    const r = await logRun(settings, run, { version: $('#version')?.textContent ?? '', children });
    mlflow = { status: 'logged', run_id: r.run_id, url: r.url, time: Date.now(), uri: settings.uri };
    status.textContent = `logged "${run.name}" as MLflow run ${r.run_id}${r.children ? ` with ${r.children} child runs` : ''}`;
  } catch (e) {
    mlflow = { status: 'failed', kind: e.kind ?? 'error', error: e.message, time: Date.now(), uri: settings.uri };
    status.textContent = `not logged to MLflow (${e.kind ?? 'error'}): ${e.message}. The run is kept here; "log" retries.`;
  }
  await updateRun(id, { mlflow });
  await refresh();
}

// ---------------------------------------------------------------- the view

function setStatus(t) {
  const s = $('#runs-status');
  if (s) s.textContent = t;
}

export async function refresh() {
  runs = await listRuns();
  for (const id of [...selected]) if (!runs.some((r) => r.id === id)) selected.delete(id);
  renderTable();
  fillMetricSelect();
  drawChart();
  $('#runs-compare').disabled = selected.size < 2;
  const count = $('#runs-count');
  if (count) count.textContent = runs.length ? `(${runs.length})` : '';
}

function metricNames() {
  const names = new Set();
  for (const r of runs) for (const k of Object.keys(r.metrics ?? {})) names.add(k);
  return [...names].sort();
}

function sortValue(r, key) {
  if (key === 'time') return r.time;
  if (key === 'name') return r.name;
  if (key === 'fit_time_ms') return r.fit_time_ms ?? -Infinity;
  return r.metrics?.[key]?.mean ?? -Infinity;
}

function renderTable() {
  const t = clear($('#runs-table'));
  const metrics = metricNames();
  if (!runs.length) {
    t.append(el('tbody', {}, el('tr', {}, el('td', { class: 'muted' }, 'No runs yet: every cross-validation, search and model fit is recorded here.'))));
    return;
  }
  const sorted = [...runs].sort((a, b) => {
    const x = sortValue(a, sortKey);
    const y = sortValue(b, sortKey);
    const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return sortDesc ? -c : c;
  });
  const th = (key, label) => el('th', { class: key === sortKey ? `sorted ${sortDesc ? 'desc' : 'asc'}` : '', dataset: { sort: key }, title: 'sort', onclick: () => {
    if (sortKey === key) sortDesc = !sortDesc;
    else {
      sortKey = key;
      sortDesc = true;
    }
    renderTable();
  } }, label, key === sortKey ? (sortDesc ? ' ▼' : ' ▲') : '');
  t.append(el('thead', {}, el('tr', {},
    el('th', {}, el('span', { class: 'visually-hidden' }, 'select')), th('name', 'run'), el('th', {}, el('span', { class: 'visually-hidden' }, 'actions')), el('th', {}, 'kind'), th('time', 'time'), el('th', {}, 'data'), el('th', {}, 'model'),
    ...metrics.map((m) => th(m, m)), th('fit_time_ms', 'fit ms'), el('th', {}, 'MLflow'))));
  const body = el('tbody');
  for (const r of sorted) {
    const box = el('input', { type: 'checkbox', 'aria-label': `select ${r.name}`, onchange: (ev) => {
      if (ev.target.checked) selected.add(r.id);
      else selected.delete(r.id);
      $('#runs-compare').disabled = selected.size < 2;
    } });
    box.checked = selected.has(r.id);
    const model = r.spec?.model ? Object.keys(r.spec.model)[0] : '';
    const ml = r.mlflow;
    const mlCell = !ml ? el('td', { class: 'muted' }, '—')
      : ml.status === 'logged' ? el('td', {}, el('a', { href: ml.url, target: '_blank', rel: 'noopener' }, 'logged'))
        : el('td', { class: 'err', title: ml.error }, `failed (${ml.kind})`);
    body.append(el('tr', { dataset: { runId: String(r.id), testid: 'run-row' } },
      el('td', {}, box),
      el('td', { class: 'run-name' }, r.name),
      el('td', { class: 'nowrap' },
        el('button', { type: 'button', 'data-testid': 'run-open', onclick: () => openRun(r.id) }, 'open'),
        el('button', { type: 'button', onclick: () => renameRun(r.id) }, 'rename'),
        el('button', { type: 'button', 'data-testid': 'run-log', title: 'log this run to MLflow', onclick: () => sendToMlflow(r.id) }, 'log'),
        r.model_text ? el('button', { type: 'button', onclick: () => download(r.model_text, `${r.name.replace(/[^\w.-]+/g, '_')}.json`, 'application/json') }, 'model') : '',
        el('button', { type: 'button', class: 'remove', 'aria-label': `delete ${r.name}`, onclick: async () => {
          await deleteRun(r.id);
          await refresh();
        } }, '✕')),
      el('td', {}, r.kind),
      el('td', { class: 'nowrap' }, new Date(r.time).toLocaleString()),
      el('td', { title: r.data?.sha256 ? `SHA-256 ${r.data.sha256}` : '' }, `${r.data?.name ?? ''} ${r.data?.rows ?? '?'}×${r.data?.cols ?? '?'}`),
      el('td', {}, model),
      ...metrics.map((m) => {
        const s = r.metrics?.[m];
        return el('td', { class: 'num' }, s ? `${fmt(s.mean, 4)} ± ${fmt(s.std, 3)}` : '');
      }),
      el('td', { class: 'num' }, Number.isFinite(r.fit_time_ms) ? r.fit_time_ms.toFixed(1) : ''),
      mlCell));
  }
  t.append(body);
}

function fillMetricSelect() {
  const sel = $('#runs-metric');
  const prev = sel.value;
  clear(sel);
  for (const m of metricNames()) sel.append(el('option', { value: m }, m));
  if ([...sel.options].some((o) => o.value === prev)) sel.value = prev;
}

function drawChart() {
  const canvas = $('#runs-chart');
  const metric = $('#runs-metric').value;
  chart?.destroy();
  chart = null;
  if (!metric || typeof window.Chart !== 'function') return;
  const rs = runs.filter((r) => r.metrics?.[metric]);
  const labels = rs.map((r) => r.name);
  const folds = rs.flatMap((r) => r.metrics[metric].folds.map((v) => ({ x: r.name, y: v })));
  chart = new window.Chart(canvas, {
    data: {
      labels,
      datasets: [
        { type: 'bar', label: 'mean ± std', data: rs.map((r) => [r.metrics[metric].mean - r.metrics[metric].std, r.metrics[metric].mean + r.metrics[metric].std]), backgroundColor: 'rgba(52, 101, 192, 0.25)', borderColor: 'rgba(52, 101, 192, 0.8)', borderWidth: 1, barPercentage: 0.5 },
        { type: 'line', label: 'mean', data: rs.map((r) => r.metrics[metric].mean), showLine: false, pointStyle: 'line', pointRadius: 14, borderWidth: 3, borderColor: '#1f3f7a' },
        { type: 'scatter', label: 'folds', data: folds, pointRadius: 4, backgroundColor: '#e0833a' },
      ],
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { type: 'category', labels }, y: { beginAtZero: false, title: { display: true, text: metric } } }, plugins: { title: { display: true, text: `${metric} across runs: each fold, and the mean ± std` } } },
  });
}

async function renameRun(id) {
  const r = runs.find((x) => x.id === id);
  const cell = $(`#runs-table tr[data-run-id="${id}"] .run-name`);
  if (!r || !cell) return;
  const input = el('input', { type: 'text', value: r.name, 'aria-label': 'run name' });
  const done = async () => {
    const name = input.value.trim();
    if (name && name !== r.name) await updateRun(id, { name });
    await refresh();
  };
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') done();
    if (ev.key === 'Escape') refresh();
  });
  input.addEventListener('blur', done);
  clear(cell).append(input);
  input.focus();
  input.select();
}

async function openRun(id) {
  const r = await getRun(id);
  if (!r) return;
  clearError($('#runs-error'));
  try {
    const loaded = store.get('data')?.name;
    if (r.data?.example && r.data.name !== loaded) await store.emit('load-example', r.data.name);
    else if (r.data?.name !== loaded) setStatus(`"${r.name}" was run on ${r.data?.name}, which is not loaded: its pipeline is shown on the data loaded now`);
    const spec = structuredClone(r.spec);
    delete spec.search;
    await store.emit('open-spec', spec);
    setStatus(`opened "${r.name}" in the pipeline editor`);
  } catch (e) {
    showError($('#runs-error'), `Could not open "${r.name}": ${e.message}`);
  }
}

function renderCompare() {
  const box = clear($('#runs-compare-view'));
  const rs = runs.filter((r) => selected.has(r.id));
  if (rs.length < 2) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const maps = rs.map((r) => new Map(r.params ?? []));
  const names = [...new Set(rs.flatMap((r) => (r.params ?? []).map(([k]) => k)))];
  const differs = (k) => new Set(maps.map((m) => m.get(k) ?? '—')).size > 1;
  names.sort((a, b) => differs(b) - differs(a));
  const nDiff = names.filter(differs).length;
  emit('runs-compared', { n: rs.length, differing: nDiff });
  box.append(el('h3', {}, `Compare ${rs.length} runs: ${nDiff} parameter${nDiff === 1 ? ' differs' : 's differ'}`),
    el('div', { class: 'scroll' }, el('table', { class: 'compare-params', 'data-testid': 'compare-params' },
      el('thead', {}, el('tr', {}, el('th', {}, 'parameter'), ...rs.map((r) => el('th', {}, r.name)))),
      el('tbody', {}, names.map((k) => el('tr', { class: differs(k) ? 'diff' : '', dataset: { param: k } },
        el('th', {}, k), ...maps.map((m) => el('td', {}, m.get(k) ?? '—'))))))));
  for (const metric of metricNames()) {
    const with_ = rs.filter((r) => r.metrics?.[metric]);
    if (!with_.length) continue;
    const k = Math.max(...with_.map((r) => r.metrics[metric].folds.length));
    const row = (label, f) => el('tr', {}, el('th', {}, label), ...rs.map((r) => el('td', { class: 'num' }, r.metrics?.[metric] ? f(r.metrics[metric]) : '')));
    box.append(el('h4', {}, `${metric} per fold`),
      el('table', { class: 'compare-folds', dataset: { metric } },
        el('thead', {}, el('tr', {}, el('th', {}, 'fold'), ...rs.map((r) => el('th', {}, r.name)))),
        el('tbody', {}, ...Array.from({ length: k }, (_, i) => row(String(i), (m) => (m.folds[i] === undefined ? '' : fmt(m.folds[i], 4)))),
          row('mean ± std', (m) => `${fmt(m.mean, 4)} ± ${fmt(m.std, 3)}`))));
  }
}

async function exportAll() {
  const doc = await exportRuns();
  download(JSON.stringify(doc, null, 2), 'pipelab-runs.json', 'application/json');
  setStatus(`exported ${doc.runs.length} runs`);
}

async function importFile(ev) {
  const f = ev.target.files[0];
  ev.target.value = '';
  if (!f) return;
  clearError($('#runs-error'));
  try {
    const n = await importRuns(await f.text());
    await refresh();
    setStatus(`imported ${n} runs from ${f.name}`);
  } catch (e) {
    showError($('#runs-error'), `Could not import ${f.name}: ${e.message}`);
  }
}

async function clearAll() {
  if (!runs.length) return;
  await clearRuns();
  selected.clear();
  $('#runs-compare-view').hidden = true;
  await refresh();
  setStatus('all runs deleted');
}

// fillForm moved to forms.js (next to paramForm); re-exported for older imports.
export { fillForm } from './forms.js';
