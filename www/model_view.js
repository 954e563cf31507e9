// The fitted model, as a learner wants to see it (the core's ModelInspection,
// src/inspect.rs): coefficients with feature names (one column per class for
// multiclass), feature-importance bars, a drawn decision tree (HTML/CSS, depth-
// limited by the core), cluster centres, and the model's scalar facts.
// User data (feature names, class labels) only ever goes in as text.
import { el, clear, fmt } from './dom.js';
import { convergedNote } from './explain.js';

let importanceChart = null;

const PALETTE = ['#3b6fd8', '#e07b26', '#2e9e57', '#c8385a', '#8a5cc9', '#8c6d31', '#d062b0', '#5f6b7a', '#17a2b8', '#b5a100'];
export const clusterColor = (k) => (k < 0 ? '#9aa3ad' : PALETTE[k % PALETTE.length]);

const IMPORTANCE_TITLE = {
  impurity: 'Feature importances (mean decrease in impurity, sum 1)',
  split_gain: 'Feature importances (total split gain, sum 1)',
  abs_coef: 'Feature importances (|coefficient|; compare only on standardized features)',
};

/** Draws the inspection into `box`. `spec` (object) gives the tree's criterion. */
export function renderInspection(box, ins, spec) {
  clear(box);
  importanceChart?.destroy();
  importanceChart = null;
  box.hidden = false;
  const header = el('h3', {}, `The fitted model: ${ins.model}`);
  box.append(header);
  const task = ins.task === 'clustering' ? 'clustering' : `${ins.task}, target ${ins.target}`;
  box.append(el('p', { class: 'muted' }, `Fitted on all rows (${task}); ${ins.feature_names.length} features reach the model.`));
  if (ins.note) box.append(el('p', { class: 'warnings' }, ins.note));
  if (ins.coefficients?.length) box.append(coefTable(ins));
  if (ins.importances) box.append(importanceBlock(ins));
  if (ins.tree) box.append(treeBlock(ins, spec));
  if (ins.cluster_centers?.length) box.append(centresTable(ins));
  const facts = (ins.facts ?? []).filter(([k]) => !['depth', 'n_leaves', 'tree_depth_shown'].includes(k));
  if (facts.length) {
    box.append(el('p', { class: 'muted facts', dataset: { testid: 'model-facts' } },
      facts.map(([k, v], i) => [i ? ' · ' : '', el('code', {}, k), ` ${typeof v === 'number' ? fmt(v) : String(v)}`])));
    if (facts.some(([k, v]) => k === 'converged' && v === false)) {
      const fact = (name) => facts.find(([k]) => k === name)?.[1];
      box.append(convergedNote(fact('n_iter'), Object.values(spec?.model ?? {})[0]?.max_iter ?? 100));
    }
  }
  if (!ins.coefficients?.length && !ins.importances && !ins.tree && !ins.cluster_centers?.length && !ins.note) {
    box.append(el('p', { class: 'muted' }, `${ins.model} has no coefficients, importances or tree to show.`));
  }
}

function coefTable(ins) {
  const rows = ins.coefficients;
  const maxAbs = Math.max(1e-300, ...rows.flatMap((r) => r.values.map(Math.abs)));
  const single = rows.length === 1;
  const title = single && ins.binary_negative_class != null
    ? `Coefficients (log-odds of ${rows[0].label} vs ${ins.binary_negative_class})`
    : rows.length > 1 ? 'Coefficients (one column per class; red negative, blue positive)' : 'Coefficients';
  const t = el('table', { class: 'coef-table', dataset: { testid: 'coef-table' } });
  t.append(el('thead', {}, el('tr', {}, el('th', {}, 'feature'), rows.map((r) => el('th', { class: 'num' }, r.label)), single ? el('th', {}, el('span', { class: 'visually-hidden' }, 'bar')) : null)));
  const body = el('tbody');
  const cell = (f, r, v) => el('td', { class: 'num coef', dataset: { feature: f, label: r.label, value: String(v) }, title: String(v) }, fmt(v));
  ins.feature_names.forEach((f, j) => {
    const tds = rows.map((r) => {
      const v = r.values[j];
      const td = cell(f, r, v);
      // Several classes: a diverging colour per cell; one row: a bar in its own column.
      if (!single) td.style.background = v < 0 ? `rgba(200, 56, 90, ${(0.45 * -v) / maxAbs})` : `rgba(59, 111, 216, ${(0.45 * v) / maxAbs})`;
      return td;
    });
    let barCell = null;
    if (single) {
      const v = rows[0].values[j];
      const bar = el('span', { class: `coef-bar ${v < 0 ? 'neg' : 'pos'}` });
      bar.style.width = `${(50 * Math.abs(v)) / maxAbs}%`;
      barCell = el('td', { class: 'bar-cell' }, bar);
    }
    body.append(el('tr', {}, el('th', {}, f), tds, barCell));
  });
  body.append(el('tr', { class: 'intercept' }, el('th', {}, '(intercept)'),
    rows.map((r) => el('td', { class: 'num', dataset: { feature: '(intercept)', label: r.label, value: String(r.intercept) } }, fmt(r.intercept))),
    single ? el('td', {}) : null));
  t.append(body);
  return el('div', { class: 'model-block' }, el('h4', {}, title), el('div', { class: 'scroll' }, t));
}

