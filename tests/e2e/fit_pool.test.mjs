// End-to-end: a random forest's fit on all rows grows its trees on the page's
// worker pool (www/fit_pool.js) — the model view after Train and the model the
// Download button fits — and the model file is byte for byte the one the page's
// single worker writes.
//   node --test tests/e2e/fit_pool.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, launch, openPage } from './harness.mjs';

const DIABETES = join(ROOT, 'www', 'datasets', 'diabetes.csv');

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
