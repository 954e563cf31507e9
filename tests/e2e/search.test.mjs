// End-to-end: hyperparameter search on the page, run by a pool of Web Workers.
//   node --test tests/e2e/search.test.mjs
// Serves the repository itself unless PIPELAB_URL is set (as skeleton.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage, checkAxe } from './harness.mjs';

const BREAST = join(ROOT, 'www', 'datasets', 'breast_cancer.csv');

// Entry i_breast_cancer_gridsearch_logreg_C (tests/fixtures/reference_shared.json):
// StandardScaler -> LogisticRegression(max_iter=1000), StratifiedKFold(5), accuracy, C in [0.01, 0.1, 1, 10].
const ORACLE = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'reference_shared.json'), 'utf8').replace(/-Infinity/g, '"-inf"').replace(/Infinity/g, '"inf"'))
  .entries.i_breast_cancer_gridsearch_logreg_C.results;

let harness;
let page;
const pageErrors = [];

before(async () => {
  harness = await launch({ acceptDownloads: true });
  page = await openPage(harness.context, harness.base, pageErrors);
});

after(async () => {
  await harness?.close();
});

/** Runs the configured search with `workers` pool workers; returns the downloaded cv_results report. */
async function runSearch(workers) {
  await page.fill('#search-workers', String(workers));
  await page.click('#search-run');
  await page.waitForFunction(() => !document.querySelector('#search-run').disabled && /^(done|failed|cancelled)/.test(document.querySelector('#search-progress-text').textContent), null, { timeout: 60_000 });
  const text = await page.textContent('#search-progress-text');
  assert.match(text, new RegExp(`^done: \\d+ candidates in .* on ${workers} worker`), `${text} / ${await page.textContent('#search-error')}`);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#search-download-results')]);
  return JSON.parse(readFileSync(await dl.path(), 'utf8'));
}

const withoutTimes = (r) => ({ ...r, cv_results: r.cv_results.map(({ mean_fit_time_ms, ...c }) => c) });

async function setRow(i, path, values) {
  while ((await page.locator('#search-params .search-param').count()) <= i) await page.click('#search-add-param');
  await page.selectOption(`[data-testid="search-path-${i}"]`, path);
  await page.fill(`[data-testid="search-values-${i}"]`, values);
}

test('grid search over LogisticRegression C on the worker pool matches the oracle; the refit model predicts', async () => {
  await page.setInputFiles('#csv-file', BREAST);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('breast_cancer.csv: 569 rows'));
  await page.selectOption('#target-select', 'diagnosis');
  await page.setChecked('#use-preprocess', false);
  while (await page.locator('#steps-list li.step').count()) await page.locator('#steps-list li.step .remove').first().click();
  await page.selectOption('#add-step-select', 'StandardScaler');
  await page.click('#add-step');
  await page.selectOption('#model-select', 'LogisticRegression');
  await page.fill('#model-params [data-param="max_iter"]', '1000');
  await page.selectOption('#cv-splitter', 'StratifiedKFold');
  await page.fill('#cv-n-splits', '5');
  await page.setChecked('#cv-shuffle', false);

  assert.equal(await page.isVisible('#search-section'), true);
  await page.setChecked('#search-enable', true);
  await page.selectOption('#search-kind', 'GridSearchCV');
  await page.selectOption('#search-scoring', 'accuracy');
  await setRow(0, 'model__C', '0.01, 0.1, 1, 10');
  // The spec view shows the same search block `pipelab search` reads.
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  assert.deepEqual(spec.search, { GridSearchCV: { param_grid: { model__C: [0.01, 0.1, 1, 10] }, scoring: 'accuracy' } });
  assert.deepEqual(spec.model, { LogisticRegression: { max_iter: 1000 } });

  const r = await runSearch(3);
  assert.equal(Number(JSON.parse(await page.getAttribute('[data-testid="search-best-model__C"]', 'data-value'))), ORACLE.best_C);
  const shown = Number(await page.getAttribute('[data-testid="search-best-score"]', 'data-value'));
  assert.ok(Math.abs(shown - ORACLE.best_score) < 1e-9, `best score ${shown} vs oracle ${ORACLE.best_score}`);
  assert.equal(r.best_params.model__C, 1);
  assert.deepEqual(r.cv_results.map((c) => c.rank), ORACLE.rank_test_score);
  for (const c of ['0.01', '0.1', '1']) {
    const got = r.cv_results.find((x) => x.params.model__C === Number(c)).split_test_scores;
    ORACLE.split_test_scores[c].forEach((want, i) => assert.ok(Math.abs(got[i] - want) < 1e-9, `C=${c} fold ${i}: ${got[i]} vs ${want}`));
  }
  assert.equal(await page.locator('#search-table tbody tr').count(), 4);
  // Sorting by a column reorders the table; the best row stays marked.
  await page.click('#search-table th:has-text("mean test score")');
  await page.click('#search-table th:has-text("mean test score")');
  const first = page.locator('#search-table tbody tr').first().locator('td');
  assert.equal(await first.nth(0).textContent(), '3');
  assert.equal(await first.nth(1).textContent(), '1');
  await page.locator('#search-trace').waitFor({ state: 'visible' });

  // The refit best model is the session's model: it predicts the loaded data.
  await page.waitForFunction(() => document.querySelector('#search-model-status').textContent.includes('now the model'), null, { timeout: 30_000 });
  assert.match(await page.textContent('#model-summary'), /LogisticRegression.*best of the search/s);
  await page.click('#predict-loaded');
  await page.waitForFunction(() => document.querySelector('#predictions-info')?.textContent.startsWith('569 predictions'));
  await checkAxe(page, 'after search (grid)', '#search-section');
  await page.locator('#search-section').screenshot({ path: join(RESULTS, 'search-grid-1d.png') });
});

