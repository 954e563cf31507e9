// The clustering results (the core's ClusteringView, src/api.rs): metrics,
// cluster sizes, a scatter of the rows on their first two principal components
// coloured by cluster (computed in the core), and a silhouette plot (per-row
// silhouettes sorted within clusters, one horizontal bar per row).
import { el, clear, fmt } from './dom.js';
import { clusterColor } from './model_view.js';

let charts = [];

const METRIC_HELP = {
  silhouette: 'silhouette (−1…1, higher = better separated)',
  davies_bouldin: 'Davies–Bouldin (≥ 0, lower = better)',
  calinski_harabasz: 'Calinski–Harabasz (higher = better)',
  inertia: 'inertia (sum of squared distances to the centres)',
  adjusted_rand: 'adjusted Rand vs the reference labels',
  normalized_mutual_info: 'normalized mutual information vs the reference labels',
};
const METRIC_ORDER = ['silhouette', 'davies_bouldin', 'calinski_harabasz', 'inertia', 'adjusted_rand', 'normalized_mutual_info'];
/** Most points drawn in the scatter / bars in the silhouette plot (evenly thinned beyond). */
const MAX_POINTS = 5000;
const MAX_BARS = 1500;

function clusterName(k) {
  return k < 0 ? 'noise' : `cluster ${k}`;
}

/** Draws the clustering view into `box`. */
export function renderClustering(box, view) {
  for (const c of charts) c.destroy();
  charts = [];
  clear(box);
  box.hidden = false;
  const r = view.report;
  const sizes = r.cluster_sizes.map((s, k) => `${k}: ${s}`).join(' · ');
  box.append(el('h3', {}, 'Clustering'));
  box.append(el('p', { class: 'info', dataset: { testid: 'cluster-info' } },
    `${r.n_clusters} clusters`, r.n_noise != null ? ` · ${r.n_noise} noise rows` : '', ` · ${r.n_rows} rows · ${r.feature_names.length} features reach the model`));
  box.append(el('p', { class: 'muted', dataset: { testid: 'cluster-sizes' } }, `rows per cluster: ${sizes}`));

  const t = el('table', { class: 'cluster-metrics', dataset: { testid: 'cluster-metrics' } });
  t.append(el('thead', {}, el('tr', {}, el('th', {}, 'metric'), el('th', { class: 'num' }, 'value'))));
  const names = [...METRIC_ORDER.filter((m) => m in r.metrics), ...Object.keys(r.metrics).filter((m) => !METRIC_ORDER.includes(m))];
  t.append(el('tbody', {}, names.map((m) => el('tr', { dataset: { metric: m } },
    el('th', { title: METRIC_HELP[m] ?? m }, METRIC_HELP[m] ?? m),
    el('td', { class: 'num', dataset: { testid: `cluster-metric-${m}`, value: String(r.metrics[m]) } }, fmt(r.metrics[m], 10))))));
  box.append(t);

  const grid = el('div', { class: 'two-col cluster-charts' });
  const scatterBox = el('div', {});
  const silBox = el('div', {});
  grid.append(scatterBox, silBox);
  box.append(grid);
  if (r.warnings?.length) box.append(el('div', { class: 'warnings' }, el('ul', {}, r.warnings.map((w) => el('li', {}, w)))));
  // Chart.js sizes a canvas from its container: draw once the boxes are in the document.
  requestAnimationFrame(() => {
    drawScatter(scatterBox, view);
    drawSilhouette(silBox, r);
  });
}

function noChart(box, what) {
  box.append(el('p', { class: 'muted' }, `${what}: chart library not loaded (run scripts/build-web.sh).`));
}

