// The profile view (page-data): the first thing shown after a file is read.
// Table-level checks, each with why it matters for modelling, then one card
// per column (type with an override, counts, statistics, a histogram or the
// top categories drawn with Chart.js). The profile comes from the core
// (src/data/profile.rs) through the worker; nothing is computed here.
// User data (column names, categories) only ever becomes TEXT (dom.js el()).
import { el, append, clear, fmt, afterPaint } from './dom.js';

const PAGE = 24; // column cards shown at a time
const MAX_FLAGS = 200; // flags listed one by one
const TYPES = ['numeric', 'categorical', 'boolean'];

/** Why each table-level check matters (one line each). */
const CHECKS = [
  ['duplicate_rows', 'duplicate rows', 'they over-weight those rows and can leak between cross-validation folds, inflating scores'],
  ['constant', 'constant columns', 'one value everywhere carries no information for a model; drop them'],
  ['all_missing', 'empty columns', 'every cell is missing: nothing to learn from; drop them'],
  ['mostly_missing', 'columns > 50% missing', 'imputing them mostly invents values: drop them, or impute and add a missing-indicator'],
  ['id_like', 'ID-like columns', 'a different value per row: a model memorises rows instead of learning; drop them'],
  ['outliers', 'columns with IQR outliers', 'outliers can dominate scaling and linear models: check them for errors, or use a robust scaler or trees'],
  ['infinite', 'columns with ±inf', 'models need finite numbers: replace them or mark them missing'],
];

let charts = [];
// Histograms are drawn when their card comes near the viewport, one per task, once the page
// has painted: the data view shows at once (it was one 150–200 ms task for iris's five charts),
// input is never blocked for long while a wide table's charts draw, and charts below the fold
// cost nothing until they are scrolled to (they were ≈ 150 ms of main-thread work between
// Load and a first Train click, bench/HISTORY.md Session 11).
const drawQueue = [];
const waiting = new Map(); // card → its draw, until the card is near the viewport
let near = null; // the IntersectionObserver of the cards in `waiting`

function queueDraw(card, draw) {
  if (typeof IntersectionObserver !== 'function') return enqueue(draw);
  near ??= new IntersectionObserver(onNear, { rootMargin: '200px 0px' });
  waiting.set(card, draw);
  near.observe(card);
}

function onNear(entries) {
  for (const e of entries) {
    const draw = e.isIntersecting && waiting.get(e.target);
    if (!draw) continue;
    waiting.delete(e.target);
    near.unobserve(e.target);
    enqueue(draw);
  }
}

function enqueue(draw) {
  drawQueue.push(draw);
  if (drawQueue.length === 1) afterPaint(drainDraws);
}

function drainDraws() {
  drawQueue.shift()?.();
  if (drawQueue.length) setTimeout(drainDraws, 0);
}

function destroyCharts() {
  drawQueue.length = 0;
  waiting.clear();
  near?.disconnect();
  for (const c of charts) c.destroy();
  charts = [];
}

/**
 * Renders `profile` into `root`.
 * `types`: the current overrides {column: type}; `onApplyTypes(types)` reloads the data with them.
 */
