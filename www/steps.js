// The steps area of the page: the step palette grouped by pipeline stage, and
// the transformed-table preview (output feature names, first rows, per-step
// shapes, and for a final PCA / TruncatedSVD / LDA the 2-D projection coloured
// by the target and the explained-variance bars). The core computes everything
// (Session.preview in src/wasm/steps.rs); this file only draws.
import { $, el, append, clear, showError, clearError, fmt } from './dom.js';

/** The stages of a pipeline, in order, as the catalogue's `group` names them. */
export const STAGES = [
  ['imputation', 'Imputation'],
  ['encoding', 'Encoding'],
  ['scaling', 'Scaling'],
  ['outliers', 'Outliers'],
  ['feature_engineering', 'Feature engineering'],
  ['selection', 'Selection'],
  ['reduction', 'Reduction'],
];
const STAGE_LABEL = Object.fromEntries(STAGES);

/** Steps that remove rows may only go in the top-level steps (the core refuses them in a branch). */
export function topLevelOnly(info) {
  return info?.group === 'outliers';
}

/**
 * Fills the palette `select` with the catalogue's steps grouped by stage
 * (optgroups; option values are the step names) and keeps `helpNode` showing
 * the chosen step's stage and one-line help.
 */
export function fillPalette(select, steps, helpNode) {
  clear(select);
  const known = new Set(STAGES.map(([g]) => g));
  const groups = [...STAGES, ...[...new Set(steps.map((s) => s.group))].filter((g) => !known.has(g)).map((g) => [g, g])];
  for (const [g, label] of groups) {
    const members = steps.filter((s) => s.group === g);
    if (!members.length) continue;
    select.append(el('optgroup', { label }, members.map((s) => el('option', { value: s.name, title: s.help }, s.name))));
  }
  const showHelp = () => {
    const info = steps.find((s) => s.name === select.value);
    clear(helpNode);
    if (info) append(helpNode, el('span', { class: 'stage-tag' }, STAGE_LABEL[info.group] ?? info.group), ' ', info.help);
  };
  select.addEventListener('change', showHelp);
  select.value = steps.some((s) => s.name === 'StandardScaler') ? 'StandardScaler' : steps[0]?.name;
  showHelp();
  return showHelp;
}

// ---------------------------------------------------------------- preview

const charts = { projection: null, evr: null };
let shownSpec = null; // the spec (JSON text) of the preview on screen
const COLORS = ['#3b6fd8', '#e0672b', '#2f9e5b', '#c23b8f', '#8a6d1f', '#5b4fc4', '#1f9aa8', '#a83232', '#6b6b6b', '#7fa32b'];
const PREVIEW_ROWS = 12;

/** Marks the shown preview as out of date when the spec (JSON text) differs from the one it was made with. */
export function notePreviewSpec(specText) {
  const out = $('#preview-out');
  if (!out || out.hidden || shownSpec === null) return;
  const stale = specText !== shownSpec;
  out.classList.toggle('stale', stale);
  $('#preview-stale').hidden = !stale;
}

/** Forgets the shown preview (new data, or a spec that changed). */
export function resetPreview() {
  shownSpec = null;
  const out = $('#preview-out');
  if (out) out.hidden = true;
  const info = $('#preview-info');
  if (info) info.textContent = '';
  charts.projection?.destroy();
  charts.evr?.destroy();
  charts.projection = charts.evr = null;
}

/**
 * Wires the Preview button. `buildSpec()` gives the spec from the forms (throws
 * a readable Error); `onError(e)` lets the page restart a worker that trapped.
 */
export function wirePreview({ client, buildSpec, onError }) {
  const button = $('#preview');
  const box = $('#preview-error');
  button.addEventListener('click', async () => {
    clearError(box);
    let spec;
    try {
      spec = JSON.stringify(buildSpec());
    } catch (e) {
      showError(box, e.message);
      return;
    }
    button.disabled = true;
    $('#preview-info').textContent = 'fitting the steps…';
    try {
      const report = await client.call('preview', { spec, n_rows: PREVIEW_ROWS });
      shownSpec = spec;
      renderPreview(report);
      notePreviewSpec(spec);
    } catch (e) {
      $('#preview-info').textContent = '';
      showError(box, e.message);
      await onError?.(e);
    } finally {
      button.disabled = false;
    }
  });
}

