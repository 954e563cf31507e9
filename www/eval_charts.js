// Evaluation pictures (issue 6), drawn with Chart.js: per-fold scores with
// mean ± std, confusion matrix heatmap, ROC and precision–recall curves,
// predicted vs actual and residuals for regression, learning and validation
// curves. Each picture is a <figure> with a one-sentence caption that says how
// to read it. Data comes from the core (cv report, Session.cv_diagnostics,
// Session.learning_curve / validation_curve); nothing is computed here except
// the confusion matrix normalization. User data only ever goes in as text.
import { el, clear, fmt } from './dom.js';
import { greaterIsBetter, betterText, axisTitle } from './metric_direction.js';

const COLORS = ['#3b6fd8', '#d8793b', '#2e9e5b', '#b03bd8', '#d83b5e', '#7a7f1e', '#1e9ab0', '#8c564b', '#e377c2', '#555b66'];
const charts = new Map(); // key → Chart, so a redraw replaces the old one

export const CAPTIONS = {
  folds:
    'Each bar is one fold’s score on rows the model never saw (test), next to its score on the rows it was fitted on (train); the line is the mean test score and the shaded band mean ± one standard deviation — a wide band means the score depends on which rows land in the test fold, and train far above test means overfitting.',
  confusion:
    'Rows are the true classes and columns the predicted ones, counted over every row’s out-of-fold prediction: the diagonal holds the correct predictions, and each off-diagonal cell shows how often one class was mistaken for another.',
  roc:
    'As the threshold on the predicted probability falls, each curve shows the share of the class’s rows caught (true positive rate) against the share of the other rows wrongly flagged (false positive rate): a curve hugging the top-left corner is good, the dashed diagonal is guessing, and AUC is the area under the curve (1 = perfect, 0.5 = chance).',
  pr:
    'Precision (how many rows flagged as the class really are) against recall (how many of the class’s rows were flagged) as the threshold falls: higher and further right is better; AP (average precision) sums the curve up, and the dotted line is what guessing gets — the class’s share of the rows.',
  predActual:
    'Each dot is one row, its out-of-fold prediction across and its true value up: a perfect model puts every dot on the dashed diagonal, and the dots farthest from it are the rows the model gets most wrong.',
  residuals:
    'The error of each row (true − predicted) against its prediction: the dots should form an even band around the zero line; a curve or a funnel means the model misses a pattern or is less reliable for some values.',
  learning:
    'The score against the number of training rows, on the rows the model was fitted on (train) and on held-out rows (cross-validation), mean ± std over the folds: curves still closing in at the right mean more data would help; a gap that stays means overfitting; two low curves close together mean underfitting.',
  validation:
    'The score against one parameter’s value, on the training rows and on held-out rows (mean ± std over the folds): the best value is where the cross-validation curve peaks; where train is high but cross-validation low the model overfits, where both are low it underfits.',
};

function chartLib() {
  return typeof window.Chart === 'function' ? window.Chart : null;
}

function newChart(key, canvas, config) {
  charts.get(key)?.destroy();
  const Chart = chartLib();
  if (!Chart) {
    canvas.replaceWith(el('p', { class: 'muted' }, 'Chart library not loaded (run scripts/build-web.sh).'));
    return null;
  }
  config.options = { animation: false, responsive: true, maintainAspectRatio: false, ...config.options };
  const c = new Chart(canvas, config);
  charts.set(key, c);
  return c;
}

export function destroyCharts(prefix = '') {
  for (const [k, c] of charts) {
    if (k.startsWith(prefix)) {
      c.destroy();
      charts.delete(k);
    }
  }
}

/** A figure: title, optional controls, a canvas in a fixed-height box, and the caption. */
function figure(testid, title, caption, { controls = null, height = 300, extra = null } = {}) {
  const canvas = el('canvas', { dataset: { testid: `${testid}-canvas` } });
  const fig = el('figure', { class: 'eval-figure', dataset: { testid } },
    el('div', { class: 'eval-figure-head' }, el('h4', {}, title), controls),
    el('div', { class: 'chart-box', style: `height:${height}px` }, canvas),
    extra,
    el('figcaption', { class: 'muted' }, caption));
  return { fig, canvas };
}

function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

