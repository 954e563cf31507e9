// Area 2, the pipeline: the forms (generated from the core's catalogue) for the
// target, the columns, the preprocessing branches, the steps, the model and its
// task, the cross-validation and the metrics; the spec they describe (store value
// `spec`, shown as JSON with the search block in `spec-text`). It puts a spec back
// into the forms on the store's `open-spec` event (a run opened, a model file loaded).
import { $, el, append, clear, showError, clearError } from './dom.js';
import { paramForm, fillForm } from './forms.js';
import { fillPalette, wirePreview, resetPreview, notePreviewSpec, topLevelOnly } from './steps.js';
import { inferTask, modelNote } from './model_picker.js';
import { syncCvForm, fillGroupColumns, cvFromForm, holdoutFromForm } from './eval_form.js';
import { store } from './store.js';
import { client, recoverIfFatal } from './session.js';
import { showModelExplanation, explainDetails, metricsGlossary } from './explain.js';
import { preselectedTarget, showTargetGuess, showSetAside, QUESTION, NONE_LABEL } from './target.js';

let steps = []; // {info, form, node}: the top-level steps
let branchSteps = { num: [], cat: [] }; // steps added from the palette to the ColumnTransformer branches, after the built-in ones
let modelForm = null;
let task = null; // 'classification' | 'regression' | 'clustering' (model picker)
let taskByUser = false; // chosen with the task selector or a model of another task
let taskReason = ''; // why the target suggests the task
let pendingOpen = null; // a spec to open once data is loaded (a model file loaded first)

const trainError = () => $('#train-error');
const catalog = () => store.get('catalog');
const summary = () => store.get('data')?.summary ?? null;

export function setupPipeline() {
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
  $('#add-step').addEventListener('click', () => {
    addStep($('#add-step-select').value, $('#add-step-where').value);
    updateSpecView();
  });
  wirePreview({ client, buildSpec, onError: recoverIfFatal });
  $('#cv-fieldset').addEventListener('change', syncCvForm);
  syncCvForm();
  store.on('catalog-changed', buildCatalogControls);
  store.on('data-changed', (d) => {
    resetPreview();
    if (d) setupForData();
  });
  store.on('search-block-changed', showSpecText);
  store.on('open-spec', openSpec);
}

/** The catalogue's default of a parameter (kind 'steps' | 'models'). */
function paramDefault(kind, component, param) {
  return componentInfo(kind, component)?.params.find((p) => p.name === param)?.default;
}

function buildCatalogControls() {
  const c = catalog();
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

export function componentInfo(kind, name) {
  return catalog()?.[kind]?.find((x) => x.name === name);
}

let stepSerial = 0;
/** Adds a step from the palette to the top-level steps (`where` = 'steps') or to a ColumnTransformer branch ('num' / 'cat'). */
function addStep(name, where = 'steps') {
  const info = componentInfo('steps', name);
  if (!info) return;
  if (where !== 'steps' && topLevelOnly(info)) {
    showError(trainError(), `${name} removes training rows, so it can only go in the top-level steps ("all features").`);
    return;
  }
  clearError(trainError());
  const list = where === 'steps' ? steps : branchSteps[where];
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
    explainDetails(info.explain, `What is ${name}?`),
    form.node);
  list.push(entry);
  renderSteps();
}

function renderSteps() {
  const list = clear($('#steps-list'));
  steps.forEach((s, i) => {
    s.node.dataset.testid = `step-${i}`;
    list.append(s.node);
  });
  if (!steps.length) list.append(el('li', { class: 'muted empty' }, 'No steps: the features go straight to the model.'));
  for (const b of ['num', 'cat']) {
    const bl = clear($(`#${b}-steps-list`));
    branchSteps[b].forEach((s, i) => {
      s.node.dataset.testid = `${b}-step-${i}`;
      bl.append(s.node);
    });
    if (!branchSteps[b].length) bl.append(el('li', { class: 'muted empty' }, 'nothing more'));
  }
  updateSpecView();
}

export function modelTask(name) {
  return componentInfo('models', name)?.group ?? 'regression';
}

function setModel(name) {
  const info = componentInfo('models', name);
  if (!info) return;
  const prevTask = modelForm ? modelTask(modelForm.name) : null;
  $('#model-select').value = name;
  $('#model-help').textContent = info.help;
  showModelExplanation(info);
  const form = paramForm(info, 'model');
  form.name = name;
  modelForm = form;
  clear($('#model-params')).append(form.node);
  const t = info.group;
  $('#model-note').textContent = modelNote(name, summary()?.n_rows ?? 0);
  $('#model-note').hidden = !$('#model-note').textContent;
  if (t !== task) {
    // Picking a model of another task overrides the inferred task.
    taskByUser = task !== null;
    task = t;
  }
  updateTaskView();
  if (t !== prevTask) {
    renderMetrics(t);
    $('#cv-splitter').value = t === 'classification' ? 'StratifiedKFold' : 'KFold';
    syncCvForm();
    store.set('task', t);
  }
  updateSpecView();
}

