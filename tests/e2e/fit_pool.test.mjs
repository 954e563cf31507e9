// End-to-end: a random forest's fit on all rows grows its trees on the page's
// worker pool (www/fit_pool.js) — the model view after Train and the model the
// Download button fits — and KMeans' restarts run there when a clustering is
// trained; either model file is byte for byte the one the page's single worker
// writes.
//   node --test tests/e2e/fit_pool.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, launch, openPage } from './harness.mjs';

const DIABETES = join(ROOT, 'www', 'datasets', 'diabetes.csv');
const WINE = join(ROOT, 'www', 'datasets', 'wine.csv');

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

test('diabetes: a RandomForestRegressor fitted on the pool writes the single worker\'s model file', async () => {
  await page.setInputFiles('#csv-file', DIABETES);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.startsWith('diabetes.csv: 442 rows'), null, { timeout: 60_000 });
  await page.selectOption('#target-select', 'target');
  await page.selectOption('#model-select', 'RandomForestRegressor');
  // The pool is used whatever the data's size (test hook of www/cv_pool.js).
  await page.evaluate(() => {
    window.pipelabCvPool = 'always';
    window.pipelabFitPoolLast = null;
  });
  await page.click('#train');
  // After the CV, the model view fits on all rows: its trees on the pool.
  await page.waitForFunction(() => window.pipelabFitPoolLast && !document.querySelector('#model-view').hidden, null, { timeout: 120_000 });
  const viewed = await page.evaluate(() => window.pipelabFitPoolLast);
  assert.ok(viewed.workers >= 2, `the model view's trees on ${viewed.workers} workers`);
  assert.deepEqual(viewed.parts.flat()[0], 0);
  assert.equal(viewed.parts.at(-1)[1], 100, 'every one of the 100 trees');
  await page.waitForFunction(() => !document.querySelector('#train').disabled, null, { timeout: 120_000 });

  // Download: the model fitted with the pool's trees.
  await page.evaluate(() => {
    window.pipelabFitPoolLast = null;
  });
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click('#download-model')]);
  const pooled = await readFile(await dl.path(), 'utf8');
  const ran = await page.evaluate(() => window.pipelabFitPoolLast);
  assert.ok(ran?.workers >= 2, 'the download fitted its trees on the pool');

  // The same spec fitted whole on the page's worker.
  const spec = await page.inputValue('#spec-json');
  const single = await page.evaluate(async (s) => {
    const c = window.pipelabClients.map((r) => r.deref()).find((x) => x?.module === 'full');
    return c.call('fit', { spec: s });
  }, spec);
  const model = JSON.parse(pooled);
  assert.equal(model.n_train_rows, 442);
  assert.equal(model.pipeline.model.Fitted.RandomForestRegressor.trees.length, 100);
  assert.ok(pooled === single, 'the pooled model file equals the single worker\'s, byte for byte');
  assert.deepEqual(pageErrors, []);
});

test('wine: KMeans with 10 random starts runs its restarts on the pool and keeps the single worker\'s model and view', async () => {
  await page.setInputFiles('#csv-file', WINE);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.startsWith('wine.csv: 178 rows'), null, { timeout: 60_000 });
  await page.selectOption('#task-select', 'clustering');
  await page.selectOption('#model-select', 'KMeans');
  await page.fill('#model-params [data-param="n_clusters"]', '4');
  await page.selectOption('#model-params [data-param="init"]', 'random');
  await page.fill('#model-params [data-param="random_state"]', '3');
  await page.evaluate(() => {
    window.pipelabCvPool = 'always';
    window.pipelabFitPoolLast = null;
  });
  await page.click('#train');
  await page.waitForSelector('#cluster-view:not([hidden]) [data-testid="cluster-metrics"]', { timeout: 120_000 });
  const ran = await page.evaluate(() => window.pipelabFitPoolLast);
  assert.ok(ran?.workers >= 2, `the restarts on ${ran?.workers} workers`);
  assert.deepEqual([ran.parts[0][0], ran.parts.at(-1)[1]], [0, 10], 'every one of the 10 restarts ("auto" for random starts)');
  const shown = Number(await page.locator('[data-testid="cluster-metric-inertia"]').getAttribute('data-value'));
  await page.waitForFunction(() => !document.querySelector('#train').disabled, null, { timeout: 120_000 });

  // The session's model (Download) against the same spec clustered whole on the page's worker.
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click('#download-model')]);
  const pooled = await readFile(await dl.path(), 'utf8');
  const spec = await page.inputValue('#spec-json');
  const single = await page.evaluate(async (s) => {
    const c = window.pipelabClients.map((r) => r.deref()).find((x) => x?.module === 'full');
    return c.call('fit_clustering', { spec: s });
  }, spec);
  assert.equal(JSON.parse(spec).model.KMeans.init, 'random');
  assert.ok(pooled === single.model_text, 'the pooled model file equals the single worker\'s, byte for byte');
  assert.equal(shown, single.view.report.metrics.inertia, 'the inertia shown is the single worker\'s');
  assert.deepEqual(pageErrors, []);
});