/** Scale option: ticks exactly at `values` (Chart.js otherwise starts them at the axis minimum). */
const ticksAt = (values) => ({ afterBuildTicks: (axis) => { axis.ticks = values.map((value) => ({ value })); } });
const UNIT = [0, 0.2, 0.4, 0.6, 0.8, 1];

const hideEmptyLegend = { labels: { filter: (item) => item.text !== '' } };

/** A mean ± std band as two line datasets (upper fills down to lower). */
function band(xs, means, stds, color) {
  const pt = (i, v) => (xs ? { x: xs[i], y: v } : v);
  return [
    { type: 'line', label: '', data: means.map((m, i) => pt(i, m + stds[i])), borderWidth: 0, pointRadius: 0, fill: '+1', backgroundColor: alpha(color, 0.18), order: 3 },
    { type: 'line', label: '', data: means.map((m, i) => pt(i, m - stds[i])), borderWidth: 0, pointRadius: 0, fill: false, order: 3 },
  ];
}

// ------------------------------------------------------------ per-fold scores

/** The per-fold chart's caption for `metric` (its direction from the catalogue) and the axis baseline. */
export function foldCaption(metric, baseline) {
  const gib = greaterIsBetter(metric);
  const base = baseline === 0
    ? 'The axis starts at 0, so bar heights compare honestly.'
    : `The axis starts at ${fmt(baseline, 3)}, just below the lowest score (some scores are negative); 0 is marked by the grid.`;
  return `${metric}: ${betterText(metric)}. Each bar is one fold’s score on rows the model never saw (test), next to its score on the rows it was fitted on (train); ` +
    'the line is the mean test score and the shaded band mean ± one standard deviation — a wide band means the score depends on which rows land in the test fold, and ' +
    (gib ? 'train far above test means overfitting. ' : 'a train error far below the test error means overfitting. ') + base;
}

/** Per-fold test (and train) bars with the mean test score and its ± std band. */
export function drawFoldChart(canvas, r, metric) {
  if (!r || !metric || !r.metrics[metric]) return null;
  const s = r.metrics[metric];
  const n = s.folds.length;
  const labels = s.folds.map((_, i) => `${i + 1}`);
  const datasets = [{ type: 'bar', label: `${metric} (test)`, data: s.folds, backgroundColor: COLORS[0], order: 1 }];
  if (r.train_metrics?.[metric]) datasets.push({ type: 'bar', label: `${metric} (train)`, data: r.train_metrics[metric].folds, backgroundColor: '#b8c7ea', order: 1 });
  datasets.push({ type: 'line', label: `mean ${fmt(s.mean, 4)} ± std ${fmt(s.std, 3)} (test)`, data: Array(n).fill(s.mean), borderColor: '#d8793b', borderWidth: 2, pointRadius: 0, order: 0 });
  datasets.push(...band(null, Array(n).fill(s.mean), Array(n).fill(s.std), '#d8793b'));
  const all = [...s.folds, ...(r.train_metrics?.[metric]?.folds ?? []), s.mean - s.std, s.mean + s.std].filter(Number.isFinite);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  // The axis starts at 0 whenever every score is ≥ 0, so bar heights compare
  // honestly (a zoomed axis makes 0.95 vs 0.96 look like a doubling); scores
  // below 0 (R², MCC…) need room below the lowest.
  const yMin = lo >= 0 ? 0 : lo - Math.max((hi - lo) * 0.15, Math.abs(lo) * 0.005, 1e-9);
  const caption = canvas.closest('figure')?.querySelector('figcaption');
  if (caption) caption.textContent = foldCaption(metric, yMin);
  return newChart('folds', canvas, {
    type: 'bar',
    data: { labels, datasets },
    options: {
      plugins: { legend: { position: 'bottom', ...hideEmptyLegend } },
      scales: {
        x: { title: { display: true, text: 'fold' } },
        y: { min: yMin, title: { display: true, text: axisTitle(metric) }, ticks: { callback: (v) => fmt(v, 4) } },
      },
    },
  });
}

// ------------------------------------------------------------ confusion matrix

