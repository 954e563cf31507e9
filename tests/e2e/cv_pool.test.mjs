// End-to-end: cross-validation folds on the page's worker pool (www/cv_pool.js)
// give the report the single worker gives (fold timings aside), and the page
// switches from the first wasm module to the full one when a feature or a model needs it,
// keeping the data, the model and the last CV.
//   node --test tests/e2e/cv_pool.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, launch, openPage } from './harness.mjs';

const BREAST = join(ROOT, 'www', 'datasets', 'breast_cancer.csv');
const DIABETES = join(ROOT, 'www', 'datasets', 'diabetes.csv');
const IRIS = join(ROOT, 'www', 'datasets', 'iris.csv');

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

async function load(file, name, rows, target) {
  await page.setInputFiles('#csv-file', file);
  await page.waitForFunction(([n, r]) => document.querySelector('#data-info')?.textContent.startsWith(`${n}: ${r} rows`), [name, rows], { timeout: 60_000 });
  await page.selectOption('#target-select', target);
}

/** Trains with the pool policy given ('never' | 'always'); returns {workers, report} of the CV. */
async function train(policy) {
  await page.evaluate((p) => {
    window.pipelabCvPool = p;
    window.pipelabCvPoolLast = null;
  }, policy);
  await page.click('#train');
  await page.waitForFunction(() => window.pipelabCvPoolLast || document.querySelector('#progress-text')?.textContent.startsWith('failed'), null, { timeout: 120_000 });
  await page.waitForFunction(() => !document.querySelector('#train').disabled, null, { timeout: 120_000 });
  const err = await page.textContent('#train-error');
  assert.equal(await page.isHidden('#train-error'), true, `training failed: ${err}`);
  return page.evaluate(() => window.pipelabCvPoolLast);
}

/** The modules of the page's worker clients (main worker and pools). */
const clientModules = () => page.evaluate(() => window.pipelabClients.map((r) => r.deref()).filter(Boolean).map((c) => c.module));

// First, on the fresh page: the first module leaves the forests to the full one (Cargo feature
// `full-components`), so the core worker answers this spec with `need_full` and the session moves.
test('iris: a RandomForestClassifier (a model only the full module has) cross-validates from a fresh page', async () => {
  assert.deepEqual([...new Set(await clientModules())], ['core']);
  await load(IRIS, 'iris.csv', 150, 'species');
  await page.selectOption('#model-select', 'RandomForestClassifier');
  const { workers, report } = await train('never');
  assert.equal(workers, 0);
  assert.equal(report.folds.length, 5);
  assert.ok(report.metrics.accuracy.mean > 0.9, `accuracy ${report.metrics.accuracy.mean}`);
  assert.match(await page.textContent('#progress-text'), /^done in /);
  assert.ok((await clientModules()).includes('full'));
  assert.deepEqual(pageErrors, []);
});

const withoutTimes = (r) => ({ ...r, folds: r.folds.map(({ fit_time_ms, score_time_ms, ...f }) => f) });

for (const [file, name, rows, target, model] of [
  [BREAST, 'breast_cancer.csv', 569, 'diagnosis', 'LogisticRegression'],
  [DIABETES, 'diabetes.csv', 442, 'target', 'RandomForestRegressor'],
]) {
  test(`${name}: ${model} cross-validated fold by fold on the pool equals the single worker`, async () => {
    await load(file, name, rows, target);
    await page.selectOption('#model-select', model);
    const single = await train('never');
    assert.equal(single.workers, 0);
    const pooled = await train('always');
    assert.ok(pooled.workers >= 2, `ran on ${pooled.workers} pool workers`);
    assert.ok(single.report.folds.length >= 3);
    assert.deepEqual(withoutTimes(pooled.report), withoutTimes(single.report));
    // The page shows the pooled report, and the fold count of the progress line.
    assert.match(await page.textContent('#progress-text'), /^done in /);
    // The main worker keeps the pooled CV as its last one: the diagnostics (full module) and fit use it.
    assert.equal(await page.isHidden('#eval-diagnostics'), false);
  });
}

test('the full module takes over the data, the last CV and the model', async () => {
  await load(BREAST, 'breast_cancer.csv', 569, 'diagnosis');
  await page.selectOption('#model-select', 'LogisticRegression');
  await train('never'); // the diagnostics after it switch the worker to the full module
  const mods = await page.evaluate(() => window.pipelabClients.map((r) => r.deref()).filter(Boolean).map((c) => c.module));
  assert.ok(mods.includes('full'), `clients' modules: ${mods}`);
  // Fitting the same spec in the full worker finds the CV run before the switch (restored there)
  // and the data (re-read there): the model file holds that CV's metrics and all 569 rows.
  const spec = await page.inputValue('#spec-json');
  const model = await page.evaluate(async (spec) => {
    const c = window.pipelabClients.map((r) => r.deref()).find((x) => x?.module === 'full');
    return JSON.parse(await c.call('fit', { spec }));
  }, spec);
  assert.equal(model.n_train_rows, 569);
  const cv = await page.evaluate(() => window.pipelabCvPoolLast.report.metrics);
  assert.deepEqual(Object.keys(model.cv_metrics).sort(), Object.keys(cv).sort());
  for (const k of Object.keys(cv)) assert.equal(model.cv_metrics[k].mean, cv[k].mean, k);
  assert.deepEqual(pageErrors, []);
});