/** The metric boxes of a task, those the core scores a spec without `scoring` with ticked (the catalogue's default_metrics). */
function renderMetrics(t) {
  const box = clear($('#metrics'));
  const defaults = catalog().default_metrics?.[t] ?? [];
  for (const m of catalog().metrics[t] ?? []) {
    const id = `metric-${m}`;
    const cb = el('input', { type: 'checkbox', id, value: m, dataset: { metric: m } });
    cb.checked = defaults.includes(m);
    box.append(el('label', { class: 'check', for: id }, cb, ' ', m));
  }
  box.append(metricsGlossary(catalog().metric_explanations, catalog().metrics[t] ?? []) ?? '');
}

function featureColumns() {
  const target = $('#target-select').value;
  return summary().columns.filter((c) => c.name !== target && $(`.use-col[data-col="${CSS.escape(c.name)}"]`)?.checked);
}

function syncTargetRow() {
  const target = $('#target-select').value;
  for (const box of document.querySelectorAll('.use-col')) {
    const isTarget = box.dataset.col === target;
    box.disabled = isTarget;
    const tr = box.closest('tr');
    tr.classList.toggle('target-row', isTarget);
    // The row's colour says "target"; so does a word (colour is never the only carrier).
    const tag = tr.querySelector('.target-tag');
    if (tag) tag.hidden = !isTarget;
  }
  const col = summary().columns.find((c) => c.name === target);
  $('#target-info').textContent = col ? `${col.type}, ${col.distinct} distinct values${col.missing ? `, ${col.missing} missing (those rows are left out)` : ''}` : '';
}

/** Infers the task from the target (see model_picker.js) and picks a model of that task. */
function chooseModelForTarget() {
  const target = $('#target-select').value;
  const s = summary();
  const col = s.columns.find((c) => c.name === target);
  const inferred = inferTask(col, s);
  taskReason = inferred.reason;
  // A chosen clustering keeps the column as reference labels.
  if (task === 'clustering' && taskByUser && col) {
    updateTaskView();
    updateSpecView();
    return;
  }
  setTask(inferred.task, false);
}

/** Sets the task (from the selector, or inferred): a model of that task is picked if needed. */
function setTask(t, byUser) {
  taskByUser = byUser;
  const s = summary();
  if (t !== 'clustering' && !$('#target-select').value && s) {
    // Supervised learning needs a target: the last column is the usual place.
    $('#target-select').value = preselectedTarget(s) || (s.columns[s.columns.length - 1]?.name ?? '');
    syncTargetRow();
    taskReason = inferTask(s.columns.find((c) => c.name === $('#target-select').value), s).reason;
  }
  if (modelTask($('#model-select').value) !== t) {
    const m = catalog().models.find((x) => x.group === t);
    task = t;
    if (m) setModel(m.name);
  }
  task = t;
  taskByUser = byUser;
  updateTaskView();
  updateSpecView();
}

/** The task selector, its explanation, and the controls that only supervised learning has. */
function updateTaskView() {
  if (!task) return;
  const clustering = task === 'clustering';
  $('#task-select').value = task;
  const target = $('#target-select').value;
  const s = summary();
  const inferred = s ? inferTask(s.columns.find((c) => c.name === target), s).task : task;
  let info = taskByUser && inferred !== task ? `chosen by you (the target suggests ${inferred})` : taskReason ? `inferred: ${taskReason}` : '';
  if (clustering && !target) info += ' · every ticked column is a feature';
  $('#task-info').textContent = info;
  showSetAside(task, target);
  const lab = document.querySelector('label[for="target-select"]');
  if (lab) lab.textContent = clustering ? 'Reference labels (optional, never used to fit)' : QUESTION;
  $('#cv-splitter').closest('fieldset').hidden = clustering;
  $('#metrics').closest('fieldset').hidden = clustering;
  $('#train').textContent = clustering ? 'Fit & evaluate the clustering' : 'Train & cross-validate';
}