function drawScatter(box, view) {
  const p = view.projection;
  const r = view.report;
  if (!p) {
    box.append(el('p', { class: 'muted' }, 'No 2-D view (see the warnings).'));
    return;
  }
  const pct = (i) => (p.explained_variance_ratio[i] !== undefined ? ` (${(100 * p.explained_variance_ratio[i]).toFixed(1)} % of the variance)` : ' (one feature only)');
  box.append(el('h4', {}, 'Rows on the first two principal components'));
  const n = p.x.length;
  const step = Math.max(1, Math.ceil(n / MAX_POINTS));
  if (step > 1) box.append(el('p', { class: 'muted' }, `Every ${step}th row of ${n} is drawn.`));
  const canvas = el('canvas', { dataset: { testid: 'cluster-scatter' } });
  box.append(el('div', { class: 'chart-box' }, canvas));
  if (typeof window.Chart !== 'function') return noChart(box, 'scatter');
  const byCluster = new Map();
  for (let i = 0; i < n; i += step) {
    const k = r.labels[i];
    if (!byCluster.has(k)) byCluster.set(k, []);
    byCluster.get(k).push({ x: p.x[i], y: p.y[i] });
  }
  const keys = [...byCluster.keys()].sort((a, b) => a - b);
  const datasets = keys.map((k) => ({ label: clusterName(k), data: byCluster.get(k), backgroundColor: clusterColor(k), pointRadius: 3 }));
  if (p.extra?.length) {
    datasets.push({
      label: 'centres', data: p.extra.map(([x, y]) => ({ x, y })), pointStyle: 'crossRot', pointRadius: 9, pointBorderWidth: 3,
      borderColor: '#111', backgroundColor: '#111',
    });
  }
  const chart = new window.Chart(canvas, {
    type: 'scatter',
    data: { datasets },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom' } },
      scales: { x: { title: { display: true, text: `PC1${pct(0)}` } }, y: { title: { display: true, text: `PC2${pct(1)}` } } },
    },
  });
  charts.push(chart);
  canvas.dataset.points = String(datasets.slice(0, keys.length).reduce((s, d) => s + d.data.length, 0));
}

/** Draws a vertical dashed line at the mean silhouette. */
const meanLine = (mean) => ({
  id: 'meanLine',
  afterDatasetsDraw(chart) {
    const x = chart.scales.x.getPixelForValue(mean);
    const { top, bottom } = chart.chartArea;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = '#c8385a';
    ctx.setLineDash([5, 4]);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.stroke();
    ctx.fillStyle = '#c8385a';
    ctx.font = '12px sans-serif';
    ctx.fillText(`mean ${mean.toFixed(3)}`, x + 4, top + 12);
    ctx.restore();
  },
});

function drawSilhouette(box, r) {
  box.append(el('h4', {}, 'Silhouette of every row, by cluster'));
  const s = r.silhouette_samples ?? [];
  if (!s.length) {
    box.append(el('p', { class: 'muted' }, 'No per-row silhouettes (a single cluster, or more rows than the silhouette is computed on).'));
    return;
  }
  const keys = [...new Set(r.labels)].sort((a, b) => a - b);
  const thin = Math.max(1, Math.ceil(s.length / MAX_BARS));
  if (thin > 1) box.append(el('p', { class: 'muted' }, `${s.length} rows: every ${thin}th value of each sorted cluster is drawn.`));
  const labels = [];
  const data = [];
  const colors = [];
  for (const k of keys) {
    const vals = s.filter((_, i) => r.labels[i] === k).sort((a, b) => b - a);
    for (let i = 0; i < vals.length; i += thin) {
      labels.push(clusterName(k));
      data.push(vals[i]);
      colors.push(clusterColor(k));
    }
    // A gap between clusters.
    labels.push('');
    data.push(null);
    colors.push('transparent');
  }
  const canvas = el('canvas', { dataset: { testid: 'silhouette-plot', bars: String(data.filter((v) => v !== null).length) } });
  box.append(el('div', { class: 'chart-box' }, canvas));
  if (typeof window.Chart !== 'function') return noChart(box, 'silhouette plot');
  const mean = r.metrics.silhouette;
  const chart = new window.Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label: 'silhouette', data, backgroundColor: colors, barPercentage: 1, categoryPercentage: 1 }] },
    options: {
      indexAxis: 'y', animation: false, responsive: true, maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (c) => `${c.label}: ${fmt(c.raw, 4)}` } },
      },
      scales: {
        x: { min: Math.min(0, ...s) - 0.05, max: 1, title: { display: true, text: 'silhouette value' } },
        y: { ticks: { display: false }, grid: { display: false }, title: { display: true, text: 'rows, sorted within each cluster (colours as in the scatter)' } },
      },
    },
    plugins: mean !== undefined ? [meanLine(mean)] : [],
  });
  charts.push(chart);
}