function renderPreview(r) {
  const out = $('#preview-out');
  out.hidden = false;
  const dropped = r.n_rows_in - r.n_rows;
  $('#preview-info').textContent =
    `${r.feature_names.length} feature${r.feature_names.length === 1 ? '' : 's'} reach the model · fitted on ${r.n_rows_in} rows` +
    (dropped ? ` · ${dropped} training row${dropped === 1 ? '' : 's'} dropped by the steps` : '') +
    ` · first ${r.rows.length} shown`;

  const st = clear($('#preview-steps'));
  if (r.steps.length) {
    st.append(el('thead', {}, el('tr', {}, el('th', {}, 'where'), el('th', {}, 'step'), el('th', { class: 'num' }, 'features in → out'), el('th', { class: 'num' }, 'rows in → out'))));
    st.append(el('tbody', {}, r.steps.map((s) =>
      el('tr', { dataset: { step: s.name } },
        el('td', {}, s.branch ? `${s.branch}[${s.index}]` : `steps[${s.index}]`),
        el('td', {}, s.name),
        el('td', { class: 'num' }, `${s.n_features_in} → ${s.n_features_out}`),
        el('td', { class: s.n_rows_out < s.n_rows_in ? 'num dropped' : 'num' }, `${s.n_rows_in} → ${s.n_rows_out}`)))));
  }

  const t = clear($('#transformed-table'));
  const numeric = r.feature_names.map((_, j) => r.rows.some((row) => typeof row[j] === 'number'));
  t.append(el('thead', {}, el('tr', {}, el('th', { class: 'num' }, 'row'), r.feature_names.map((n, j) => el('th', { class: numeric[j] ? 'num' : null, dataset: { col: j } }, n)))));
  t.append(el('tbody', {}, r.rows.map((row, i) =>
    el('tr', {},
      el('td', { class: 'num muted' }, r.row_numbers[i]),
      row.map((v) => (v === null ? el('td', { class: 'missing' }, '—') : el('td', { class: typeof v === 'number' ? 'num' : '' }, typeof v === 'number' ? fmt(v) : v)))))));

  const w = clear($('#preview-warnings'));
  for (const x of r.warnings ?? []) w.append(el('p', {}, '⚠ ', x));

  drawProjection(r);
}

function drawProjection(r) {
  const p = r.projection;
  const box = $('#projection');
  charts.projection?.destroy();
  charts.evr?.destroy();
  charts.projection = charts.evr = null;
  box.hidden = !p;
  if (!p) return;
  $('#projection-info').textContent =
    `${p.step}: ${p.n_points < p.n_rows ? `${p.n_points} of ${p.n_rows} rows (evenly spaced)` : `${p.n_rows} rows`}` +
    (r.target ? `, coloured by ${r.target.name}` : '');

  const et = clear($('#evr-table'));
  et.append(el('thead', {}, el('tr', {}, el('th', {}, 'component'), el('th', { class: 'num' }, 'explained variance ratio'), p.explained_variance ? el('th', { class: 'num' }, 'explained variance') : null)));
  et.append(el('tbody', {}, p.explained_variance_ratio.map((v, k) =>
    el('tr', {},
      el('td', {}, r.feature_names[k] ?? `component ${k + 1}`),
      el('td', { class: 'num', dataset: { testid: `evr-${k}` } }, fmt(v, 10)),
      p.explained_variance ? el('td', { class: 'num', dataset: { testid: `ev-${k}` } }, fmt(p.explained_variance[k], 10)) : null))));

  if (typeof window.Chart !== 'function') {
    $('#projection-info').textContent += ' (chart library not loaded: run scripts/build-web.sh)';
    return;
  }
  const [ax, ay] = [p.axes[0], p.axes[1] ?? '(single component)'];
  const classes = r.target?.task === 'classification' ? r.target.classes : null;
  let datasets;
  if (classes) {
    datasets = classes.map((c, k) => ({
      label: `${r.target.name} = ${c}`,
      data: p.x.flatMap((x, i) => (p.hue[i] === k ? [{ x, y: p.y[i] }] : [])),
      backgroundColor: COLORS[k % COLORS.length],
      pointRadius: 3,
    }));
  } else if (p.hue.length) {
    const sorted = [...p.hue].sort((a, b) => a - b);
    const lo = sorted[0];
    const hi = sorted[sorted.length - 1];
    const colour = (v) => `hsl(${Math.round(240 * (1 - (hi > lo ? (v - lo) / (hi - lo) : 0.5)))} 70% 48%)`;
    datasets = [{
      label: `${r.target.name}: blue ${fmt(lo, 4)} → red ${fmt(hi, 4)}`,
      data: p.x.map((x, i) => ({ x, y: p.y[i] })),
      pointBackgroundColor: p.hue.map(colour),
      backgroundColor: colour(lo),
      pointRadius: 3,
    }];
  } else {
    datasets = [{ label: 'rows', data: p.x.map((x, i) => ({ x, y: p.y[i] })), backgroundColor: COLORS[0], pointRadius: 3 }];
  }
  const pct = (k) => (p.explained_variance_ratio[k] === undefined ? '' : ` (${(100 * p.explained_variance_ratio[k]).toFixed(1)} %)`);
  charts.projection = new window.Chart($('#projection-chart'), {
    type: 'scatter',
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom' } },
      scales: { x: { title: { display: true, text: ax + pct(0) } }, y: { title: { display: true, text: ay + pct(1) } } },
    },
  });
  charts.evr = new window.Chart($('#evr-chart'), {
    type: 'bar',
    data: {
      labels: p.explained_variance_ratio.map((_, k) => r.feature_names[k] ?? `${k + 1}`),
      datasets: [{ label: 'explained variance ratio', data: p.explained_variance_ratio, backgroundColor: '#3b6fd8' }],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: false }, title: { display: true, text: 'explained variance ratio' } },
      scales: { y: { beginAtZero: true, suggestedMax: Math.min(1, Math.max(...p.explained_variance_ratio) * 1.1) } },
    },
  });
  box.dataset.drawn = 'true';
}
