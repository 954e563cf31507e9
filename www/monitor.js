// The Monitor area: new data against the model's training reference (drift per
// column with Evidently's default tests, prediction drift, performance when the
// new data holds the target), and "Retrain on this data" with lineage. The
// numbers come from the core (Session.drift_csv / retrain_csv); this module only
// draws them. SHA-256 of the files is WebCrypto's (crypto.subtle.digest), the
// time the browser's clock: the core is given both.
import { $, el, append, clear, showError, clearError, fmt, download } from './dom.js';
import { client, setBusy, recoverIfFatal, adoptModel, ensureModel } from './session.js';

const charts = [];
let current = null; // {bytes, name} of the new data last checked

const METHOD_NAMES = {
  ks: 'Kolmogorov–Smirnov',
  chisquare: 'chi-squared',
  z: 'two-proportion Z',
  wasserstein: 'Wasserstein (normed)',
  jensenshannon: 'Jensen–Shannon',
  psi: 'PSI',
};

export function setupMonitor() {
  $('#monitor-file').addEventListener('change', async (ev) => {
    const f = ev.target.files[0];
    ev.target.value = '';
    if (f) await checkDrift(new Uint8Array(await f.arrayBuffer()), f.name);
  });
  const zone = $('#monitor-section');
  zone.addEventListener('dragover', (ev) => ev.preventDefault());
  zone.addEventListener('drop', async (ev) => {
    ev.preventDefault();
    const f = ev.dataTransfer?.files?.[0];
    if (f) await checkDrift(new Uint8Array(await f.arrayBuffer()), f.name);
  });
  const rerun = () => current && checkDrift(current.bytes, current.name);
  $('#monitor-method').addEventListener('change', rerun);
  $('#monitor-threshold').addEventListener('change', rerun);
  $('#monitor-retrain').addEventListener('click', retrain);
}

function options() {
  const o = {};
  const m = $('#monitor-method').value;
  if (m) o.method = m;
  const t = $('#monitor-threshold').value.trim();
  if (t !== '') o.threshold = Number(t);
  return JSON.stringify(o);
}

async function checkDrift(bytes, name) {
  const err = $('#monitor-error');
  clearError(err);
  const status = $('#monitor-status');
  status.textContent = 'comparing with the training data…';
  setBusy(true);
  try {
    await ensureModel();
    const report = await client.call('drift_csv', { bytes, options: options() });
    current = { bytes, name };
    status.textContent = '';
    render(report, name);
  } catch (e) {
    status.textContent = '';
    showError(err, `Could not check ${name} for drift: ${e.message}`);
    await recoverIfFatal(e);
  } finally {
    setBusy(false);
  }
}

const pct = (x) => `${(100 * x).toFixed(x > 0 && x < 0.01 ? 2 : 1)} %`;

function verdict(r, name) {
  const cols = `${r.n_drifted} of ${r.n_columns} input column${r.n_columns === 1 ? '' : 's'} (${pct(r.share_drifted)})`;
  const parts = [
    r.dataset_drift
      ? `${name} has drifted from the training data: ${cols} changed distribution (dataset drift means at least half of the columns, Evidently's rule).`
      : `${name} looks like the training data overall: ${cols} drifted, under the half that would mean dataset drift.`,
  ];
  if (r.prediction) parts.push(r.prediction.drifted ? 'The model’s predictions are distributed differently from its cross-validated predictions.' : 'The predictions are distributed like the cross-validated ones.');
  if (r.performance) {
    parts.push(r.performance.dropped
      ? `On the ${r.performance.n_rows} labelled rows the score dropped by more than 2 standard deviations of the cross-validation.`
      : `On the ${r.performance.n_rows} labelled rows the score is within 2 standard deviations of the cross-validation.`);
  }
  return parts.join(' ');
}

function describeMissing(c) {
  const d = c.missing_rate_new - c.missing_rate_ref;
  if (Math.abs(d) < 0.005) return pct(c.missing_rate_new);
  return `${pct(c.missing_rate_ref)} → ${pct(c.missing_rate_new)}`;
}