function normalize(m, how) {
  const k = m.length;
  const rows = m.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = m[0].map((_, j) => m.reduce((a, r) => a + r[j], 0));
  const total = rows.reduce((a, b) => a + b, 0);
  return m.map((r, i) =>
    r.map((v, j) => {
      const d = how === 'true' ? rows[i] : how === 'pred' ? cols[j] : how === 'all' ? total : 1;
      return d ? v / d : 0;
    }),
  ).slice(0, k);
}

/** Chart.js plugin that paints the cells of a heatmap drawn on a scatter chart. */
const heatmapPlugin = {
  id: 'pipelabHeatmap',
  beforeDatasetsDraw(chart, _args, opts) {
    const { ctx, scales } = chart;
    const { values, text } = opts;
    if (!values) return;
    const max = Math.max(1e-12, ...values.flat());
    const k = values.length;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const x0 = scales.x.getPixelForValue(j - 0.5);
        const x1 = scales.x.getPixelForValue(j + 0.5);
        const y0 = scales.y.getPixelForValue(i - 0.5);
        const y1 = scales.y.getPixelForValue(i + 0.5);
        const t = values[i][j] / max;
        // White → accent blue.
        const c = [255 - t * (255 - 59), 255 - t * (255 - 111), 255 - t * (255 - 216)].map(Math.round);
        ctx.fillStyle = `rgb(${c.join(',')})`;
        ctx.fillRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
        ctx.strokeStyle = '#fff';
        ctx.strokeRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
        const w = Math.abs(x1 - x0);
        if (w >= 26 && Math.abs(y1 - y0) >= 16) {
          ctx.fillStyle = t > 0.55 ? '#fff' : '#1d2330';
          ctx.font = `${w >= 60 ? 14 : 11}px system-ui, sans-serif`;
          ctx.textAlign = 'center';
          ctx.textBaseline = 'middle';
          ctx.fillText(text[i][j], (x0 + x1) / 2, (y0 + y1) / 2);
        }
      }
    }
  },
};

function drawConfusion(canvas, d, how) {
  const m = d.confusion;
  const k = m.length;
  const values = how === 'counts' ? m : normalize(m, how);
  const text = values.map((r) => r.map((v) => (how === 'counts' ? String(v) : v.toFixed(2))));
  const cls = (i) => d.classes[i] ?? String(i);
  const points = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) points.push({ x: j, y: i, count: m[i][j], v: values[i][j] });
  const tickLabel = (v) => (Number.isInteger(v) && v >= 0 && v < k ? truncate(cls(v), 14) : '');
  return newChart('confusion', canvas, {
    type: 'scatter',
    data: { datasets: [{ label: 'cells', data: points, pointRadius: 0, pointHitRadius: 30, backgroundColor: 'transparent' }] },
    plugins: [heatmapPlugin],
    options: {
      plugins: {
        legend: { display: false },
        pipelabHeatmap: { values, text },
        tooltip: {
          callbacks: {
            label: (c) => `true ${cls(c.raw.y)}, predicted ${cls(c.raw.x)}: ${c.raw.count}` + (how === 'counts' ? '' : ` (${(100 * c.raw.v).toFixed(1)}%)`),
          },
        },
      },
      scales: {
        x: { type: 'linear', min: -0.5, max: k - 0.5, ...ticksAt([...Array(k).keys()]), grid: { display: false }, ticks: { stepSize: 1, callback: tickLabel, autoSkip: false, maxRotation: 45 }, title: { display: true, text: 'predicted class' } },
        y: { type: 'linear', min: -0.5, max: k - 0.5, ...ticksAt([...Array(k).keys()]), reverse: true, grid: { display: false }, ticks: { stepSize: 1, callback: tickLabel, autoSkip: false }, title: { display: true, text: 'true class' } },
      },
    },
  });
}