function setupForData() {
  const s = summary();
  const ts = clear($('#target-select'));
  ts.append(el('option', { value: '' }, NONE_LABEL));
  for (const c of s.columns) ts.append(el('option', { value: c.name }, c.name));
  // The core's guess (a column named like a target, else the last one); asked about when unsure.
  ts.value = preselectedTarget(s);
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
  // Preprocessing is on by default: imputing and scaling numbers (and encoding text) is the safe
  // start, and unscaled features leave the default LogisticRegression short of converging.
  $('#use-preprocess').checked = true;
  $('#preprocess-options').classList.remove('disabled');
  $('#pipeline-section').hidden = false;
  taskByUser = false; // new data: the task is inferred again
  chooseModelForTarget();
  showTargetGuess(s);
  updateSpecView();
  // A model file loaded before any data: its pipeline comes back now, if this data has its target.
  const p = pendingOpen;
  pendingOpen = null;
  if (p && (p.target === undefined || s.columns.some((c) => c.name === p.target))) {
    try {
      openSpec(p, { scroll: false });
    } catch (e) {
      store.set('status', `the loaded model's pipeline is not put into the editor: ${e.message}`);
    }
  }
}

/** The spec from the forms; throws an Error with a readable message. */
function buildSpec() {
  const spec = {};
  const target = $('#target-select').value;
  const clustering = modelTask(modelForm.name) === 'clustering';
  if (!target && !clustering) throw new Error('choose the target column');
  if (target) spec.target = target;
  const drop = summary().columns
    .filter((c) => c.name !== target && !$(`.use-col[data-col="${CSS.escape(c.name)}"]`)?.checked)
    .map((c) => c.name);
  if (drop.length) spec.drop = drop;
  if ($('#use-preprocess').checked) {
    const feats = featureColumns();
    const has = (t) => feats.some((c) => c.type === t);
    const transformers = [];
    if (has('numeric')) {
      const st = [];
      if ($('#num-imputer').value) st.push({ SimpleImputer: { strategy: $('#num-imputer').value } });
      if ($('#num-scaler').checked) st.push({ StandardScaler: {} });
      for (const s of branchSteps.num) st.push({ [s.info.name]: s.form.values() });
      transformers.push({ name: 'num', columns: { dtype: 'numeric' }, steps: st });
    }
    if (has('categorical')) {
      const st = [];
      if ($('#cat-imputer').value) st.push({ SimpleImputer: { strategy: $('#cat-imputer').value } });
      // With an unpenalized LinearRegression and its intercept, a full set of dummies is collinear
      // (the core warns and takes the minimum-norm solution): drop each column's first category.
      const m = modelForm.name === 'LinearRegression' && modelForm.values().fit_intercept !== false;
      if ($('#cat-onehot').value) st.push({ OneHotEncoder: { handle_unknown: $('#cat-onehot').value, ...(m ? { drop: 'first' } : {}) } });
      for (const s of branchSteps.cat) st.push({ [s.info.name]: s.form.values() });
      transformers.push({ name: 'cat', columns: { dtype: 'categorical' }, steps: st });
    }
    for (const [b, type] of [['num', 'numeric'], ['cat', 'categorical']]) {
      if (branchSteps[b].length && !has(type)) throw new Error(`preprocessing: the ${b} branch has steps but no ${type} feature column is selected`);
    }
    if (has('boolean')) {
      transformers.push({ name: 'bool', columns: { dtype: 'boolean' }, steps: [{ SimpleImputer: { strategy: 'most_frequent' } }] });
    }
    if (!transformers.length) throw new Error('preprocessing: no feature columns selected');
    spec.preprocess = { transformers, remainder: $('#remainder').value };
  }
  if (steps.length) spec.steps = steps.map((s) => ({ [s.info.name]: s.form.values() }));
  spec.model = { [modelForm.name]: modelForm.values() };
  if (clustering) return spec; // fitted on every row and scored without a target: no CV, no scoring
  spec.cv = cvFromForm();
  const holdout = holdoutFromForm();
  if (holdout) spec.holdout = holdout;
  const scoring = [...document.querySelectorAll('#metrics input:checked')].map((b) => b.value);
  if (!scoring.length) throw new Error('choose at least one metric');
  spec.scoring = scoring;
  return spec;
}

/**
 * Puts a spec back into the editor (the store's `open-spec`: a run opened, a model file
 * loaded). Throws when no data is loaded, unless `whenData` asks to wait for it.
 */
