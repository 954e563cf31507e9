// Hyperparameter search on the page (the "Search" card). The core plans the
// search (src/selection/search.rs, the same driver `pipelab search` runs on
// threads): the main worker gives the candidates that can run now
// ('search_plan'), a pool of workers (www/pool.js) cross-validates them
// ('search_evaluate', one candidate per request), the results go back in plan
// order and the plan is asked again, until the main worker ranks them
// ('search_finish'). Each candidate's result depends only on the spec, the
// data and the candidate, so the pool size never changes the results.
import { $, el, append, clear, showError, clearError, fmt, download } from './dom.js';
import { sharedPool, defaultPoolSize } from './pool.js';
import { store } from './store.js';
import { client, setBusy, recoverIfFatal, adoptModel } from './session.js';
import { greaterIsBetter, betterText, axisTitle } from './metric_direction.js';

const KINDS = {
  GridSearchCV: 'tries every combination of the listed values.',
  RandomizedSearchCV: 'draws n_iter settings from the distributions (seeded by random_state); a list is sampled uniformly.',
  BayesSearchCV: 'Bayesian optimization (a seeded Tree-structured Parzen Estimator): n_initial_points random trials, then each trial is proposed from the scores so far; stops after n_iter trials or the time budget.',
  HalvingGridSearchCV: 'successive halving: every combination on a few rows, then the best 1/factor of them on factor× more rows, until one is left or every row is used.',
};
const DISTS = ['list', 'uniform', 'loguniform', 'randint'];

const pool = sharedPool(); // shared with cross-validation (www/cv_pool.js)
let run = null; // the running search: {cancelled}
let last = null; // {report, spec, bestSpec, modelText}
let sortKey = { col: 'rank', dir: 1 };
let traceChart = null;

const kind = () => $('#search-kind').value;
const isGrid = () => ['GridSearchCV', 'HalvingGridSearchCV'].includes(kind());

// ---------------------------------------------------------------- set-up

/**
 * Wires the card. It reads the pipeline from the store's `spec` and publishes its own
 * block as `search-block` (the spec view shows both); new data resets it, the model's
 * task sets its metric choices, the page's Cancel (`cancel`) stops a running search.
 */
export function setupSearch() {
  const ks = $('#search-kind');
  for (const k of Object.keys(KINDS)) ks.append(el('option', { value: k }, k));
  $('#search-workers').value = defaultPoolSize();
  $('#search-workers').max = 16;
  $('#search-enable').addEventListener('change', () => {
    $('#search-form').hidden = !$('#search-enable').checked;
    if ($('#search-enable').checked && !$('#search-params').children.length) addParamRow();
    publishBlock();
  });
  ks.addEventListener('change', () => {
    syncKind();
    publishBlock();
  });
  const form = $('#search-form');
  form.addEventListener('input', () => publishBlock());
  form.addEventListener('change', () => publishBlock());
  $('#search-add-param').addEventListener('click', () => {
    addParamRow();
    publishBlock();
  });
  $('#search-run').addEventListener('click', runSearch);
  $('#search-cancel').addEventListener('click', cancelSearch);
  // The page's own Cancel (it restarts the main worker) stops a running search too.
  store.on('cancel', cancelSearch);
  store.on('spec-changed', publishBlock);
  store.on('data-changed', (d) => d && searchDataChanged());
  store.on('task-changed', searchMetrics);
  $('#search-download-results').addEventListener('click', () => {
    if (last) download(JSON.stringify(last.report, null, 2), 'pipelab-search-results.json', 'application/json');
  });
  $('#search-download-model').addEventListener('click', () => {
    if (last?.modelText) download(last.modelText, 'pipelab-model-search-best.json', 'application/json');
  });
  syncKind();
}

/** New data: show the card, forget the previous search and its pool. */
function searchDataChanged() {
  $('#search-section').hidden = false;
  pool.terminate();
  last = null;
  $('#search-results').hidden = true;
  clear($('#search-params'));
  if ($('#search-enable').checked) addParamRow();
  publishBlock();
}

/** The pipeline from the forms (a copy: the search adds its block); throws the forms' reason when there is none. */
function currentSpec() {
  const { spec, error } = store.get('spec') ?? {};
  if (!spec) throw new Error(error ?? 'load data first');
  return structuredClone(spec);
}