function truncate(s, n) {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

// ------------------------------------------------------------ curves

function curveChart(key, canvas, curves, kind, positivesTotal) {
  const datasets = curves.map((c, i) => ({
    label: `${truncate(c.class, 20)}: ${kind === 'roc' ? 'AUC' : 'AP'} ${fmt(c.area, 4)}` + (c.folds.folds?.length > 1 ? ` (folds ${fmt(c.folds.mean, 4)} ± ${fmt(c.folds.std, 3)})` : ''),
    data: c.x.map((x, j) => ({ x, y: c.y[j] })),
    showLine: true,
    pointRadius: 0,
    borderWidth: 2,
    borderColor: COLORS[i % COLORS.length],
    backgroundColor: COLORS[i % COLORS.length],
    stepped: kind === 'pr' ? 'after' : false,
  }));
  if (kind === 'roc') {
    datasets.push({ label: 'chance (AUC 0.5)', data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], showLine: true, pointRadius: 0, borderDash: [6, 4], borderColor: '#999', borderWidth: 1 });
  } else if (curves.length === 1 && positivesTotal) {
    const p = curves[0].positives / positivesTotal;
    datasets.push({ label: `chance (${fmt(p, 3)})`, data: [{ x: 0, y: p }, { x: 1, y: p }], showLine: true, pointRadius: 0, borderDash: [2, 3], borderColor: '#999', borderWidth: 1 });
  }
  const [xt, yt] = kind === 'roc' ? ['false positive rate', 'true positive rate'] : ['recall', 'precision'];
  return newChart(key, canvas, {
    type: 'scatter',
    data: { datasets },
    options: {
      plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (c) => `${xt} ${fmt(c.raw.x, 3)}, ${yt} ${fmt(c.raw.y, 3)}` } } },
      scales: { x: { min: 0, max: 1, ...ticksAt(UNIT), title: { display: true, text: xt } }, y: { min: 0, max: 1.02, ...ticksAt(UNIT), title: { display: true, text: yt } } },
    },
  });
}

function scatterChart(key, canvas, points, line, xt, yt) {
  return newChart(key, canvas, {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'rows (out-of-fold)', data: points, pointRadius: 2.5, backgroundColor: alpha(COLORS[0], 0.5), borderWidth: 0 },
        { label: line.label, data: line.data, showLine: true, pointRadius: 0, borderDash: [6, 4], borderColor: '#d8793b', borderWidth: 1.5 },
      ],
    },
    options: {
      plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (c) => `${xt} ${fmt(c.raw.x, 4)}, ${yt} ${fmt(c.raw.y, 4)}` } } },
      scales: { x: { title: { display: true, text: xt } }, y: { title: { display: true, text: yt } } },
    },
  });
}

/** Renders the pictures of Session.cv_diagnostics into `box`. */
export function renderDiagnostics(box, d) {
  destroyCharts('confusion');
  destroyCharts('roc');
  destroyCharts('pr');
  destroyCharts('pred');
  destroyCharts('resid');
  clear(box);
  const grid = el('div', { class: 'eval-grid' });
  const notes = (d.notes ?? []).map((n) => el('p', { class: 'muted eval-note' }, `Note: ${n}.`));
  box.append(el('h3', {}, `Out-of-fold pictures (${d.n_tested} rows, each predicted by the fold that held it out)`), ...notes, grid);
  if (d.task === 'classification' && d.confusion?.length) {
    const sel = el('select', { dataset: { testid: 'confusion-normalize' }, 'aria-label': 'confusion matrix values' },
      el('option', { value: 'counts' }, 'counts'),
      el('option', { value: 'true' }, 'normalized by true class (recall)'),
      el('option', { value: 'pred' }, 'normalized by predicted class (precision)'),
      el('option', { value: 'all' }, 'normalized by all rows'));
    const { fig, canvas } = figure('eval-confusion', 'Confusion matrix', CAPTIONS.confusion, { controls: sel, height: Math.min(520, 140 + 48 * d.confusion.length) });
    grid.append(fig);
    drawConfusion(canvas, d, 'counts');
    sel.addEventListener('change', () => drawConfusion(canvas, d, sel.value));
    // Accessible copy of the numbers (also read by the tests).
    fig.dataset.matrix = JSON.stringify(d.confusion);
  }
  if (d.roc?.length) {
    const title = d.roc.length === 1 ? `ROC curve (positive class ${d.roc[0].class})` : 'ROC curves (each class against the rest)';
    const { fig, canvas } = figure('eval-roc', title, CAPTIONS.roc, { height: 320 });
    fig.dataset.auc = JSON.stringify(d.roc.map((c) => ({ class: c.class, area: c.area, folds_mean: c.folds.mean })));
    grid.append(fig);
    curveChart('roc', canvas, d.roc, 'roc');
  }
  if (d.pr?.length) {
    const title = d.pr.length === 1 ? `Precision–recall curve (positive class ${d.pr[0].class})` : 'Precision–recall curves (each class against the rest)';
    const { fig, canvas } = figure('eval-pr', title, CAPTIONS.pr, { height: 320 });
    fig.dataset.ap = JSON.stringify(d.pr.map((c) => ({ class: c.class, area: c.area, folds_mean: c.folds.mean })));
    grid.append(fig);
    curveChart('pr', canvas, d.pr, 'pr', d.n_tested);
  }
  const reg = d.regression;
  if (reg) {
    const lo = Math.min(...reg.actual, ...reg.predicted);
    const hi = Math.max(...reg.actual, ...reg.predicted);
    const a = figure('eval-pred-actual', 'Predicted vs actual', CAPTIONS.predActual, { height: 320 });
    grid.append(a.fig);
    scatterChart('pred', a.canvas, reg.predicted.map((p, i) => ({ x: p, y: reg.actual[i] })), { label: 'perfect prediction', data: [{ x: lo, y: lo }, { x: hi, y: hi }] }, 'predicted', 'actual');
    const b = figure('eval-residuals', 'Residuals vs predicted', CAPTIONS.residuals, { height: 320 });
    grid.append(b.fig);
    const pl = Math.min(...reg.predicted);
    const ph = Math.max(...reg.predicted);
    scatterChart('resid', b.canvas, reg.predicted.map((p, i) => ({ x: p, y: reg.residual[i] })), { label: 'zero error', data: [{ x: pl, y: 0 }, { x: ph, y: 0 }] }, 'predicted', 'residual (actual − predicted)');
    a.fig.dataset.n = String(reg.n_total);
  }
}

