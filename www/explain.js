// The lesson next to the forms: each step's, model's and metric's explanation from
// the core's catalogue (src/pipeline/explain.rs: what it does, when to use it, a
// pitfall) as a "What is this?" disclosure, a short "what and why" at the top of
// each of the seven workflow stages, and what a solver warning or "converged: false"
// means and what to do about it. Text only: nothing here builds HTML from strings.
import { $, el } from './dom.js';

/** A "What is this?" disclosure for a catalogue entry's `explain` ({what, when, pitfall}), or null. */
export function explainDetails(explain, label = 'What is this?') {
  if (!explain) return null;
  return el('details', { class: 'explain', dataset: { testid: 'explain' } },
    el('summary', {}, label),
    el('p', {}, el('strong', {}, 'What it does: '), explain.what),
    el('p', {}, el('strong', {}, 'When to use it: '), explain.when),
    el('p', {}, el('strong', {}, 'Pitfall: '), explain.pitfall));
}

/** A "What do these metrics mean?" disclosure for the metric names shown, from the catalogue's `metric_explanations`. */
export function metricsGlossary(explanations, names) {
  const known = names.filter((n) => explanations?.[n]);
  if (!known.length) return null;
  return el('details', { class: 'explain metrics-glossary', dataset: { testid: 'metrics-glossary' } },
    el('summary', {}, 'What do these metrics mean?'),
    el('dl', {}, known.map((n) => {
      const e = explanations[n];
      return [el('dt', {}, el('code', {}, n)), el('dd', { dataset: { metric: n } }, e.what, ' ', el('em', {}, 'When: '), e.when, ' ', el('em', {}, 'Pitfall: '), e.pitfall)];
    })));
}

/**
 * The seven stages of the workflow, each with what it is and why it matters,
 * and where its area starts on the page: right `after` an element, or after the
 * legend of the fieldset holding `legendOf`.
 */
export const STAGES = [
  {
    id: 'collect', title: 'Collect', after: '#data-section > h2',
    what: 'the table the model learns from: one row per example, one column per measured property, and, to predict something, one column holding the answer.',
    why: 'a model is only as good as its data. Look at the profile for missing values, wrong types and identifiers before going on.',
  },
  {
    id: 'preprocess', title: 'Preprocess', legendOf: '#use-preprocess',
    what: 'make every column usable by a model: fill in missing values, turn text categories into numbers, put numbers on a common scale.',
    why: 'most models need a complete table of numbers, and many are misled by columns of very different sizes. Each step learns only from the training rows of each fold, so nothing leaks from the rows it is scored on.',
  },
  {
    id: 'features', title: 'Feature engineering', legendOf: '#steps-list',
    what: 'build new columns from the old ones (powers and products, bins, logarithms) or keep only the useful ones (selection, PCA).',
    why: 'a simple model on good features often beats a complex model on raw ones; but every column added is one more chance to overfit.',
  },
  {
    id: 'train', title: 'Train', legendOf: '#model-select',
    what: 'the model learns its parameters (weights, splits, centres) from the training rows.',
    why: 'the model decides which patterns can be learned at all. Start simple (a linear model), then compare with something more flexible.',
  },
  {
    id: 'evaluate', title: 'Evaluate', after: '#results-section > h2',
    what: 'cross-validation fits the pipeline on part of the rows and scores it on the rest, once per fold, so every score comes from rows the model never saw.',
    why: 'a score on the training rows flatters; only held-out scores say how the model will do on new data. Read the spread across folds, not only the mean.',
  },
  {
    id: 'deploy', title: 'Deploy', after: '#predict-section > h2',
    what: 'fit the pipeline on all rows, save it as a file, and use it to predict new rows (here in the page, with pipelab predict on the command line, or as ONNX elsewhere).',
    why: 'a model is only useful once it predicts data it has never seen. The file holds the whole pipeline, so new rows get exactly the same preprocessing.',
  },
  {
    id: 'monitor', title: 'Monitor', after: '#monitor-section > h2',
    what: 'compare new data with the data the model learned from, column by column, and score the model again when the true answers arrive.',
    why: 'the world changes (drift): a model that was right last year can quietly go wrong, and retraining on recent data is the cure.',
  },
];

