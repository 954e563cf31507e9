// The Exercises panel: the lesson's four exercises, each checking itself as the
// student works. It watches the page's named events (www/events.js) and never
// reads app.js's state; progress is kept in localStorage, so a reload keeps it.
//
//   1. build   StandardScaler + PolynomialFeatures + LinearRegression on a regression target
//   2. rmse    cross-validate it and type the mean RMSE the results show
//   3. reload  save the model file, load that file back, predict with it
//   4. compare record two runs that differ in a setting and compare them (www/runs.js)
import { $, el, fmt } from './dom.js';
import { on } from './events.js';

const KEY = 'pipelab.exercises.v1';

export const EXERCISES = [
  {
    id: 'build',
    title: 'Build a polynomial regression',
    text: 'Load a data set with a numeric column to predict (diabetes is one). Build a pipeline that standardizes the features, then adds their squares and products, then fits a straight-line model: StandardScaler, then PolynomialFeatures, then LinearRegression.',
  },
  {
    id: 'rmse',
    title: 'Read its cross-validated RMSE',
    text: 'Cross-validate that pipeline with RMSE among the metrics. Find the mean RMSE over the test folds in the results and type it here.',
  },
  {
    id: 'reload',
    title: 'Save the model and reload it to predict',
    text: 'Fit the pipeline on all rows and save the model file. Then load that file back as the model and predict some rows with it.',
  },
  {
    id: 'compare',
    title: 'Record two runs and compare them',
    text: 'Cross-validate two versions of a pipeline that differ in one setting (the polynomial degree, say). Then compare the two runs side by side in the run history: which setting differs, and which run scores better?',
  },
];

/** Progress as stored: {done: {id: time}, saved: [model-file hashes], rmse: number | null}. */
function load() {
  try {
    const p = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return { done: p.done ?? {}, saved: Array.isArray(p.saved) ? p.saved : [], rmse: typeof p.rmse === 'number' ? p.rmse : null };
  } catch {
    return { done: {}, saved: [], rmse: null };
  }
}

let progress = load();
const seen = { build: '', rmse: '', reload: '', compare: '' }; // what the page saw so far, per exercise
let loadedSaved = null; // hash of a saved model file that was loaded back

function save() {
  try {
    localStorage.setItem(KEY, JSON.stringify(progress));
  } catch {
    // Storage full or disabled: the ticks still show for this visit.
  }
}