export function renderProfile(root, profile, { types = {}, onApplyTypes } = {}) {
  destroyCharts();
  clear(root);
  root.hidden = false;
  const p = profile;
  const byKind = {};
  for (const f of p.flags) (byKind[f.kind] ??= []).push(f);

  // ---- table-level overview
  const ov = el('table', { class: 'profile-overview', dataset: { testid: 'profile-overview' } });
  const totalOutliers = p.columns.reduce((s, c) => s + (c.numeric?.outliers ?? 0), 0);
  const row = (key, label, found, why, flagged) =>
    el('tr', { dataset: { check: key }, class: flagged ? 'flagged' : '' },
      el('th', {}, label),
      el('td', { class: 'num', dataset: { value: String(found) } }, found),
      el('td', { class: 'why' }, why));
  const tb = el('tbody',
    {},
    row('rows', 'rows', p.n_rows, '', false),
    row('columns', 'columns', p.n_cols, '', false));
  for (const [kind, label, why] of CHECKS) {
    const fl = byKind[kind] ?? [];
    let found = kind === 'duplicate_rows' ? p.duplicate_rows : fl.length;
    const r = row(kind, label, found, why, found > 0);
    if (kind === 'outliers' && found > 0) r.children[1].append(` (${totalOutliers} values)`);
    const names = fl.map((f) => f.column).filter((x) => x !== null && x !== undefined);
    if (names.length) r.children[2].append(el('div', { class: 'cols' }, names.slice(0, 8).join(', '), names.length > 8 ? `, … (${names.length})` : ''));
    tb.append(r);
  }
  ov.append(el('thead', {}, el('tr', {}, el('th', {}, 'check'), el('th', { class: 'num' }, 'found'), el('th', {}, 'why it matters'))), tb);

  const flags = el('ul', { class: 'profile-flags', dataset: { testid: 'profile-flags' } },
    p.flags.slice(0, MAX_FLAGS).map((f) => el('li', { class: `flag flag-${f.kind}`, dataset: { kind: f.kind, col: f.column ?? '' } }, f.message)),
    p.flags.length > MAX_FLAGS ? el('li', { class: 'muted' }, `… and ${p.flags.length - MAX_FLAGS} more (the table on the left counts them all)`) : null);

  // ---- column cards, with type overrides
  const grid = el('div', { class: 'profile-grid', dataset: { testid: 'profile-columns' } });
  const apply = el('button', { type: 'button', id: 'apply-types', dataset: { testid: 'apply-types' }, disabled: true }, 'Reload with these types');
  const reset = el('button', { type: 'button', id: 'reset-types', dataset: { testid: 'reset-types' }, disabled: !Object.keys(types).length }, 'Back to inferred types');
  const pending = { ...types };
  const refreshApply = () => {
    const same = JSON.stringify(Object.entries(pending).sort()) === JSON.stringify(Object.entries(types).sort());
    apply.disabled = same;
  };
  apply.addEventListener('click', () => onApplyTypes?.({ ...pending }));
  reset.addEventListener('click', () => onApplyTypes?.({}));

  const picker = el('input', { type: 'search', id: 'profile-filter', placeholder: 'filter columns by name…', dataset: { testid: 'profile-filter' } });
  let shown = 0;
  let list = p.columns.map((c, i) => [c, i]);
  const more = el('button', { type: 'button', class: 'more', dataset: { testid: 'profile-more' } });
  const showMore = () => {
    const next = list.slice(shown, shown + PAGE);
    for (const [c, i] of next) {
      const { card, draw } = columnCard(c, i, pending, refreshApply);
      grid.append(card);
      queueDraw(card, draw); // once the canvas is in the document, so Chart.js can size it
    }
    shown += next.length;
    more.style.display = shown >= list.length ? 'none' : '';
    more.textContent = `show ${Math.min(PAGE, list.length - shown)} more of ${list.length - shown} remaining columns`;
  };
  more.addEventListener('click', showMore);
  picker.addEventListener('input', () => {
    const q = picker.value.trim().toLowerCase();
    destroyCharts();
    clear(grid);
    list = p.columns.map((c, i) => [c, i]).filter(([c]) => !q || c.name.toLowerCase().includes(q));
    shown = 0;
    showMore();
  });

  append(root,
    el('h3', {}, 'Profile'),
    el('div', { class: 'profile-top' },
      el('div', {}, ov),
      el('div', {},
        p.flags.length ? el('h4', {}, `${p.flags.length} thing${p.flags.length > 1 ? 's' : ''} to look at before modelling`) : el('h4', {}, 'No problems found'),
        flags)),
    el('div', { class: 'row profile-tools' },
      el('h4', {}, 'Columns'),
      p.columns.length > PAGE ? picker : null,
      el('span', { class: 'muted' }, 'Wrong type? Pick one and reload:'), apply, reset),
    grid, more,
    el('details', { class: 'profile-notes' }, el('summary', {}, 'How these numbers are computed'), el('ul', {}, p.notes.map((n) => el('li', {}, n)))));
  showMore();
}

function stat(name, label, value, digits) {
  const text = typeof value === 'number' ? fmt(value, digits) : String(value ?? '—');
  return el('tr', {}, el('th', {}, label), el('td', { class: 'num', dataset: { stat: name, value: String(value) } }, text));
}