function importanceBlock(ins) {
  const { kind, values } = ins.importances;
  const order = values.map((v, j) => [v, j]).sort((a, b) => b[0] - a[0]).slice(0, 20);
  const wrap = el('div', { class: 'model-block' }, el('h4', {}, IMPORTANCE_TITLE[kind] ?? 'Feature importances'));
  if (values.length > 20) wrap.append(el('p', { class: 'muted' }, `The 20 largest of ${values.length}.`));
  const canvas = el('canvas', { dataset: { testid: 'importance-chart' } });
  const holder = el('div', { class: 'chart-box importance-box' }, canvas);
  holder.style.height = `${Math.max(120, 26 * order.length + 50)}px`;
  wrap.append(holder);
  if (typeof window.Chart !== 'function') {
    holder.replaceChildren(el('p', { class: 'muted' }, order.map(([v, j]) => `${ins.feature_names[j]} ${fmt(v, 4)}`).join(' · ')));
    return wrap;
  }
  // Chart.js needs the canvas in the document to size it: draw on the next frame.
  requestAnimationFrame(() => {
    importanceChart = new window.Chart(canvas, {
      type: 'bar',
      data: { labels: order.map(([, j]) => ins.feature_names[j]), datasets: [{ label: 'importance', data: order.map(([v]) => v), backgroundColor: '#3b6fd8' }] },
      options: { indexAxis: 'y', animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
    });
  });
  return wrap;
}

// ---------------------------------------------------------------- the tree

function treeBlock(ins, spec) {
  const params = spec?.model?.[ins.model] ?? {};
  const classifier = ins.task === 'classification';
  const criterion = params.criterion ?? (classifier ? 'gini' : 'squared_error');
  const depthNote = ins.tree_depth > ins.tree_depth_shown
    ? `The tree is ${ins.tree_depth} levels deep with ${ins.n_leaves} leaves; the first ${ins.tree_depth_shown} levels of splits are drawn (⋯ marks a cut branch).`
    : `${ins.tree_depth} levels, ${ins.n_leaves} leaves.`;
  const root = el('ul', {}, treeNode(ins.tree, ins, criterion, null));
  return el('div', { class: 'model-block' },
    el('h4', {}, 'Decision tree'),
    el('p', { class: 'muted' }, depthNote, ' Left branch: condition true; right: false.'),
    el('div', { class: 'tree-scroll' }, el('div', { class: 'tree', dataset: { testid: 'tree-view' } }, root)));
}

function treeNode(n, ins, criterion, edge) {
  const classifier = ins.task === 'classification';
  const box = el('div', { class: 'tree-node', dataset: { node: String(n.id) } });
  if (edge) box.append(el('span', { class: `edge ${edge}` }, edge === 'yes' ? 'true' : 'false'));
  if (n.feature !== undefined) {
    box.append(el('div', { class: 'split', dataset: { testid: n.id === 0 ? 'tree-root-split' : 'tree-split' } }, `${n.feature} ≤ ${fmt(n.threshold, 6)}`));
  } else {
    box.classList.add('leaf');
  }
  box.append(el('div', {}, `${criterion} = ${fmt(n.impurity, 3)}`));
  box.append(el('div', {}, `samples = ${n.samples}`));
  if (classifier) {
    const value = (n.value ?? []).map((v) => fmt(v, 3));
    box.append(el('div', { class: 'muted' }, `value = [${value.join(', ')}]`));
    if (n.class_label !== undefined) box.append(el('div', { class: 'cls' }, `class = ${n.class_label}`));
    // Filled like scikit-learn's plot_tree: the class's colour, stronger when purer.
    const k = n.class ?? 0;
    const purity = Math.max(...(n.value ?? [1]));
    const k2 = (n.value ?? []).length || 1;
    const alpha = k2 > 1 ? Math.max(0, (purity - 1 / k2) / (1 - 1 / k2)) : 1;
    box.style.background = mix(PALETTE[k % PALETTE.length], alpha * 0.45);
  } else {
    box.append(el('div', { class: 'cls' }, `value = ${fmt(n.value?.[0], 5)}`));
  }
  const li = el('li', {}, box);
  if (n.truncated) {
    li.append(el('ul', {}, el('li', {}, el('div', { class: 'tree-node more' }, '⋯'))));
  } else if (n.left && n.right) {
    li.append(el('ul', {}, treeNode(n.left, ins, criterion, 'yes'), treeNode(n.right, ins, criterion, 'no')));
  }
  return li;
}

/** `hex` blended over white with weight `a` (0..1). */
function mix(hex, a) {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const m = c.map((v) => Math.round(255 - (255 - v) * a));
  return `rgb(${m.join(', ')})`;
}

function centresTable(ins) {
  const t = el('table', { class: 'centres-table', dataset: { testid: 'centres-table' } });
  t.append(el('thead', {}, el('tr', {}, el('th', {}, 'cluster'), ins.feature_names.map((f) => el('th', { class: 'num' }, f)))));
  t.append(el('tbody', {}, ins.cluster_centers.map((c, k) => el('tr', {},
    el('th', {}, el('span', { class: 'swatch', style: `background:${clusterColor(k)}` }), ` ${k}`),
    c.map((v) => el('td', { class: 'num' }, fmt(v, 5)))))));
  return el('div', { class: 'model-block' }, el('h4', {}, 'Cluster centres (in the features that reach the model)'), el('div', { class: 'scroll' }, t));
}