/** A short, stable fingerprint of a model file's text (FNV-1a over the UTF-16 units, plus the length). */
export function fingerprint(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${text.length}:${h.toString(16)}`;
}

/** The step names of a spec in the order rows flow through them: each ColumnTransformer branch, then the top-level steps. */
function stepOrder(spec) {
  const branches = (spec.preprocess?.transformers ?? []).map((t) => (t.steps ?? []).map((s) => Object.keys(s)[0]));
  const top = (spec.steps ?? []).map((s) => Object.keys(s)[0]);
  return { branches, top };
}

/**
 * What exercise 1 finds in a spec: {model, scaler, poly, order, regression} (booleans) and `ok`.
 * The scaler must act before PolynomialFeatures: in a branch (all of them if several hold
 * numbers: we accept any branch) or earlier in the top-level steps.
 */
export function checkBuild(spec, targetTask) {
  const model = !!spec?.model && Object.keys(spec.model)[0] === 'LinearRegression';
  const { branches, top } = stepOrder(spec ?? {});
  const polyTop = top.indexOf('PolynomialFeatures');
  const polyBranch = branches.find((b) => b.includes('PolynomialFeatures'));
  const poly = polyTop >= 0 || !!polyBranch;
  const scaler = branches.some((b) => b.includes('StandardScaler')) || top.includes('StandardScaler');
  let order = false;
  if (polyTop >= 0) order = top.slice(0, polyTop).includes('StandardScaler') || branches.some((b) => b.includes('StandardScaler'));
  else if (polyBranch) order = polyBranch.indexOf('StandardScaler') >= 0 && polyBranch.indexOf('StandardScaler') < polyBranch.indexOf('PolynomialFeatures');
  const regression = !!spec?.target && targetTask === 'regression';
  return { model, scaler, poly, order, regression, ok: model && scaler && poly && order && regression };
}

function tick(id) {
  if (progress.done[id]) return;
  progress.done[id] = Date.now();
  save();
  render();
  const ex = EXERCISES.find((e) => e.id === id);
  const live = $('#exercises-live');
  if (live) live.textContent = `Exercise ${EXERCISES.indexOf(ex) + 1} done: ${ex.title}.`;
}

const yes = (b, what) => `${b ? '✓' : '✗'} ${what}`;

/** The task the spec's target makes, from the table summary (the core's `as_target`). */
function targetTask(spec, summary) {
  return summary?.columns?.find((c) => c.name === spec?.target)?.as_target?.task ?? null;
}

function onSpec({ spec, summary }) {
  const c = checkBuild(spec, targetTask(spec, summary));
  const text = [yes(c.regression, 'a numeric target'), yes(c.scaler && (c.order || !c.poly), 'StandardScaler'), yes(c.poly && c.order, 'PolynomialFeatures after it'), yes(c.model, 'LinearRegression')].join(' · ');
  if (c.ok) tick('build');
  else if (text !== seen.build && !progress.done.build) {
    // Every edit of the forms sends a spec: redraw only when what is seen changes.
    seen.build = text;
    render();
  }
}

function onCv({ spec, summary, report }) {
  if (!checkBuild(spec, targetTask(spec, summary)).ok) {
    seen.rmse = 'The last cross-validation was not of the exercise 1 pipeline.';
  } else if (!report?.metrics?.rmse) {
    seen.rmse = 'The last cross-validation did not report RMSE: choose it among the metrics and run again.';
  } else {
    progress.rmse = report.metrics.rmse.mean;
    save();
    seen.rmse = 'Cross-validated: now find the mean RMSE in the results.';
  }
  render();
  checkAnswer(true);
}

/**
 * Exercise 2's answer box: right when within 1 % of the mean RMSE shown (so 59, 59.0 and
 * 59.0022 all count). While typing (`quiet`) only a right answer is reported.
 */
function checkAnswer(quiet = false) {
  const input = $('#exercise-rmse-answer');
  if (!input || progress.done.rmse) return;
  const v = Number(input.value.replace(',', '.'));
  if (input.value.trim() === '' || progress.rmse === null) return;
  const right = Number.isFinite(v) && Math.abs(v - progress.rmse) <= 0.01 * Math.abs(progress.rmse);
  if (quiet && !right) return;
  if (right) {
    seen.rmse = `Right: the mean RMSE is ${fmt(progress.rmse, 4)}, the typical size of an error in the target's unit.`;
    tick('rmse');
    return;
  }
  if (!Number.isFinite(v)) {
    seen.rmse = 'That is not a number.';
  } else {
    seen.rmse = 'Not quite: look for the test mean of rmse in the results of the last cross-validation.';
  }
  render();
}

function onSaved({ text }) {
  const f = fingerprint(text);
  if (!progress.saved.includes(f)) progress.saved = [...progress.saved.slice(-9), f];
  save();
  seen.reload = '✓ model file saved · ✗ loaded back · ✗ predicted with it';
  render();
}

function onLoaded({ text, source }) {
  const f = fingerprint(text);
  if (source === 'file' && progress.saved.includes(f)) {
    loadedSaved = f;
    seen.reload = '✓ model file saved · ✓ loaded back · ✗ predicted with it';
  } else {
    loadedSaved = null;
    seen.reload = 'This model file is not one saved on this page: save the model first, then load that file.';
  }
  render();
}

