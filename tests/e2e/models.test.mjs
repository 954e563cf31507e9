// End-to-end: the models area of the page — task inference and override,
// clustering (metrics vs the oracle, PCA scatter, silhouette plot, predict with
// the clustering model), the drawn decision tree, and the coefficient table vs
// the oracle. One browser, one page.
//
//   node --test tests/e2e/models.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage, checkAxe } from './harness.mjs';

const IRIS = join(ROOT, 'www', 'datasets', 'iris.csv');
const DIABETES = join(ROOT, 'www', 'datasets', 'diabetes.csv');

// The oracle (Python's json: bare NaN / Infinity tokens are not JSON).
const ORACLE = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'reference_shared.json'), 'utf8').replace(/-?Infinity|NaN/g, 'null')).entries;
const KMEANS = ORACLE.f_iris_clustering_shared.results.kmeans;
const RIDGE = ORACLE.c_diabetes_std_ridge_alpha1.results;

let harness;
let page;
const pageErrors = [];

before(async () => {
  harness = await launch();
  page = await openPage(harness.context, harness.base, pageErrors);
});

after(async () => {
  await harness?.close();
});

const close = (what, ours, want, tol) => assert.ok(Math.abs(ours - want) <= tol, `${what}: page ${ours}, oracle ${want} (tol ${tol})`);

async function load(file, rows) {
  await page.setInputFiles('#csv-file', file);
  await page.waitForFunction((r) => document.querySelector('#data-info')?.textContent.includes(`: ${r} rows`), rows);
}

async function shot(name, selector) {
  const path = join(RESULTS, `models-${name}.png`);
  await checkAxe(page, `model view: ${name}`, selector ?? '#results-section');
  if (selector) await page.locator(selector).screenshot({ path });
  else await page.screenshot({ path, fullPage: true });
}

test('task inference and override: iris species → classification; clustering hides CV and keeps species as reference', async () => {
  await load(IRIS, 150);
  await page.selectOption('#target-select', 'species');
  assert.equal(await page.inputValue('#task-select'), 'classification');
  assert.match(await page.textContent('#task-info'), /inferred: species is (categorical|text) with 3 classes/);
  assert.equal(await page.evaluate(() => document.querySelector('#model-select').selectedOptions[0].parentElement.label), 'classification');

  // The user overrides the task: a clustering model is picked, CV and metrics go away.
  await page.selectOption('#task-select', 'regression');
  assert.equal(await page.evaluate(() => document.querySelector('#model-select').selectedOptions[0].parentElement.label), 'regression');
  assert.match(await page.textContent('#task-info'), /chosen by you \(the target suggests classification\)/);
  await page.selectOption('#task-select', 'clustering');
  assert.equal(await page.evaluate(() => document.querySelector('#model-select').selectedOptions[0].parentElement.label), 'clustering');
  assert.equal(await page.isHidden('#cv-splitter'), true);
  assert.equal(await page.isHidden('#metrics'), true);
  assert.match(await page.textContent('#train'), /clustering/);
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  assert.equal(spec.target, 'species');
  assert.equal(spec.cv, undefined);
  assert.equal(spec.scoring, undefined);

  await shot('picker', '#pipeline-section');

  // Choosing a model of another task moves the task selector with it.
  await page.selectOption('#model-select', 'Ridge');
  assert.equal(await page.inputValue('#task-select'), 'regression');
  // "(none)" as target means clustering.
  await page.selectOption('#target-select', '');
  assert.equal(await page.inputValue('#task-select'), 'clustering');
  await page.selectOption('#target-select', 'species');
  assert.equal(await page.inputValue('#task-select'), 'classification');

  // RBF SVC says it is for small data.
  await page.selectOption('#model-select', 'SVC');
  assert.equal(await page.isVisible('#model-note'), true);
  assert.match(await page.textContent('#model-note'), /≤ 5,000 rows/);
});