/** The `search` block the spec view shows (store value `search-block`), when searching is on. Never throws. */
function publishBlock() {
  const spec = store.get('spec')?.spec;
  if (!$('#search-enable')?.checked || !spec) {
    store.set('search-block', { block: null, error: null });
    return;
  }
  refreshPaths(spec);
  const note = $('#search-spec-note');
  try {
    const block = searchBlock(spec);
    note.textContent = '';
    store.set('search-block', { block, error: null });
  } catch (e) {
    note.textContent = `The search block is incomplete: ${e.message}`;
    store.set('search-block', { block: null, error: e.message });
  }
}

function syncKind() {
  const k = kind();
  $('#search-kind-help').textContent = KINDS[k];
  for (const n of document.querySelectorAll('#search-options [data-for]')) n.hidden = !n.dataset.for.split(' ').includes(k);
  for (const row of document.querySelectorAll('#search-params .search-param')) syncRow(row);
}

// ---------------------------------------------------------------- parameters

/** Every tunable parameter of the current pipeline: [{path, p, group}], named as scikit-learn names them. */
function parameterPaths(spec) {
  const cat = store.get('catalog');
  const out = [];
  const add = (prefix, name, kindKey, group) => {
    const info = cat?.[kindKey]?.find((x) => x.name === name);
    for (const p of info?.params ?? []) if (p.kind !== 'list') out.push({ path: `${prefix}__${p.name}`, p, group });
  };
  const numbered = (steps, prefix, group) => {
    const seen = {};
    for (const s of steps ?? []) {
      const n = Object.keys(s)[0];
      const k = (seen[n] = (seen[n] ?? -1) + 1);
      add(`${prefix}${k ? `${n}_${k}` : n}`, n, 'steps', `${group}${n}${k ? ` (#${k + 1})` : ''}`);
    }
  };
  const model = Object.keys(spec.model ?? {})[0];
  if (model) add('model', model, 'models', `model: ${model}`);
  numbered(spec.steps, '', 'step: ');
  for (const b of spec.preprocess?.transformers ?? []) numbered(b.steps, `${b.name}__`, `branch ${b.name}: `);
  return out;
}

let paths = [];
function refreshPaths(spec) {
  paths = parameterPaths(spec);
  const key = paths.map((x) => x.path).join('|');
  for (const row of document.querySelectorAll('#search-params .search-param')) {
    const sel = $('.search-path', row);
    if (sel.dataset.key === key) continue;
    const keep = sel.value;
    fillPathSelect(sel, keep);
    sel.dataset.key = key;
  }
}

function fillPathSelect(sel, keep) {
  clear(sel);
  const groups = new Map();
  for (const x of paths) {
    if (!groups.has(x.group)) groups.set(x.group, el('optgroup', { label: x.group }));
    groups.get(x.group).append(el('option', { value: x.path, title: x.p.help }, x.path));
  }
  for (const g of groups.values()) sel.append(g);
  if (keep && !paths.some((x) => x.path === keep)) sel.append(el('option', { value: keep }, `${keep} (not in the pipeline)`));
  sel.value = keep || '';
}

function infoOf(path) {
  return paths.find((x) => x.path === path)?.p;
}

const round = (x) => Number(x.toPrecision(3));

/** Suggested values for a parameter: a list around its default, or a range. */
function suggestion(p) {
  const d = p?.default;
  if (!p) return { list: '', low: '', high: '' };
  if (p.kind === 'bool') return { list: 'true, false' };
  if (p.kind === 'choice') return { list: [...(p.choices ?? []), ...(d === null ? ['None'] : [])].join(', ') };
  if (p.kind.startsWith('int')) {
    const base = typeof d === 'number' ? d : 4;
    const lo = Math.max(p.min ?? 1, Math.round(base / 2));
    return { list: [...new Set([lo, base, base * 2])].join(', '), low: lo, high: base * 2 + 1, dist: 'randint' };
  }
  if (p.kind.startsWith('float')) {
    if (typeof d === 'number' && d > 0) {
      return { list: [d / 10, d, d * 10].map(round).join(', '), low: round(d / 100), high: round(d * 100), dist: 'loguniform' };
    }
    return { list: '0, 0.5, 1', low: 0, high: 1, dist: 'uniform' };
  }
  return { list: d ?? '' };
}

function addParamRow() {
  let spec = null;
  try {
    spec = currentSpec();
  } catch {}
  if (spec) paths = parameterPaths(spec);
  const taken = new Set([...document.querySelectorAll('#search-params .search-path')].map((s) => s.value));
  const first = paths.find((x) => !taken.has(x.path) && ['float', 'int'].includes(x.p.kind)) ?? paths.find((x) => !taken.has(x.path));
  const i = document.querySelectorAll('#search-params .search-param').length;
  const path = el('select', { class: 'search-path', 'aria-label': 'parameter path', dataset: { testid: `search-path-${i}` } });
  const dist = el('select', { class: 'search-dist', 'aria-label': 'distribution' }, DISTS.map((d) => el('option', { value: d }, d === 'list' ? 'list of choices' : d)));
  const list = el('input', { type: 'text', class: 'search-list', 'aria-label': 'values', placeholder: 'comma-separated values', dataset: { testid: `search-values-${i}` } });
  const low = el('input', { type: 'number', class: 'search-low', step: 'any', 'aria-label': 'low', placeholder: 'low' });
  const high = el('input', { type: 'number', class: 'search-high', step: 'any', 'aria-label': 'high', placeholder: 'high' });
  const row = el('li', { class: 'search-param' }, path, dist, list, el('span', { class: 'search-range' }, low, ' to ', high, el('small', { class: 'muted search-range-note' })),
    el('button', { type: 'button', class: 'remove', title: 'remove', 'aria-label': 'remove this parameter', onclick: () => {
      row.remove();
      publishBlock();
    } }, '✕'));
  fillPathSelect(path, first?.path ?? '');
  const fill = () => {
    const s = suggestion(infoOf(path.value));
    list.value = s.list ?? '';
    low.value = s.low ?? '';
    high.value = s.high ?? '';
    dist.value = s.dist && !isGrid() ? s.dist : 'list';
    syncRow(row);
  };
  path.addEventListener('change', fill);
  dist.addEventListener('change', () => syncRow(row));
  $('#search-params').append(row);
  fill();
}

function syncRow(row) {
  const grid = isGrid();
  const dist = $('.search-dist', row);
  if (grid) dist.value = 'list';
  dist.hidden = grid;
  const isList = dist.value === 'list';
  $('.search-list', row).hidden = !isList;
  $('.search-range', row).hidden = isList;
  $('.search-range-note', row).textContent = dist.value === 'randint' ? ' (whole numbers, high excluded)' : '';
}

/** "0.01, 0.1, 1" → [0.01, 0.1, 1]; true/false, None, and text as they read; a JSON list as is. */
function parseList(text, path) {
  const s = text.trim();
  if (!s) throw new Error(`${path}: give at least one value`);
  if (s.startsWith('[')) {
    try {
      const v = JSON.parse(s);
      if (Array.isArray(v) && v.length) return v;
    } catch {}
    throw new Error(`${path}: ${s} is not a JSON list`);
  }
  return s.split(',').map((t) => t.trim()).filter((t) => t !== '').map((t) => {
    if (t === 'None' || t === 'null') return null;
    if (t === 'true' || t === 'True') return true;
    if (t === 'false' || t === 'False') return false;
    const x = Number(t);
    return Number.isFinite(x) ? x : t;
  });
}

function numberIn(input, what, { int = false, optional = false, min = -Infinity } = {}) {
  const s = input.value.trim();
  if (s === '') {
    if (optional) return undefined;
    throw new Error(`${what} needs a number`);
  }
  const x = Number(s);
  if (!Number.isFinite(x) || (int && !Number.isInteger(x)) || x < min) throw new Error(`${what} must be ${int ? 'a whole number' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}, got ${s}`);
  return x;
}

/** The `search` block of the spec, as `pipelab search` reads it; throws an Error naming what is wrong. */
function searchBlock() {
  const k = kind();
  const space = {};
  const rows = [...document.querySelectorAll('#search-params .search-param')];
  if (!rows.length) throw new Error('add at least one parameter to search over');
  for (const row of rows) {
    const path = $('.search-path', row).value;
    if (!path) throw new Error('choose a parameter in every row');
    if (path in space) throw new Error(`${path} is listed twice`);
    const d = isGrid() ? 'list' : $('.search-dist', row).value;
    if (d === 'list') {
      space[path] = parseList($('.search-list', row).value, path);
    } else {
      const int = d === 'randint';
      const lo = numberIn($('.search-low', row), `${path} low`, { int });
      const hi = numberIn($('.search-high', row), `${path} high`, { int });
      if (!(lo < hi)) throw new Error(`${path}: low must be below high`);
      if (d === 'loguniform' && lo <= 0) throw new Error(`${path}: loguniform needs low > 0`);
      space[path] = { [d]: [lo, hi] };
    }
  }
  const o = {};
  const scoring = $('#search-scoring').value;
  if (scoring) o.scoring = scoring;
  if (!$('#search-refit').checked) o.refit = false;
  const rs = numberIn($('#search-random-state'), 'random_state', { int: true, optional: true, min: 0 });
  if (k === 'GridSearchCV') return { GridSearchCV: { param_grid: space, ...o } };
  if (rs !== undefined) o.random_state = rs;
  if (k === 'RandomizedSearchCV') {
    return { RandomizedSearchCV: { param_distributions: space, n_iter: numberIn($('#search-n-iter'), 'n_iter', { int: true, min: 1 }), ...o } };
  }
  if (k === 'BayesSearchCV') {
    const t = numberIn($('#search-max-time'), 'time budget', { optional: true, min: 0 });
    return { BayesSearchCV: {
      search_spaces: space,
      n_iter: numberIn($('#search-n-trials'), 'n_iter', { int: true, min: 1 }),
      n_initial_points: numberIn($('#search-n-initial'), 'n_initial_points', { int: true, min: 1 }),
      ...(t !== undefined ? { max_time_s: t } : {}),
      ...o,
    } };
  }
  const mr = numberIn($('#search-min-resources'), 'min_resources', { int: true, optional: true, min: 1 });
  return { HalvingGridSearchCV: { param_grid: space, factor: numberIn($('#search-factor'), 'factor', { int: true, min: 2 }), ...(mr !== undefined ? { min_resources: mr } : {}), ...o } };
}

/** The metric choices follow the model's task. */
function searchMetrics(task) {
  const sel = $('#search-scoring');
  if (!sel) return;
  const keep = sel.value;
  clear(sel).append(el('option', { value: '' }, 'the first metric above'));
  for (const m of store.get('catalog')?.metrics?.[task] ?? []) sel.append(el('option', { value: m }, m));
  sel.value = [...sel.options].some((o) => o.value === keep) ? keep : '';
}

// ---------------------------------------------------------------- running

function secs(ms) {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

async function runSearch() {
  const err = $('#search-error');
  clearError(err);
  if (store.get('busy') || run) {
    showError(err, 'Something is running: cancel it or wait before starting a search.');
    return;
  }
  const data = store.get('data');
  if (!data) {
    showError(err, 'No data loaded: load a CSV in step 1 first.');
    return;
  }
  let spec;
  try {
    spec = currentSpec();
    paths = parameterPaths(spec);
    spec.search = searchBlock();
  } catch (e) {
    showError(err, e.message);
    return;
  }
  const specJson = JSON.stringify(spec);
  const size = Math.max(1, Math.min(16, Math.round(Number($('#search-workers').value) || defaultPoolSize())));
  const progress = $('#search-progress');
  const text = $('#search-progress-text');
  const me = { cancelled: false };
  run = me;
  const check = () => {
    if (me.cancelled) throw Object.assign(new Error('cancelled'), { cancelled: true });
  };
  setBusy(true);
  $('#search-run').disabled = true;
  $('#search-cancel').disabled = false;
  $('#search-cancel').hidden = false;
  $('#search-results').hidden = true;
  $('#search-model-status').textContent = '';
  $('#search-download-model').disabled = true;
  progress.max = 1;
  progress.value = 0;
  let t0 = performance.now();
  let stopped = () => 'no candidate had finished';
  try {
    text.textContent = `starting ${size} worker${size > 1 ? 's' : ''}…`;
    await pool.ensure(data.blob, data.options, size);
    check();
    t0 = performance.now();
    const budget = spec.search.BayesSearchCV?.max_time_s;
    const results = [];
    const live = [];
    startLive(spec);
    let done = 0;
    let total = 0;
    stopped = () => `${done} of ${total} candidates had finished`;
    for (;;) {
      const plan = await client.call('search_plan', { spec: specJson, history: results, elapsed_ms: performance.now() - t0 });
      check();
      if (!plan.candidates.length) break;
      total = plan.total;
      const lean = { ...plan, candidates: [] };
      const show = () => {
        const el_ = performance.now() - t0;
        progress.max = plan.total;
        progress.value = done;
        let left = done ? (el_ / done) * (plan.total - done) : NaN;
        if (budget !== undefined) left = Math.min(left, Math.max(0, budget * 1000 - el_));
        text.textContent = `${done} / ${plan.total} candidates · ${secs(el_)} elapsed${Number.isFinite(left) ? ` · about ${secs(left)} left` : ''} · ${size} worker${size > 1 ? 's' : ''}`;
      };
      show();
      const batch = await pool.map(plan.candidates.length,
        (i) => ['search_evaluate', { spec: specJson, plan: lean, params: plan.candidates[i] }],
        (_, r) => {
          done++;
          live.push(r.mean_test_score);
          updateLive(live, plan.scoring);
          show();
        });
      check();
      results.push(...batch);
    }
    const { report, best_spec: bestSpec } = await client.call('search_finish', { spec: specJson, results });
    check();
    const elapsed = performance.now() - t0;
    last = { report, spec, bestSpec, modelText: null };
    $('#search-download-results').disabled = false;
    renderResults(report, spec);
    text.textContent = `done: ${report.cv_results.length} candidates in ${secs(elapsed)} on ${size} worker${size > 1 ? 's' : ''}`;
    if (Object.values(spec.search)[0].refit !== false) {
      $('#search-model-status').textContent = 'refitting the best on all rows…';
      const modelText = await client.call('fit', { spec: bestSpec });
      last.modelText = modelText;
      await adoptModel(modelText, 'the best of the search', bestSpec);
      $('#search-model-status').textContent = 'The best setting, refitted on all rows, is now the model used in Predict.';
      $('#search-download-model').disabled = false;
    }
    store.emit('run-finished', { kind: 'search', spec, search: { report }, model_text: last.modelText, fit_time_ms: elapsed }); // run history (www/runs.js)
  } catch (e) {
    if (e.cancelled || me.cancelled) {
      text.textContent = `cancelled after ${secs(performance.now() - t0)}; your data is still loaded`;
      if (!$('#search-results').hidden) {
        clear($('#search-best')).append(`Search cancelled: ${stopped()}; the trace shows them. Nothing was ranked or refitted.`);
        $('#search-table-box').hidden = true;
        $('#search-download-results').disabled = true;
      }
    } else {
      text.textContent = 'failed';
      showError(err, e.message);
      $('#search-results').hidden = true;
      // A broken pool worker is dropped; a broken main worker is restarted with the data.
      pool.terminate();
      await recoverIfFatal(e);
    }
  } finally {
    if (run === me) run = null;
    $('#search-run').disabled = false;
    $('#search-cancel').disabled = true;
    $('#search-cancel').hidden = true;
    setBusy(false);
  }
}

/** Stops the search now: the pool workers are terminated; the main worker (with the data) is untouched. */
function cancelSearch() {
  if (!run) return;
  run.cancelled = true;
  pool.terminate();
  $('#search-progress-text').textContent = 'cancelled';
}

// ---------------------------------------------------------------- results

function paramText(v) {
  return v === null ? 'None' : typeof v === 'number' ? fmt(v, 4) : String(v);
}

function renderResults(r, spec) {
  $('#search-results').hidden = false;
  const keys = Object.keys(r.best_params);
  const best = clear($('#search-best'));
  append(best,
    'Best ', el('code', {}, r.scoring), ': ',
    el('strong', { dataset: { testid: 'search-best-score', value: String(r.best_score) } }, fmt(r.best_score)),
    ' with ',
    keys.map((k, i) => [i ? ', ' : '', el('code', { dataset: { testid: `search-best-${k}`, value: JSON.stringify(r.best_params[k]) } }, `${k} = ${paramText(r.best_params[k])}`)]),
    ` (candidate #${r.best_index + 1} of ${r.cv_results.length}).`);
  $('#search-model-status').textContent = '';
  $('#search-download-model').disabled = true;
  sortKey = { col: 'rank', dir: 1 };
  $('#search-table-box').hidden = false;
  renderTable(r);
  const k = Object.keys(spec.search)[0];
  const grid = spec.search[k].param_grid;
  if (k === 'GridSearchCV' && grid && Object.keys(grid).length === 2) {
    renderHeatmap(r, grid);
  } else {
    $('#search-heatmap-box').hidden = true;
    $('#search-trace-box').hidden = false;
    drawTrace(r.cv_results.map((c) => c.mean_test_score), r.trace, r.scoring);
  }
}

function renderTable(r) {
  const halving = r.cv_results.some((c) => c.iteration > 0);
  const keys = Object.keys(r.best_params);
  const cols = [
    { id: 'index', label: '#', get: (c, i) => i + 1 },
    ...keys.map((k) => ({ id: `p:${k}`, label: k, get: (c) => c.params[k], text: paramText, isParam: true })),
    { id: 'mean', label: 'mean test score', get: (c) => c.mean_test_score, text: (v) => fmt(v, 5) },
    { id: 'std', label: 'std', get: (c) => c.std_test_score, text: (v) => fmt(v, 3) },
    { id: 'rank', label: 'rank', get: (c) => c.rank },
    { id: 'fit', label: 'fit ms', get: (c) => c.mean_fit_time_ms, text: (v) => v.toFixed(1) },
    ...(halving ? [{ id: 'round', label: 'round', get: (c) => c.iteration }, { id: 'rows', label: 'rows', get: (c) => c.n_resources }] : []),
    { id: 'error', label: 'error', get: (c) => c.error ?? '' },
  ];
  const rows = r.cv_results.map((c, i) => ({ c, i }));
  const col = cols.find((x) => x.id === sortKey.col) ?? cols[0];
  const val = (x) => col.get(x.c, x.i);
  rows.sort((a, b) => {
    const va = val(a);
    const vb = val(b);
    const na = typeof va === 'number' && Number.isFinite(va);
    const nb = typeof vb === 'number' && Number.isFinite(vb);
    if (na && nb) return (va - vb) * sortKey.dir || a.i - b.i;
    if (na !== nb) return na ? -1 : 1;
    return String(va ?? '').localeCompare(String(vb ?? '')) * sortKey.dir || a.i - b.i;
  });
  const t = clear($('#search-table'));
  t.append(el('thead', {}, el('tr', {}, cols.map((c) => el('th', {
    class: c.isParam || c.id === 'error' ? '' : 'num',
    'aria-sort': c.id === sortKey.col ? (sortKey.dir > 0 ? 'ascending' : 'descending') : null,
    title: 'click to sort',
    onclick: () => {
      sortKey = { col: c.id, dir: sortKey.col === c.id ? -sortKey.dir : 1 };
      renderTable(r);
    },
  }, c.label, c.id === sortKey.col ? (sortKey.dir > 0 ? ' ▲' : ' ▼') : '')))));
  t.append(el('tbody', {}, rows.map(({ c, i }) => el('tr', { class: i === r.best_index ? 'best' : '' },
    cols.map((k) => {
      const v = k.get(c, i);
      return el('td', { class: k.isParam || k.id === 'error' ? (k.id === 'error' ? 'err' : '') : 'num' }, k.text ? (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '—' : k.text(v)) : v);
    })))));
}

/** A 2-parameter grid as coloured table cells: darker = better, the best outlined. */
function renderHeatmap(r, grid) {
  $('#search-trace-box').hidden = true;
  const box = $('#search-heatmap-box');
  box.hidden = false;
  const [a, b] = Object.keys(grid);
  const gib = greaterIsBetter(r.scoring);
  const scores = r.cv_results.map((c) => c.mean_test_score).filter(Number.isFinite);
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);
  const t = clear($('#search-heatmap'));
  t.append(el('thead', {}, el('tr', {}, el('th', {}, `${a} ↓ / ${b} →`), grid[b].map((v) => el('th', { class: 'num' }, paramText(v))))));
  t.append(el('tbody', {}, grid[a].map((va) => el('tr', {}, el('th', {}, paramText(va)), grid[b].map((vb) => {
    const i = r.cv_results.findIndex((c) => same(c.params[a], va) && same(c.params[b], vb));
    const s = r.cv_results[i]?.mean_test_score;
    if (!Number.isFinite(s)) return el('td', { class: 'num heat-missing' }, '—');
    const q = hi > lo ? (gib ? (s - lo) / (hi - lo) : (hi - s) / (hi - lo)) : 1;
    const light = 95 - 55 * q;
    return el('td', {
      class: `num heat${i === r.best_index ? ' heat-best' : ''}`,
      style: `background: hsl(220 70% ${light.toFixed(0)}%); color: ${Math.round(light) < 55 ? '#fff' : '#000'}` /* ≥ 4.5:1 on every shade */,
      title: `${a}=${paramText(va)}, ${b}=${paramText(vb)}: ${fmt(s)} ± ${fmt(r.cv_results[i].std_test_score, 3)}`,
    }, fmt(s, 4));
  })))));
  $('#search-heatmap-caption').textContent =
    `Each cell is the mean cross-validated ${r.scoring} for one pair of values; darker is better${gib ? '' : ' (lower error)'}, and the outlined cell is the best.`;
}

function startLive(spec) {
  const k = Object.keys(spec.search)[0];
  const g = spec.search[k].param_grid;
  if (k === 'GridSearchCV' && g && Object.keys(g).length === 2) return;
  $('#search-results').hidden = false;
  clear($('#search-best')).append('Searching… (the trace fills in as trials finish)');
  $('#search-table-box').hidden = true;
  $('#search-heatmap-box').hidden = true;
  $('#search-trace-box').hidden = false;
  drawTrace([], [], '');
}

function updateLive(scores, scoring) {
  if ($('#search-trace-box').hidden) return;
  const gib = greaterIsBetter(scoring);
  const best = [];
  let b = NaN;
  for (const s of scores) {
    if (Number.isFinite(s) && (!Number.isFinite(b) || (gib ? s > b : s < b))) b = s;
    best.push(b);
  }
  drawTrace(scores, best, scoring);
}

function drawTrace(scores, best, scoring) {
  const canvas = $('#search-trace');
  $('#search-trace-caption').textContent = scoring
    ? `${scoring}: ${betterText(scoring)}. Each dot is one trial's mean cross-validated score, in the order tried; the line is the best so far: when it stops ${greaterIsBetter(scoring) ? 'rising' : 'falling'}, more trials are unlikely to help.`
    : 'Each dot is one trial\'s mean cross-validated score, in the order tried; the line is the best so far: when it stops improving, more trials are unlikely to help.';
  if (typeof window.Chart !== 'function') return;
  const labels = scores.map((_, i) => i + 1);
  const data = {
    labels,
    datasets: [
      { type: 'line', label: 'best so far', data: best.map((x) => (Number.isFinite(x) ? x : null)), borderColor: '#3b6fd8', backgroundColor: '#3b6fd8', stepped: true, pointRadius: 0, borderWidth: 2 },
      { type: 'line', label: `trial ${scoring || 'score'}`, data: scores.map((x) => (Number.isFinite(x) ? x : null)), showLine: false, pointRadius: 4, backgroundColor: '#e0833a', borderColor: '#e0833a' },
    ],
  };
  if (traceChart && traceChart.canvas === canvas) {
    traceChart.data = data;
    traceChart.options.scales.y.title.text = axisTitle(scoring);
    traceChart.update('none');
    return;
  }
  traceChart?.destroy();
  traceChart = new window.Chart(canvas, {
    type: 'line',
    data,
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom' } },
      scales: { x: { title: { display: true, text: 'trial' } }, y: { title: { display: true, text: axisTitle(scoring) } } },
    },
  });
}