function columnCard(c, i, pending, onChange) {
  const sel = el('select', { class: 'type-override', dataset: { col: c.name, testid: `type-override-${i}` }, 'aria-label': `type of column ${c.name}` },
    el('option', { value: '' }, c.type),
    TYPES.filter((t) => t !== c.type).map((t) => el('option', { value: t }, `→ ${t}`)));
  if (pending[c.name] && pending[c.name] !== c.type) sel.value = pending[c.name];
  else if (pending[c.name]) {
    // Forced to the type it has now: show it as selected, keep it forced.
    sel.firstChild.textContent = `${c.type} (set)`;
  }
  sel.addEventListener('change', () => {
    if (sel.value) pending[c.name] = sel.value;
    else if (pending[c.name] && pending[c.name] !== c.type) delete pending[c.name];
    onChange();
  });
  const stats = el('table', { class: 'pstats' });
  const tb = el('tbody', {},
    stat('count', 'count', c.count),
    stat('missing', 'missing', c.missing),
    stat('missing_pct', 'missing %', c.missing_pct, 3),
    stat('distinct', 'distinct', c.distinct));
  const s = c.numeric;
  if (s) {
    append(tb,
      stat('mean', 'mean', s.mean),
      stat('std', 'std', s.std_sample ?? s.std_population),
      stat('min', 'min', s.min),
      stat('q1', '25%', s.q1),
      stat('median', '50%', s.median),
      stat('q3', '75%', s.q3),
      stat('max', 'max', s.max),
      stat('outliers', 'IQR outliers', s.outliers));
    if (s.n_infinite) tb.append(stat('n_infinite', '±inf', s.n_infinite));
  }
  stats.append(tb);
  // An image named from the start (www/a11y.js renames it when the chart is drawn).
  const canvas = el('canvas', { role: 'img', 'aria-label': s ? `histogram of ${c.name}` : `top categories of ${c.name}` });
  const card = el('div', { class: `pcol pcol-${c.type}`, dataset: { col: c.name, testid: `profile-col-${i}` } },
    el('div', { class: 'pcol-head' }, el('strong', { class: 'pcol-name', title: c.name }, c.name), sel),
    // The chart's box keeps room for the "Show the numbers" line www/a11y.js adds under the
    // chart once drawn, so drawing it does not move what follows (the Train button).
    el('div', { class: 'pcol-body' }, stats, el('div', { class: 'pchart-wrap' }, el('div', { class: 'pchart' }, canvas))));
  if (c.categories) {
    const cat = c.categories;
    const list = el('ol', { class: 'topcats' }, cat.top.slice(0, 5).map((t) => el('li', {}, el('span', { class: 'cat' }, t.value), ' ', el('span', { class: 'muted' }, t.count))));
    if (cat.other_distinct) list.append(el('li', { class: 'muted' }, `+ ${cat.other_distinct} more (${cat.other_count} cells)`));
    card.append(list);
  }
  return { card, draw: () => drawChart(canvas, c) };
}

function drawChart(canvas, c) {
  const box = canvas.parentNode;
  if (typeof window.Chart !== 'function') {
    canvas.replaceWith(el('p', { class: 'muted' }, 'chart library not loaded'));
    return;
  }
  let labels;
  let data;
  let title;
  if (c.numeric) {
    const h = c.numeric.histogram;
    labels = h.counts.map((_, k) => `${fmt(h.edges[k], 4)} – ${fmt(h.edges[k + 1], 4)}`);
    data = h.counts;
    title = `${h.counts.length} bins (${h.rule})`;
  } else if (c.categories && c.categories.top.length) {
    const top = c.categories.top;
    labels = top.map((t) => (t.value.length > 18 ? `${t.value.slice(0, 17)}…` : t.value));
    data = top.map((t) => t.count);
    // The rest ("+ N more" under the chart) is left out: it would dwarf the top bars.
    title = c.categories.other_distinct ? `top ${top.length} of ${c.distinct}` : 'counts';
  } else {
    canvas.replaceWith(el('p', { class: 'muted' }, 'no values'));
    return;
  }
  box.dataset.bins = String(data.length);
  const chart = new window.Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ data, backgroundColor: c.numeric ? '#3b6fd8' : '#d9893b', barPercentage: c.numeric ? 1 : 0.8, categoryPercentage: c.numeric ? 1 : 0.8 }] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: c.numeric ? 'x' : 'y',
      plugins: { legend: { display: false }, title: { display: true, text: title, font: { size: 10, weight: 'normal' }, padding: 2 } },
      scales: c.numeric
        ? { x: { ticks: { display: false }, grid: { display: false } }, y: { beginAtZero: true, ticks: { font: { size: 9 }, maxTicksLimit: 4 } } }
        : { x: { beginAtZero: true, ticks: { font: { size: 9 }, maxTicksLimit: 4 } }, y: { ticks: { font: { size: 9 } } } },
    },
  });
  charts.push(chart);
}

/** Forgets the view (e.g. while a new file is read). */
export function clearProfile(root) {
  destroyCharts();
  clear(root);
}