// ------------------------------------------------------------ learning / validation curves

/** Renders a CurveReport (learning or validation) into `box`. */
export function renderCurve(box, c) {
  const key = c.kind === 'learning' ? 'learning' : 'validation';
  destroyCharts(key);
  clear(box);
  const numeric = c.x.every((v) => typeof v === 'number');
  const positive = numeric && c.x.every((v) => v > 0);
  const logX = c.kind === 'validation' && positive && Math.max(...c.x) / Math.min(...c.x) >= 100;
  const xs = numeric ? c.x : c.x.map((_, i) => i);
  const label = (i) => (typeof c.x[i] === 'string' ? c.x[i] : JSON.stringify(c.x[i]));
  const title = c.kind === 'learning' ? `Learning curve (${c.scoring}, ${c.cv})` : `Validation curve: ${c.param} (${c.scoring}, ${c.cv})`;
  const caption = `${c.scoring}: ${betterText(c.scoring)}. ` + (greaterIsBetter(c.scoring) ? CAPTIONS[key] : CAPTIONS[key]
    .replace('the best value is where the cross-validation curve peaks', 'the best value is where the cross-validation error is lowest')
    .replace('where train is high but cross-validation low the model overfits, where both are low it underfits', 'where the training error is low but the cross-validation error high the model overfits, where both are high it underfits')
    .replace('two low curves close together mean underfitting', 'two high error curves close together mean underfitting'));
  const { fig, canvas } = figure(`eval-${key}`, title, caption, { height: 320 });
  fig.dataset.curve = JSON.stringify({ x: c.x, train: c.train.map((s) => s.mean), test: c.test.map((s) => s.mean) });
  box.append(fig);
  const line = (name, s, color, dash) => ({
    type: 'line',
    label: name,
    data: s.map((v, i) => ({ x: xs[i], y: v.mean })),
    borderColor: color,
    backgroundColor: color,
    borderDash: dash,
    pointRadius: 3,
    borderWidth: 2,
    fill: false,
    order: 0,
  });
  const datasets = [
    line('train', c.train, COLORS[1], [5, 3]),
    ...band(xs, c.train.map((s) => s.mean), c.train.map((s) => s.std), COLORS[1]),
    line('cross-validation (test)', c.test, COLORS[0], []),
    ...band(xs, c.test.map((s) => s.mean), c.test.map((s) => s.std), COLORS[0]),
  ];
  newChart(key, canvas, {
    type: 'scatter',
    data: { datasets },
    options: {
      plugins: {
        legend: { position: 'bottom', ...hideEmptyLegend },
        tooltip: { filter: (item) => item.dataset.label !== '', callbacks: { label: (t) => `${t.dataset.label}: ${fmt(t.raw.y, 4)} at ${numeric ? fmt(t.raw.x, 4) : label(t.raw.x)}` } },
      },
      scales: {
        x: {
          type: logX ? 'logarithmic' : 'linear',
          ...(logX || !numeric ? ticksAt(xs) : {}),
          title: { display: true, text: c.kind === 'learning' ? 'training rows' : c.param },
          ticks: numeric ? { callback: (v) => fmt(v, 4), maxRotation: 0 } : { callback: (v) => (Number.isInteger(v) && v >= 0 && v < c.x.length ? label(v) : '') },
          min: numeric ? undefined : -0.3,
          max: numeric ? undefined : c.x.length - 0.7,
        },
        y: { title: { display: true, text: axisTitle(c.scoring) } },
      },
    },
  });
  const t = el('table', { class: 'eval-curve-table', dataset: { testid: `${key}-table` } },
    el('thead', {}, el('tr', {}, el('th', {}, c.kind === 'learning' ? 'training rows' : c.param), el('th', { class: 'num' }, 'train mean ± std'), el('th', { class: 'num' }, 'CV mean ± std'), el('th', { class: 'num' }, 'fit ms'))),
    el('tbody', {}, c.x.map((_, i) => el('tr', {},
      el('td', {}, label(i)),
      el('td', { class: 'num' }, `${fmt(c.train[i].mean, 4)} ± ${fmt(c.train[i].std, 3)}`),
      el('td', { class: 'num' }, `${fmt(c.test[i].mean, 4)} ± ${fmt(c.test[i].std, 3)}`),
      el('td', { class: 'num' }, c.fit_time_ms[i].toFixed(1))))));
  box.append(el('details', {}, el('summary', {}, 'the numbers'), t));
  if (c.warnings?.length) box.append(el('div', { class: 'warnings' }, el('ul', {}, c.warnings.map((w) => el('li', {}, w)))));
}