/** Puts each stage's "what and why" at the top of its area (idempotent). */
export function addStageIntros(root = document) {
  for (const s of STAGES) {
    if (root.querySelector(`.stage-why[data-stage="${s.id}"]`)) continue;
    const anchor = s.after ? $(s.after, root) : $(s.legendOf, root)?.closest('fieldset')?.querySelector('legend');
    if (!anchor) continue;
    anchor.after(el('p', { class: 'stage-why', dataset: { stage: s.id, testid: `stage-${s.id}` } },
      el('strong', {}, `${s.title}: `), s.what, ' ', el('em', {}, 'Why: '), s.why));
  }
}

/**
 * Explanations next to the forms that exist before any data: the palette's chosen step and
 * the built-in preprocessing (SimpleImputer, StandardScaler, OneHotEncoder).
 */
export function setupExplanations(catalog) {
  addStageIntros();
  const find = (name) => catalog.steps.find((s) => s.name === name)?.explain;
  const palette = $('#add-step-select');
  const help = $('#add-step-help');
  if (palette && help) {
    const box = el('div', { class: 'palette-explain', dataset: { testid: 'palette-explain' } });
    help.after(box);
    const show = () => box.replaceChildren(explainDetails(find(palette.value), `What is ${palette.value}?`) ?? '');
    palette.addEventListener('change', show);
    show();
  }
  const pre = $('#preprocess-options');
  if (pre && !pre.querySelector('.builtin-explain')) {
    const parts = ['SimpleImputer', 'StandardScaler', 'OneHotEncoder'].map((n) => explainDetails(find(n), `What is ${n}?`));
    pre.append(el('div', { class: 'builtin-explain' }, parts));
  }
}

/** Shows the model's explanation under its help line (called whenever the model changes). */
export function showModelExplanation(info) {
  const help = $('#model-help');
  if (!help) return;
  let box = $('#model-explain');
  if (!box) {
    box = el('div', { id: 'model-explain', dataset: { testid: 'model-explain' } });
    help.after(box);
  }
  box.replaceChildren(explainDetails(info?.explain, `What is ${info?.name ?? 'this model'}?`) ?? '');
}

const CONVERGENCE = /stopped after \d+ iterations before converging|did not converge|before converging/i;

/** What to do about a warning, as an element to show under it, or null when there is nothing to add. */
export function explainWarning(text) {
  if (!CONVERGENCE.test(text)) return null;
  return el('span', { class: 'warning-explain' },
    ' What this means: the solver ran out of iterations (max_iter) before reaching the best coefficients, so the model is slightly off its optimum and the scores may move a little. ',
    el('strong', {}, 'What to do: '),
    'scale the features first (StandardScaler, or "numeric → StandardScaler" in the preprocessing): that is the usual cause. Otherwise raise max_iter (e.g. 1000), or make the penalty stronger (a smaller C).');
}

/**
 * The note shown next to a fitted model's "converged false": why it stopped (out of
 * iterations, or no further progress at floating-point precision) and what to do.
 */
export function convergedNote(nIter, maxIter) {
  const outOfIterations = !(Number.isFinite(nIter) && Number.isFinite(maxIter) && nIter < maxIter);
  if (!outOfIterations) {
    return el('p', { class: 'warning-explain', dataset: { testid: 'converged-note', kind: 'precision' } },
      el('strong', {}, `converged false, after ${nIter} of max_iter ${maxIter} iterations: `),
      'the solver stopped because it could make no further progress at floating-point precision, just short of pipelab\'s very tight target ' +
      '(max|gradient| ≤ tol·10⁻⁶, a million times tighter than scikit-learn\'s). No warning was raised, so the gradient is already below 10⁻⁵: ' +
      'these coefficients are the optimum for all practical purposes. ',
      el('strong', {}, 'What to do: '), 'nothing.');
  }
  return el('p', { class: 'warning-explain', dataset: { testid: 'converged-note', kind: 'iterations' } },
    el('strong', {}, 'converged false: '),
    'the solver used all its max_iter iterations before its gradient fell below the stopping tolerance, so the coefficients are not quite the optimum. ',
    el('strong', {}, 'What to do: '),
    'scale the features (StandardScaler), raise max_iter (e.g. 1000), or use a stronger penalty (a smaller C).');
}
