// The Validation fieldset (issue 6): every splitter of the core with its
// scikit-learn parameters, and the hold-out train/test split. Builds the
// spec's `cv` and `holdout` blocks (SPEC.md); the core validates the values.
import { $, el, clear } from './dom.js';

export const SPLITTER_HELP = {
  KFold: 'Contiguous blocks of rows take turns as the test fold.',
  StratifiedKFold: 'Like KFold, but every fold keeps the class proportions of the whole data.',
  RepeatedKFold: 'KFold run n_repeats times, each with a different shuffle: a steadier estimate.',
  RepeatedStratifiedKFold: 'StratifiedKFold run n_repeats times with different shuffles.',
  ShuffleSplit: 'n_splits independent random train/test splits (test parts may overlap).',
  StratifiedShuffleSplit: 'Random train/test splits that keep the class proportions.',
  LeaveOneOut: 'Each row is the test set once: as many fits as rows (small data only).',
  GroupKFold: 'Rows with the same value in the group column never straddle train and test.',
};

function num(id, what, { int = false, min = null } = {}) {
  const s = $(id).value.trim();
  if (s === '') return null;
  const x = Number(s);
  if (!Number.isFinite(x) || (int && !Number.isInteger(x)) || (min !== null && x < min)) {
    throw new Error(`${what} must be ${int ? 'a whole number' : 'a number'}${min !== null ? ` ≥ ${min}` : ''}`);
  }
  return x;
}

/** Shows the fields the chosen splitter uses. */
export function syncCvForm() {
  const name = $('#cv-splitter').value;
  for (const n of document.querySelectorAll('#cv-fieldset [data-for]')) n.hidden = !n.dataset.for.split(' ').includes(name);
  $('#cv-help').textContent = SPLITTER_HELP[name] ?? '';
  const shuffleMatters = name === 'KFold' || name === 'StratifiedKFold';
  $('#cv-random-state').disabled = shuffleMatters && !$('#cv-shuffle').checked;
  $('#holdout-options').hidden = !$('#holdout-use').checked;
}

/** Fills the group column picker with the data's columns (keeps the choice when possible). */
export function fillGroupColumns(columns) {
  const sel = $('#cv-groups');
  const prev = sel.value;
  clear(sel);
  for (const c of columns) sel.append(el('option', { value: c.name }, c.name));
  if (columns.some((c) => c.name === prev)) sel.value = prev;
}

/** The spec's `cv` block; throws an Error naming the field. */
export function cvFromForm() {
  const name = $('#cv-splitter').value;
  const p = {};
  const used = (id) => !$(id).closest('[data-for]')?.hidden;
  if (name !== 'LeaveOneOut') p.n_splits = num('#cv-n-splits', 'cross-validation: n_splits', { int: true, min: 2 }) ?? 5;
  if (name === 'RepeatedKFold' || name === 'RepeatedStratifiedKFold') p.n_repeats = num('#cv-n-repeats', 'cross-validation: n_repeats', { int: true, min: 1 }) ?? 10;
  if (name === 'ShuffleSplit' || name === 'StratifiedShuffleSplit') {
    p.n_splits = num('#cv-n-splits', 'cross-validation: n_splits', { int: true, min: 1 }) ?? 10;
    const ts = num('#cv-test-size', 'cross-validation: test_size', { min: 0 });
    if (ts !== null) p.test_size = ts;
    const tr = num('#cv-train-size', 'cross-validation: train_size', { min: 0 });
    if (tr !== null) p.train_size = tr;
  }
  if (name === 'KFold' || name === 'StratifiedKFold') {
    if ($('#cv-shuffle').checked) p.shuffle = true;
  }
  if (used('#cv-random-state') && !$('#cv-random-state').disabled) {
    const rs = num('#cv-random-state', 'cross-validation: random_state', { int: true, min: 0 });
    if (rs !== null) p.random_state = rs;
  }
  if (name === 'GroupKFold') {
    const g = $('#cv-groups').value;
    if (!g) throw new Error('GroupKFold: choose the group column');
    p.groups = g;
  }
  return { [name]: p };
}

/** The spec's `holdout` block, or null. */
export function holdoutFromForm() {
  if (!$('#holdout-use').checked) return null;
  const h = {};
  const ts = num('#holdout-test-size', 'hold-out: test_size', { min: 0 });
  if (ts !== null) h.test_size = ts;
  h.stratify = $('#holdout-stratify').checked;
  h.shuffle = $('#holdout-shuffle').checked;
  const rs = num('#holdout-random-state', 'hold-out: random_state', { int: true, min: 0 });
  if (rs !== null) h.random_state = rs;
  return h;
}