// ------------------------------------------------------------ curve controls

/** Candidate values for a parameter of the model's schema (ParamInfo), as text. */
export function suggestValues(p) {
  if (!p) return '';
  if (p.kind === 'bool') return 'false, true';
  if (p.kind === 'choice') return (p.choices ?? []).join(', ');
  const d = typeof p.default === 'number' ? p.default : null;
  if (p.kind.startsWith('int')) {
    const lo = Math.max(p.min ?? 1, 1);
    const base = d && d > 0 ? d : lo;
    const vals = [...new Set([Math.max(lo, Math.round(base / 4)), Math.max(lo, Math.round(base / 2)), base, base * 2, base * 4].map((v) => (p.max != null ? Math.min(v, p.max) : v)))];
    return vals.join(', ');
  }
  const base = d && d > 0 ? d : 1;
  const vals = [0.001, 0.01, 0.1, 1, 10, 100].map((f) => Number((base * f).toPrecision(3)));
  return vals.filter((v) => (p.min == null || v >= p.min) && (p.max == null || v <= p.max)).join(', ');
}

/** Parses the values box for parameter `p`: numbers for numeric kinds, booleans, or choice strings. */
export function parseValues(text, p) {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!parts.length) throw new Error('validation curve: give at least one value, separated by commas');
  return parts.map((s) => {
    if (p?.kind === 'bool') {
      if (s !== 'true' && s !== 'false') throw new Error(`validation curve: ${p.name} takes true or false, not ${JSON.stringify(s)}`);
      return s === 'true';
    }
    if (p?.kind === 'choice') return s;
    if (s === 'None' || s === 'null') return null;
    const x = Number(s);
    if (!Number.isFinite(x)) throw new Error(`validation curve: ${JSON.stringify(s)} is not a number`);
    return x;
  });
}

/** Parameters of a model's schema that a validation curve can vary. */
export function curveParams(info) {
  return (info?.params ?? []).filter((p) => p.kind === 'bool' || p.kind === 'choice' || /^(int|float)/.test(p.kind));
}