function openSpec(spec, { scroll = true, whenData = false } = {}) {
  if (!summary()) {
    if (whenData) {
      pendingOpen = spec;
      return 'pending';
    }
    throw new Error('load data first');
  }
  // Refused before anything changes, rather than put into the forms as another pipeline.
  const problems = spec.preprocess ? preprocessProblems(spec) : [];
  if (problems.length) {
    throw new Error(`the editor holds one preprocessing branch per column type (num, cat, bool), and in this pipeline ${problems.join('; ')}; the CLI runs it as it is (pipelab cv --data FILE --spec spec.json)`);
  }
  if (spec.target !== undefined) {
    $('#target-select').value = spec.target;
    $('#target-select').dispatchEvent(new Event('change'));
  }
  for (const c of summary().columns) {
    const box = $(`.use-col[data-col="${CSS.escape(c.name)}"]`);
    if (box && c.name !== spec.target) box.checked = !(spec.drop ?? []).includes(c.name);
  }
  const pre = spec.preprocess;
  $('#use-preprocess').checked = !!pre;
  $('#use-preprocess').dispatchEvent(new Event('change'));
  branchSteps = { num: [], cat: [] };
  steps = [];
  const addFilled = (s, where) => {
    const [name, params] = Object.entries(s)[0];
    addStep(name, where);
    const list = where === 'steps' ? steps : branchSteps[where];
    if (list.length) fillForm(list[list.length - 1].form, params);
  };
  if (pre) {
    const branch = (n) => [...(pre.transformers.find((t) => t.name === n)?.steps ?? [])];
    const first = (list, cls) => (list[0] && cls in list[0] ? list.shift()[cls] : null);
    const [num, cat] = [branch('num'), branch('cat')];
    // A parameter the spec leaves out has the catalogue's default.
    const strategy = (imp) => (imp ? imp.strategy ?? paramDefault('steps', 'SimpleImputer', 'strategy') : '');
    $('#num-imputer').value = strategy(first(num, 'SimpleImputer'));
    $('#num-scaler').checked = !!first(num, 'StandardScaler');
    $('#cat-imputer').value = strategy(first(cat, 'SimpleImputer'));
    const oh = first(cat, 'OneHotEncoder');
    $('#cat-onehot').value = oh ? oh.handle_unknown ?? paramDefault('steps', 'OneHotEncoder', 'handle_unknown') : '';
    for (const s of num) addFilled(s, 'num');
    for (const s of cat) addFilled(s, 'cat');
    $('#remainder').value = pre.remainder ?? 'drop';
  }
  for (const s of spec.steps ?? []) addFilled(s, 'steps');
  const [model, mparams] = Object.entries(spec.model)[0];
  setModel(model);
  fillForm(modelForm, mparams);
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
  if (scroll) $('#pipeline-section').scrollIntoView({ block: 'start' });
  return 'opened';
}

const BRANCH_TYPES = { num: 'numeric', cat: 'categorical', bool: 'boolean' };

/** Why the editor's branches (one per column type, named num / cat / bool) cannot hold `spec.preprocess` as it is, on the loaded data (none when they can). */
function preprocessProblems(spec) {
  const feats = summary().columns.filter((c) => c.name !== spec.target && !(spec.drop ?? []).includes(c.name));
  const out = [];
  for (const t of spec.preprocess.transformers ?? []) {
    const name = JSON.stringify(String(t.name).slice(0, 80));
    const type = Object.hasOwn(BRANCH_TYPES, t.name) ? BRANCH_TYPES[t.name] : null;
    const sel = Array.isArray(t.columns) ? { names: t.columns } : (t.columns ?? {});
    if (!type) {
      out.push(`the branch ${name} is not num, cat or bool`);
    } else if (sel.dtype !== undefined) {
      if (sel.dtype !== type) out.push(`the branch ${name} selects the ${String(sel.dtype).slice(0, 40)} columns`);
    } else {
      // A list of names is the branch's type when it names exactly the feature columns of that type.
      const want = feats.filter((c) => c.type === type).map((c) => c.name).sort();
      const got = [...(sel.names ?? [])].map(String).sort();
      if (want.length !== got.length || want.some((c, i) => c !== got[i])) {
        out.push(`the branch ${name} selects ${JSON.stringify(got).slice(0, 200)}, not every ${type} feature column`);
      }
    }
  }
  return out;
}

/** The forms changed: the store's `spec` follows (and the spec view, through `spec-changed`). */
function updateSpecView() {
  if (!summary() || !modelForm) return;
  let value;
  try {
    value = { spec: buildSpec(), error: null };
  } catch (e) {
    value = { spec: null, error: e.message };
  }
  store.set('spec', value);
  showSpecText();
}

/** The spec view: the spec and the search card's block, as the CLI reads them. */
function showSpecText() {
  const { spec, error } = store.get('spec') ?? {};
  if (!spec && !error) return;
  const ta = $('#spec-json');
  if (spec) {
    const shown = structuredClone(spec);
    const block = store.get('search-block')?.block;
    if (block) shown.search = block;
    ta.value = JSON.stringify(shown, null, 2);
    ta.classList.remove('invalid');
    notePreviewSpec(JSON.stringify(spec));
    store.set('spec-text', ta.value);
  } else {
    ta.value = `// ${error}`;
    ta.classList.add('invalid');
  }
}