function render(r, name) {
  for (const c of charts.splice(0)) c.destroy();
  const out = clear($('#monitor-result'));
  out.hidden = false;
  const entries = Object.entries(r.columns).sort((a, b) => (b[1].drifted - a[1].drifted) || (b[1].severity - a[1].severity));
  append(out, el('p', { class: r.dataset_drift ? 'verdict drift' : 'verdict', dataset: { testid: 'monitor-verdict' } }, verdict(r, name)));
  const callouts = [];
  for (const [n, c] of entries) {
    if (c.new_categories.length) callouts.push(`${n}: new categor${c.new_categories.length === 1 ? 'y' : 'ies'} ${c.new_categories.slice(0, 8).join(', ')}${c.new_categories.length > 8 ? '…' : ''}`);
    if (Math.abs(c.missing_rate_new - c.missing_rate_ref) >= 0.05) callouts.push(`${n}: missing values ${pct(c.missing_rate_ref)} in training → ${pct(c.missing_rate_new)} now`);
    if (c.note) callouts.push(`${n}: ${c.note}`);
  }
  if (callouts.length) append(out, el('ul', { class: 'callouts', dataset: { testid: 'monitor-callouts' } }, callouts.map((t) => el('li', {}, t))));
  const head = ['column', 'type', 'test', 'statistic', 'p-value', 'threshold', 'drift', 'PSI', 'missing'];
  const row = (n, c) => el('tr', { class: c.drifted ? 'drifted' : '', dataset: { column: n } },
    el('th', {}, n),
    el('td', {}, c.type),
    el('td', {}, METHOD_NAMES[c.method] ?? c.method),
    el('td', { class: 'num' }, c.statistic == null ? '∞' : fmt(c.statistic, 4)),
    el('td', { class: 'num' }, c.p_value == null ? '—' : fmt(c.p_value, 4)),
    el('td', { class: 'num' }, fmt(c.threshold, 3)),
    el('td', { class: 'drift-flag' }, c.drifted ? 'drifted' : 'no'),
    el('td', { class: 'num' }, c.psi == null ? '—' : fmt(c.psi, 3)),
    el('td', { class: 'num' }, describeMissing(c)));
  const rows = entries.map(([n, c]) => row(n, c));
  if (r.prediction) rows.push(row('(prediction)', r.prediction));
  append(out, el('div', { class: 'scroll' }, el('table', { dataset: { testid: 'monitor-table' } },
    el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows))));
  const approx = entries.filter(([, c]) => !c.exact);
  if (approx.length) append(out, el('p', { class: 'muted' }, `${approx.map(([n]) => n).join(', ')}: the model file keeps 1,000 quantiles for columns with more than 1,000 distinct values; their statistics are approximate (within the bound in the JSON).`));
  if (r.performance) append(out, performanceView(r.performance, 'monitor-performance', 'new labels'));
  const figs = el('div', { class: 'monitor-charts', dataset: { testid: 'monitor-charts' } });
  append(out, el('h3', {}, 'Training (reference) vs new distribution, most drifted first'), figs);
  const shown = entries.slice(0, 12);
  if (r.prediction) shown.push(['(prediction)', r.prediction]);
  for (const [n, c] of shown) figs.append(chartFigure(n, c));
  if (entries.length > 12) append(out, el('p', { class: 'muted' }, `${entries.length - 12} more columns in the table above.`));
  $('#monitor-retrain').hidden = false;
  $('#monitor-retrain').textContent = `Retrain on ${name}`;
}

// The model's scores on rows that hold its target column, next to its cross-validated
// scores; the verdict is words as well as the row's colour. Also shown under predictions.
export function performanceView(p, testid, what) {
  const rows = Object.entries(p.metrics).map(([m, v]) => el('tr', { class: v.dropped ? 'drifted' : '' },
    el('th', {}, m),
    el('td', { class: 'num' }, fmt(v.new, 4)),
    el('td', { class: 'num' }, `${fmt(v.cv_mean, 4)} ± ${fmt(v.cv_std, 3)}`),
    el('td', {}, v.dropped ? 'dropped (beyond 2 std)' : 'within range')));
  return el('div', { dataset: { testid } },
    el('h3', {}, `Performance on the ${what} (${p.n_rows} rows with ${p.target})`),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'metric'), el('th', { class: 'num' }, 'new data'), el('th', { class: 'num' }, 'cross-validation'), el('th', {}, el('span', { class: 'visually-hidden' }, 'verdict')))), el('tbody', {}, rows)),
    p.warnings?.length ? el('p', { class: 'muted' }, p.warnings.join(' · ')) : null);
}

