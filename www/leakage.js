// The leakage lab: the same pipeline cross-validated the right way (every step
// fitted inside each training fold, as pipelab does) and the wrong way (the
// steps fitted on every row first, then only the model cross-validated), the
// two scores side by side, and per fold a picture of which rows each step saw.
// The core computes both (Session.leakage / Session.leakage_demo in
// src/wasm/leakage.rs, src/selection/leakage.rs); this file only draws. SVG
// elements get classes, never inline styles; every label is a text node.
import { $, el, clear, fmt, showError, clearError } from './dom.js';
import { betterText } from './metric_direction.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Rows drawn at most per strip (more rows are drawn in evenly sized groups). */
const MAX_CELLS = 80;

function svg(tag, attrs = {}, ...children) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) n.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return n;
}

let ctx = null;

/**
 * Wires the lab. `buildSpec()` gives the editor's spec (object; throws a readable
 * Error; null without data); `setBusy(b)` and `recoverIfFatal(e)` are the page's.
 */
export function setupLeakage({ client, buildSpec, setBusy, recoverIfFatal }) {
  ctx = { client, buildSpec, setBusy, recoverIfFatal };
  $('#leakage-demo').addEventListener('click', runDemo);
  $('#leakage-run').addEventListener('click', runMine);
}

async function run(label, call) {
  const err = $('#leakage-error');
  const status = $('#leakage-status');
  clearError(err);
  status.textContent = `${label}: starting…`;
  ctx.setBusy?.(true);
  for (const b of document.querySelectorAll('#leakage-section button')) b.disabled = true;
  const t0 = performance.now();
  try {
    const out = await call((done, total) => {
      status.textContent = `${label}: fold ${done} / ${total} (${done <= total / 2 ? 'right way' : 'wrong way'})`;
    });
    status.textContent = `${label}: done in ${((performance.now() - t0) / 1000).toFixed(2)} s`;
    return out;
  } catch (e) {
    status.textContent = e.cancelled ? `${label}: cancelled` : '';
    if (!e.cancelled) {
      showError(err, e.message);
      await ctx.recoverIfFatal?.(e);
    }
    return null;
  } finally {
    for (const b of document.querySelectorAll('#leakage-section button')) b.disabled = false;
    ctx.setBusy?.(false);
  }
}

async function runDemo() {
  const seed = Number($('#leakage-seed').value || 0);
  if (!Number.isInteger(seed) || seed < 0) {
    showError($('#leakage-error'), 'the seed must be a whole number ≥ 0');
    return;
  }
  const params = JSON.stringify({ seed });
  const demo = await run('classic demo', (p) => ctx.client.call('leakage_demo', { params }, p));
  if (!demo) return;
  const p = demo.params;
  render(demo.report,
    `Data: ${p.n_rows} rows × ${p.n_features.toLocaleString('en')} random Gaussian features, and a label that is a coin toss (seed ${p.seed}): there is nothing to learn. ` +
    `Pipeline: SelectKBest(k=${p.k}) keeps the ${p.k} features most related to the label, then LogisticRegression.`);
}

async function runMine() {
  let spec;
  try {
    spec = ctx.buildSpec();
  } catch (e) {
    showError($('#leakage-error'), e.message);
    return;
  }
  if (!spec) {
    showError($('#leakage-error'), 'Load data and build a pipeline above first (or run the classic demo).');
    return;
  }
  const report = await run('your pipeline', (p) => ctx.client.call('leakage', { spec: JSON.stringify(spec) }, p));
  if (report) render(report, 'Data: the loaded table. Pipeline: the one built above.');
}

function render(r, about) {
  const out = clear($('#leakage-result'));
  out.hidden = false;
  const m = r.metric;
  const right = r.right[m];
  const wrong = r.wrong[m];
  const n = r.n_rows;
  out.append(el('p', { class: 'muted' }, about, ` Cross-validation: ${r.cv}; ${m}, ${betterText(m)}.`));
  const card = (cls, testid, title, how, s) =>
    el('div', { class: `lk-score ${cls}`, dataset: { testid } },
      el('div', { class: 'lk-score-title' }, title),
      el('div', { class: 'lk-score-value', dataset: { testid: `${testid}-value`, value: String(s?.mean ?? '') } }, s ? fmt(s.mean, 3) : '—'),
      el('div', { class: 'muted' }, s ? `± ${fmt(s.std, 2)} over ${s.folds.length} folds` : ''),
      el('p', { class: 'lk-how' }, how));
  out.append(el('div', { class: 'lk-scores' },
    card('lk-right', 'leakage-right', 'Right way', 'Every step is fitted inside each training fold, on the training rows only (what pipelab always does): the test rows stay unseen until they are scored.', right),
    card('lk-wrong', 'leakage-wrong', 'Wrong way', `The steps are fitted once on all ${n} rows, then only the model is cross-validated on the transformed table: the steps already saw every test row.`, wrong)));
  if (r.majority_share !== undefined && r.majority_share !== null && m === 'accuracy') {
    out.append(el('p', { class: 'lk-chance', dataset: { testid: 'leakage-chance' } },
      `Chance level: always guessing the most frequent class scores ${fmt(r.majority_share, 3)}. `,
      wrong && right && wrong.mean - right.mean > 0.1
        ? `The wrong way looks ${fmt(wrong.mean - right.mean, 2)} better — that is leakage, not learning: the selection picked the features that happen to fit the test rows too.`
        : 'Here the two ways agree: this pipeline does not leak much through its steps.'));
  }
  out.append(foldPicture(r));
  if (r.warnings?.length) out.append(el('div', { class: 'warnings' }, el('ul', {}, r.warnings.map((w) => el('li', {}, w)))));
}