test('a 2-parameter grid gives identical results on 1 worker and on a pool, and a heatmap', async () => {
  await setRow(0, 'model__C', '0.01, 0.1, 1, 10');
  await setRow(1, 'StandardScaler__with_mean', 'true, false');
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  assert.deepEqual(spec.search.GridSearchCV.param_grid, { model__C: [0.01, 0.1, 1, 10], StandardScaler__with_mean: [true, false] });
  const one = await runSearch(1);
  const pool = await runSearch(4);
  assert.equal(one.cv_results.length, 8);
  assert.deepEqual(withoutTimes(pool), withoutTimes(one));
  assert.equal(await page.locator('#search-heatmap tbody tr').count(), 4);
  assert.equal(await page.locator('#search-heatmap td.heat').count(), 8);
  assert.equal(await page.locator('#search-heatmap td.heat-best').count(), 1);
  await checkAxe(page, 'after search (heatmap)', '#search-section');
  await page.locator('#search-section').screenshot({ path: join(RESULTS, 'search-heatmap.png') });
  await page.locator('#search-params .search-param .remove').nth(1).click();
});

test('Bayesian search shows its trace; results do not depend on the pool size', async () => {
  await page.selectOption('#search-kind', 'BayesSearchCV');
  await page.selectOption('#search-params .search-dist >> nth=0', 'loguniform');
  await page.fill('#search-params .search-low >> nth=0', '0.001');
  await page.fill('#search-params .search-high >> nth=0', '100');
  await page.fill('#search-n-trials', '9');
  await page.fill('#search-n-initial', '4');
  await page.fill('#search-random-state', '7');
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  assert.deepEqual(spec.search, { BayesSearchCV: { search_spaces: { model__C: { loguniform: [0.001, 100] } }, n_iter: 9, n_initial_points: 4, random_state: 7, scoring: 'accuracy' } });
  const a = await runSearch(2);
  assert.equal(a.cv_results.length, 9);
  assert.ok(a.trace.every((x, i) => i === 0 || x >= a.trace[i - 1]), 'best so far never decreases');
  assert.ok(a.best_score > 0.97, `best ${a.best_score}`);
  const b = await runSearch(1);
  assert.deepEqual(withoutTimes(b), withoutTimes(a));
  await checkAxe(page, 'after search (Bayes trace)', '#search-section');
  await page.locator('#search-section').screenshot({ path: join(RESULTS, 'search-bayes-trace.png') });
});

test('successive halving: fewer candidates on more rows each round', async () => {
  await page.selectOption('#search-kind', 'HalvingGridSearchCV');
  await page.fill('[data-testid="search-values-0"]', '0.01, 0.1, 1, 10');
  await page.fill('#search-factor', '2');
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  assert.deepEqual(spec.search, { HalvingGridSearchCV: { param_grid: { model__C: [0.01, 0.1, 1, 10] }, factor: 2, random_state: 7, scoring: 'accuracy' } });
  const r = await runSearch(2);
  // 569 rows, 4 candidates, factor 2: rounds of 4, 2, 1 candidates on 142, 284, 568 rows; only the last round is ranked.
  assert.deepEqual(r.cv_results.map((c) => [c.iteration, c.n_resources]), [[0, 142], [0, 142], [0, 142], [0, 142], [1, 284], [1, 284], [2, 568]]);
  assert.equal(r.cv_results.filter((c) => c.rank === 1).length, 1);
  assert.equal(r.best_index, 6);
  assert.equal(await page.locator('#search-table th', { hasText: 'round' }).count(), 1);
});

test('Cancel stops a long search within a second and keeps the data', async () => {
  await page.selectOption('#search-kind', 'RandomizedSearchCV');
  await page.selectOption('#search-params .search-dist >> nth=0', 'loguniform');
  await page.fill('#search-params .search-low >> nth=0', '0.001');
  await page.fill('#search-params .search-high >> nth=0', '100');
  await page.fill('#search-n-iter', '400');
  await page.fill('#search-workers', '2');
  await page.click('#search-run');
  await page.waitForFunction(() => Number(document.querySelector('#search-progress').value) >= 2, null, { timeout: 30_000 });
  // Timed inside the page, from the click's event to the first frame where control is back, so the
  // test harness's own round trips (which grew past 250 ms on a loaded machine) are not counted.
  await page.evaluate(() => {
    document.querySelector('#search-cancel').addEventListener('click', () => (window.pipelabCancelT0 = performance.now()), { once: true });
  });
  await page.click('#search-cancel');
  const ms = await page.waitForFunction(
    () => {
      const back = !document.querySelector('#search-run').disabled && document.querySelector('#search-progress-text').textContent.startsWith('cancelled');
      return back && window.pipelabCancelT0 !== undefined ? performance.now() - window.pipelabCancelT0 : false;
    },
    null,
    { timeout: 5_000, polling: 'raf' },
  ).then((h) => h.jsonValue());
  assert.ok(ms < 1000, `control came back after ${Math.round(ms)} ms`);
  assert.match(await page.textContent('#search-progress-text'), /your data is still loaded/);
  // The main worker still holds the data: training works at once.
  await page.click('#train');
  await page.waitForFunction(() => document.querySelector('#progress-text')?.textContent.startsWith('done'), null, { timeout: 30_000 });
  assert.ok(Number(await page.textContent('[data-testid="mean-accuracy"]')) > 0.95);
  await page.locator('#search-section').screenshot({ path: join(RESULTS, 'search-cancelled.png') });
  assert.deepEqual(pageErrors, []);
});