function onPredicted({ modelText }) {
  if (loadedSaved && modelText && fingerprint(modelText) === loadedSaved) {
    seen.reload = '✓ model file saved · ✓ loaded back · ✓ predicted with it';
    tick('reload');
  }
}

function onCompared({ n, differing }) {
  if (n >= 2 && differing >= 1) tick('compare');
  else {
    seen.compare = n < 2 ? 'Select at least two runs to compare.' : 'These runs have the same settings: change one, run again, and compare.';
    render();
  }
}

/** Wires the panel into `host` (an element near the top of the page) and starts watching. */
export function setupExercises(host = $('main')) {
  if (!host || $('#exercises')) return;
  const panel = el('details', { id: 'exercises', class: 'card exercises', dataset: { testid: 'exercises' } });
  panel.open = localStorage.getItem(`${KEY}.closed`) !== 'true';
  panel.addEventListener('toggle', () => {
    try {
      localStorage.setItem(`${KEY}.closed`, String(!panel.open));
    } catch {
      // ignored: the panel opens again next visit
    }
  });
  host.prepend(panel);
  on('spec', onSpec);
  on('cv-done', onCv);
  on('model-saved', onSaved);
  on('model-loaded', onLoaded);
  on('predicted', onPredicted);
  on('runs-compared', onCompared);
  render();
}

function render() {
  const panel = $('#exercises');
  if (!panel) return;
  const nDone = EXERCISES.filter((e) => progress.done[e.id]).length;
  const focused = document.activeElement?.id === 'exercise-rmse-answer';
  const answer = $('#exercise-rmse-answer')?.value ?? '';
  panel.replaceChildren(
    el('summary', {}, el('span', { class: 'exercises-title' }, 'Exercises'), ' ',
      el('span', { class: 'exercises-count', dataset: { testid: 'exercises-count' } }, `${nDone} of ${EXERCISES.length} done`)),
    el('p', { class: 'muted' }, 'The lesson in four steps. Each one ticks itself when the page sees it done; your progress stays in this browser.'),
    el('ol', { class: 'exercise-list' }, EXERCISES.map((e) => item(e))),
    el('div', { class: 'row' },
      el('button', { type: 'button', dataset: { testid: 'exercises-reset' }, onclick: reset }, 'Start over'),
      el('span', { id: 'exercises-live', class: 'muted', role: 'status', 'aria-live': 'polite' })));
  const input = $('#exercise-rmse-answer');
  if (input) {
    input.value = answer;
    if (focused) input.focus();
  }
}

function item(e) {
  const done = !!progress.done[e.id];
  const li = el('li', { class: `exercise${done ? ' done' : ''}`, dataset: { exercise: e.id, testid: `exercise-${e.id}`, done: String(done) } },
    el('span', { class: 'exercise-tick', 'aria-hidden': 'true' }, done ? '✓' : '○'),
    el('div', {},
      el('strong', {}, e.title), ' ', el('span', { class: 'exercise-state' }, done ? '(done)' : '(to do)'),
      el('p', {}, e.text),
      e.id === 'rmse' && !done ? answerBox() : null,
      seen[e.id] && !done ? el('p', { class: 'muted exercise-seen', dataset: { testid: `exercise-${e.id}-seen` } }, seen[e.id]) : null));
  return li;
}

function answerBox() {
  const input = el('input', { type: 'text', id: 'exercise-rmse-answer', inputmode: 'decimal', size: 10, autocomplete: 'off', dataset: { testid: 'exercise-rmse-answer' } });
  input.addEventListener('input', () => checkAnswer(true));
  input.addEventListener('change', () => checkAnswer());
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') checkAnswer();
  });
  return el('p', { class: 'row' }, el('label', { for: 'exercise-rmse-answer' }, 'Mean RMSE:'), input);
}

function reset() {
  progress = { done: {}, saved: [], rmse: null };
  loadedSaved = null;
  for (const k of Object.keys(seen)) seen[k] = '';
  save();
  render();
}