test('iris KMeans(3, n_init=10): metrics equal the oracle, scatter and silhouette plot drawn, predict gives clusters', async () => {
  await page.setChecked('#use-preprocess', false); // the oracle clusters the raw features (the page scales by default)
  await page.selectOption('#task-select', 'clustering');
  await page.selectOption('#model-select', 'KMeans');
  await page.fill('#model-params [data-param="n_clusters"]', '3');
  await page.fill('#model-params [data-param="n_init"]', '10');
  await page.fill('#model-params [data-param="random_state"]', '0');
  // The oracle's KMeans(n_clusters=3, n_init=10, random_state=0); n_init typed as text reaches the spec as a number.
  assert.deepEqual(JSON.parse(await page.inputValue('#spec-json')).model, { KMeans: { n_clusters: 3, n_init: 10, random_state: 0 } });
  await page.click('#train');
  await page.waitForSelector('#cluster-view:not([hidden]) [data-testid="cluster-metrics"]', { timeout: 60_000 });

  const metric = async (m) => {
    const cell = page.locator(`[data-testid="cluster-metric-${m}"]`);
    return { shown: Number(await cell.textContent()), value: Number(await cell.getAttribute('data-value')) };
  };
  for (const [m, want] of [['silhouette', KMEANS.silhouette], ['davies_bouldin', KMEANS.davies_bouldin], ['calinski_harabasz', KMEANS.calinski_harabasz], ['inertia', KMEANS.inertia], ['adjusted_rand', KMEANS.ari_vs_truth]]) {
    const { shown, value } = await metric(m);
    // The displayed number (10 significant digits) and the full value both agree at 1e-6 (relative for inertia / CH).
    const tol = ['inertia', 'calinski_harabasz'].includes(m) ? 1e-6 * Math.abs(want) : 1e-6;
    close(`${m} shown`, shown, want, tol);
    close(`${m} value`, value, want, tol);
  }
  assert.match(await page.textContent('[data-testid="cluster-info"]'), /^3 clusters · 150 rows · 4 features/);
  const sizes = (await page.textContent('[data-testid="cluster-sizes"]')).match(/\d+: (\d+)/g).map((s) => Number(s.split(': ')[1])).sort((a, b) => b - a);
  assert.deepEqual(sizes, KMEANS.cluster_sizes_sorted);

  // The scatter: 150 points in 3 cluster colours plus the 3 centres; the silhouette plot: 150 bars.
  await page.waitForFunction(() => window.Chart?.getChart(document.querySelector('[data-testid="cluster-scatter"]')));
  const scatter = await page.evaluate(() => {
    const c = window.Chart.getChart(document.querySelector('[data-testid="cluster-scatter"]'));
    return { sets: c.data.datasets.map((d) => [d.label, d.data.length]), x: c.options.scales.x.title.text };
  });
  assert.deepEqual(scatter.sets.map(([l]) => l), ['cluster 0', 'cluster 1', 'cluster 2', 'centres']);
  assert.equal(scatter.sets.slice(0, 3).reduce((s, [, n]) => s + n, 0), 150);
  assert.match(scatter.x, /PC1 \(92\.5 % of the variance\)/); // scikit-learn: explained_variance_ratio_[0] = 0.9246
  const bars = await page.evaluate(() => window.Chart.getChart(document.querySelector('[data-testid="silhouette-plot"]')).data.datasets[0].data.filter((v) => v !== null));
  assert.equal(bars.length, 150);
  close('mean of the silhouette bars', bars.reduce((s, v) => s + v, 0) / 150, KMEANS.silhouette, 1e-9);
  // Centres in the model view: the oracle's, sorted by the first feature.
  const centres = await page.$$eval('[data-testid="centres-table"] tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
  centres.sort((a, b) => a[0] - b[0]);
  centres.forEach((c, k) => c.forEach((v, j) => close(`centre ${k} feature ${j}`, v, KMEANS.centers_sorted_by_first_feature[k][j], 1e-4)));
  await page.waitForTimeout(100);
  await shot('clustering', '#results-section');

  // The clustering model is the session's model: Predict labels every row with its cluster.
  assert.match(await page.textContent('#model-summary'), /KMeans/);
  await page.click('#predict-loaded');
  await page.waitForFunction(() => document.querySelector('#predictions-info')?.textContent.startsWith('150 predictions'));
  const preds = await page.$$eval('#predictions-table tbody tr td.pred', (tds) => tds.map((td) => td.textContent));
  assert.ok(preds.length > 0 && preds.every((p) => ['0', '1', '2'].includes(p)), `predictions ${preds}`);
});

test('DecisionTreeClassifier on iris: the tree is drawn with scikit-learn\'s root split', async () => {
  await page.setChecked('#use-preprocess', false); // raw feature names and thresholds, as scikit-learn's tree
  await page.selectOption('#task-select', 'classification');
  await page.selectOption('#model-select', 'DecisionTreeClassifier');
  await page.fill('#model-params [data-param="random_state"]', '0');
  await page.click('#train');
  await page.waitForSelector('#model-view:not([hidden]) [data-testid="tree-view"]', { timeout: 60_000 });
  // petal_length ≤ 2.45 and petal_width ≤ 0.8 tie in Gini gain; scikit-learn picks either by its feature permutation.
  const root = await page.textContent('[data-testid="tree-root-split"]');
  assert.match(root, /^petal_(length ≤ 2\.45|width ≤ 0\.8)$/);
  const rootBox = await page.locator('.tree > ul > li > .tree-node').textContent();
  assert.match(rootBox, /gini = 0\.667/);
  assert.match(rootBox, /samples = 150/);
  // The left child is the pure setosa leaf.
  const left = await page.locator('.tree > ul > li > ul > li:first-child > .tree-node').textContent();
  assert.match(left, /samples = 50/);
  assert.match(left, /class = setosa/);
  assert.match(left, /gini = 0(?![.\d])/);
  assert.ok((await page.locator('[data-testid="tree-view"] .tree-node').count()) >= 7);
  assert.equal(await page.isVisible('[data-testid="importance-chart"]'), true);
  // The cross-validation results are back (hidden during clustering).
  assert.equal(await page.isVisible('#summary-table'), true);
  assert.equal(await page.isHidden('#cluster-view'), true);
  await page.waitForTimeout(100);
  await shot('tree', '#model-view');
});

test('diabetes StandardScaler + Ridge: the coefficient table equals the oracle', async () => {
  await load(DIABETES, 442);
  await page.selectOption('#target-select', 'target');
  assert.equal(await page.inputValue('#task-select'), 'regression');
  await page.setChecked('#use-preprocess', false);
  while (await page.locator('#steps-list li.step').count()) await page.locator('#steps-list li.step .remove').first().click();
  await page.selectOption('#add-step-select', 'StandardScaler');
  await page.click('#add-step');
  await page.selectOption('#model-select', 'Ridge');
  await page.selectOption('#cv-splitter', 'KFold');
  await page.fill('#cv-n-splits', '5');
  await page.setChecked('#metric-r2', true);
  await page.click('#train');
  await page.waitForSelector('#model-view:not([hidden]) [data-testid="coef-table"]', { timeout: 60_000 });
  close('cv r2 mean', Number(await page.textContent('[data-testid="mean-r2"]')), RIDGE.cv_r2.mean, 1e-6);
  const cells = await page.$$eval('[data-testid="coef-table"] td.num', (tds) => tds.map((td) => [td.dataset.feature, Number(td.dataset.value), Number(td.textContent)]));
  const byName = Object.fromEntries(cells.map(([f, v, shown]) => [f, { v, shown }]));
  RIDGE.full_fit.feature_names.forEach((f, j) => {
    const want = RIDGE.full_fit.coef[j];
    close(`coef ${f}`, byName[f].v, want, 1e-6 * Math.abs(want));
    close(`coef ${f} shown`, byName[f].shown, want, 5e-6 * Math.abs(want)); // 6 significant digits
  });
  close('intercept', byName['(intercept)'].v, RIDGE.full_fit.intercept, 1e-6 * RIDGE.full_fit.intercept);
  assert.equal(await page.isVisible('[data-testid="importance-chart"]'), true);
  await page.waitForTimeout(100);
  await shot('coef', '#model-view');
  await shot('page');
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});