function chartFigure(name, c) {
  const canvas = el('canvas');
  const fig = el('figure', { class: 'monitor-chart' },
    el('figcaption', {}, `${name} — ${c.drifted ? 'drifted' : 'no drift'} (${METHOD_NAMES[c.method] ?? c.method})`),
    el('div', { class: 'chart-box', style: 'height:180px' }, canvas));
  const Chart = typeof window.Chart === 'function' ? window.Chart : null;
  const ch = c.chart;
  if (!Chart || !ch || ch.kind === 'none') {
    canvas.replaceWith(el('p', { class: 'muted' }, Chart ? 'nothing to draw' : 'Chart library not loaded (run scripts/build-web.sh).'));
    return fig;
  }
  const labels = ch.kind === 'histogram'
    ? ch.reference.map((_, i) => fmt((ch.edges[i] + ch.edges[i + 1]) / 2, 3))
    : ch.categories;
  const newCats = new Set(c.new_categories);
  charts.push(new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'training', data: ch.reference, backgroundColor: 'rgba(59,111,216,0.55)', barPercentage: 1, categoryPercentage: ch.kind === 'histogram' ? 1 : 0.8 },
        { label: 'new', data: ch.new, backgroundColor: ch.kind === 'bars' ? ch.categories.map((k) => (newCats.has(k) ? 'rgba(216,59,94,0.8)' : 'rgba(216,121,59,0.55)')) : 'rgba(216,121,59,0.55)', barPercentage: 1, categoryPercentage: ch.kind === 'histogram' ? 1 : 0.8 },
      ],
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom' } },
      scales: { x: { grouped: ch.kind !== 'histogram', stacked: false, ticks: { maxRotation: 0, autoSkip: true } }, y: { title: { display: true, text: 'share of rows' } } },
    },
  }));
  return fig;
}

async function sha256(bytes) {
  const d = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function retrain() {
  if (!current) return;
  const err = $('#monitor-error');
  clearError(err);
  const status = $('#monitor-status');
  setBusy(true);
  try {
    const parentText = await ensureModel();
    status.textContent = 'retraining (cross-validation, then the fit on every row)…';
    const [sha, parentSha] = await Promise.all([sha256(current.bytes), sha256(new TextEncoder().encode(parentText))]);
    const res = await client.call('retrain_csv', {
      bytes: current.bytes, name: current.name, sha256: sha, parent_sha256: parentSha, now: new Date().toISOString(),
    }, (done, total) => { status.textContent = `retraining: fold ${done} of ${total}…`; });
    await adoptModel(res.model_text, `retrained on ${current.name}`);
    status.textContent = '';
    const box = clear($('#monitor-lineage'));
    box.hidden = false;
    append(box, lineageView(res.lineage, res.cv_metrics),
      el('button', { type: 'button', class: 'primary', dataset: { testid: 'monitor-download' }, onclick: () => download(res.model_text, `pipelab-model-v${res.lineage.version}.json`, 'application/json') }, `Download model version ${res.lineage.version}`));
  } catch (e) {
    status.textContent = '';
    showError(err, `Could not retrain: ${e.message}`);
    await recoverIfFatal(e);
  } finally {
    setBusy(false);
  }
}

const metricsLine = (m) => Object.entries(m ?? {}).map(([k, v]) => `${k} ${fmt(v.mean, 4)} ± ${fmt(v.std, 3)}`).join(' · ') || '—';

/** The lineage of a model file, as a small block (also used by the model summary). */
export function lineageView(l) {
  if (!l) return el('p', { class: 'muted', dataset: { testid: 'lineage' } }, 'version 1 (trained from scratch)');
  return el('div', { class: 'lineage', dataset: { testid: 'lineage' } },
    el('p', {}, el('strong', {}, `version ${l.version}`), ` · retrained ${l.trained_at} from parent `, el('code', {}, l.parent_sha256.slice(0, 12)), '…'),
    el('p', { class: 'muted' }, `on ${l.training_files.map((f) => `${f.name} (${f.rows} rows, sha256 ${f.sha256.slice(0, 12)}…)`).join(', ')}`),
    el('p', { class: 'muted' }, `cross-validated: parent ${metricsLine(l.parent_cv_metrics)} → this model ${metricsLine(l.cv_metrics)}`));
}
