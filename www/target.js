// The target question: which column to predict, asked rather than guessed in
// silence. The core guesses (src/data/target.rs: the summary's `target_guess`,
// with its reason, and `ask` when the guess is a continuous or implausible last
// column); the page preselects the guess, shows the reason, and when `ask` is set
// highlights the question until the user answers. Choosing clustering with a
// column selected says plainly that the column is set aside.
import { $, el } from './dom.js';

export const QUESTION = 'Which column do you want to predict? (none = find clusters)';
export const NONE_LABEL = '(none: find clusters)';

let pending = false; // the question waits for an answer

/** The column to preselect for a freshly loaded table (the core's guess; the last column for an older core). */
export function preselectedTarget(summary) {
  const g = summary.target_guess;
  if (g) return g.column ?? '';
  return summary.columns[summary.columns.length - 1]?.name ?? '';
}

function box() {
  let b = $('#target-question');
  if (!b) {
    const select = $('#target-select');
    if (!select) return null;
    b = el('div', { id: 'target-question', class: 'target-question', role: 'status', dataset: { testid: 'target-question' } });
    ($('#target-info') ?? select).after(b);
    select.addEventListener('change', answered);
  }
  return b;
}

/** Shows the guess for a freshly loaded table: the reason, and the question when the core is unsure. */
export function showTargetGuess(summary) {
  const b = box();
  if (!b) return;
  const g = summary.target_guess;
  const none = $('#target-select option[value=""]');
  if (none) none.textContent = NONE_LABEL;
  pending = !!g?.ask;
  b.closest('fieldset')?.classList.toggle('asking', pending);
  b.replaceChildren();
  if (!g) return;
  const reason = el('p', { class: 'target-reason', dataset: { testid: 'target-reason' } },
    el('strong', {}, g.column ? `Preselected: ${g.column}. ` : 'Preselected: none. '), `Why: ${g.reason}.`);
  b.append(reason);
  if (pending && g.column) {
    b.append(el('p', { class: 'target-ask' },
      el('strong', {}, 'Please check: '),
      `is ${g.column} really the answer you want predicted? If not, pick another column, or ${NONE_LABEL} to find groups of similar rows instead.`),
    el('button', { type: 'button', class: 'primary', dataset: { testid: 'target-confirm' }, onclick: answered }, `Yes, predict ${g.column}`));
  }
}

/** The user answered the question (confirmed or chose a column). */
function answered() {
  if (!pending) return;
  pending = false;
  const b = $('#target-question');
  b?.closest('fieldset')?.classList.remove('asking');
  b?.querySelector('.target-ask')?.remove();
  b?.querySelector('[data-testid="target-confirm"]')?.remove();
}

/** Whether the target question still waits for an answer. */
export function targetQuestionPending() {
  return pending;
}

/**
 * The plain notice for clustering with a column selected: the column is set aside (never a
 * feature, never used to fit), only compared with the clusters afterwards. Empty otherwise.
 */
export function setAsideText(task, target) {
  if (task !== 'clustering' || !target) return '';
  return `${target} is set aside: the clustering never sees it and it is not one of the features. ` +
    `Afterwards the clusters are compared with it (adjusted Rand, NMI) to show whether they found those groups. ` +
    `To cluster on ${target} too, choose ${NONE_LABEL} as the column to predict.`;
}

/** Shows (or hides) the set-aside notice in the Target area. */
export function showSetAside(task, target) {
  let n = $('#target-set-aside');
  const text = setAsideText(task, target);
  if (!n) {
    const anchor = $('#task-info');
    if (!anchor) return;
    n = el('p', { id: 'target-set-aside', class: 'notice', role: 'status', dataset: { testid: 'target-set-aside' } });
    anchor.after(n);
  }
  n.textContent = text;
  n.hidden = !text;
}