// ---------------------------------------------------------------- which rows each step saw

/** Cells of a strip: each is a run of rows, `test` when it holds a test row of the fold. */
function cells(nRows, testRows) {
  const isTest = new Uint8Array(nRows);
  for (const i of testRows) isTest[i] = 1;
  const size = Math.max(1, Math.ceil(nRows / MAX_CELLS));
  const out = [];
  for (let a = 0; a < nRows; a += size) {
    let t = 0;
    for (let i = a; i < Math.min(nRows, a + size); i++) t += isTest[i];
    out.push(t > 0);
  }
  return { out, size };
}

function stageLabel(s) {
  return s.place === 'model' ? `${s.name} (model)` : s.place === 'steps' ? s.name : `${s.place}: ${s.name}`;
}

function foldPicture(r) {
  const fig = el('figure', { class: 'lk-figure', dataset: { testid: 'leakage-folds' } });
  fig.append(el('h4', {}, 'Which rows each step saw, fold by fold'));
  const grid = el('div', { class: 'lk-grid' });
  grid.append(el('div', { class: 'lk-col-head' }, ''), el('div', { class: 'lk-col-head' }, 'right way'), el('div', { class: 'lk-col-head' }, 'wrong way'));
  const labelW = 190;
  const cellW = 5;
  const laneH = 14;
  r.folds.forEach((f, k) => {
    const { out } = cells(r.n_rows, f.test_rows);
    const width = labelW + out.length * cellW + 4;
    const height = r.stages.length * (laneH + 4) + 4;
    const strip = (wrongWay) => {
      const s = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'lk-strip', role: 'img',
        'aria-label': `fold ${k + 1}, ${wrongWay ? 'wrong' : 'right'} way: ` + r.stages.map((st) => `${stageLabel(st)} saw ${f.n_train} training rows${wrongWay && st.wrong_way_saw_test_rows ? ` and the ${f.n_test} test rows` : ''}`).join('; ') });
      r.stages.forEach((st, j) => {
        const y = j * (laneH + 4) + 3;
        s.append(svg('text', { x: labelW - 6, y: y + laneH - 3, class: 'lk-lane-label', 'text-anchor': 'end' }, stageLabel(st)));
        const sawTest = wrongWay && st.wrong_way_saw_test_rows;
        out.forEach((test, i) => {
          const cls = test ? (sawTest ? 'lk-cell lk-test-seen' : 'lk-cell lk-test') : 'lk-cell lk-train';
          // A leaked cell is taller than the others: colour is not the only sign.
          const tall = test && sawTest ? 2 : 0;
          s.append(svg('rect', { x: labelW + i * cellW, y: y - tall, width: cellW - 1, height: laneH + 2 * tall, class: cls }));
        });
      });
      return s;
    };
    grid.append(el('div', { class: 'lk-fold-label' }, `fold ${k + 1}`, el('br'), el('span', { class: 'muted' }, `${f.n_train} train · ${f.n_test} test`)), strip(false), strip(true));
  });
  fig.append(el('div', { class: 'lk-grid-scroll' }, grid));
  fig.append(el('figcaption', { class: 'muted' },
    `Each strip is the ${r.n_rows} rows in table order${Math.ceil(r.n_rows / MAX_CELLS) > 1 ? ` (one cell per ${Math.ceil(r.n_rows / MAX_CELLS)} rows)` : ''}, one lane per step. `,
    el('span', { class: 'lk-key lk-key-train' }, 'filled blue'), ' = a training row the step was fitted on; ',
    el('span', { class: 'lk-key lk-key-test' }, 'hollow'), ' = a test row it never saw; ',
    el('span', { class: 'lk-key lk-key-seen' }, 'solid red, taller'), ' = a test row the step was fitted on before that fold scored it — the leak.'));
  // The same facts as a table (a text alternative to the strips).
  const rows = [];
  r.folds.forEach((f, k) => {
    for (const st of r.stages) {
      rows.push(el('tr', {}, el('td', {}, k + 1), el('td', {}, stageLabel(st)),
        el('td', { class: 'num' }, `${f.n_train} train, 0 test`),
        el('td', { class: 'num' }, st.wrong_way_saw_test_rows ? `${f.n_train} train + ${f.n_test} test` : `${f.n_train} train, 0 test`)));
    }
  });
  fig.append(el('details', {}, el('summary', {}, 'the numbers (rows each step was fitted on)'),
    el('table', { dataset: { testid: 'leakage-table' } },
      el('thead', {}, el('tr', {}, el('th', {}, 'fold'), el('th', {}, 'step'), el('th', { class: 'num' }, 'right way'), el('th', { class: 'num' }, 'wrong way'))),
      el('tbody', {}, rows))));
  return fig;
}
