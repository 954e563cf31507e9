// End-to-end: the served page in headless Chromium (Debian's), driven by
// playwright-core. Run by scripts/test.sh, which serves the page and sets
// PIPELAB_URL; without it this test serves the repository itself.
//
//   node --test tests/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage, checkAxe } from './harness.mjs';

const DIABETES = join(ROOT, 'www', 'datasets', 'diabetes.csv');
// Oracle entry a_diabetes_poly2_linreg (tests/fixtures/reference_shared.json): 5-fold KFold RMSE mean.
const ORACLE_RMSE_MEAN = 59.00219277731683;

let harness;
let page;
const pageErrors = [];
const dialogs = [];

/** A fresh page on the served app (errors and dialogs recorded for the final check). */
const freshPage = () => openPage(harness.context, harness.base, pageErrors, dialogs);

const sig4 = (x) => Number(Number(x).toPrecision(4));

/** Chooses StandardScaler + PolynomialFeatures(2) + LinearRegression, KFold(5), RMSE. */
async function configureDiabetesPipeline(p) {
  await p.selectOption('#target-select', 'target');
  await p.setChecked('#use-preprocess', false);
  // Remove any steps a previous run left, then add ours.
  while (await p.locator('#steps-list li.step').count()) await p.locator('#steps-list li.step .remove').first().click();
  await p.selectOption('#add-step-select', 'StandardScaler');
  await p.click('#add-step');
  await p.selectOption('#add-step-select', 'PolynomialFeatures');
  await p.click('#add-step');
  await p.fill('[data-testid="step-1"] [data-param="degree"]', '2');
  await p.selectOption('#model-select', 'LinearRegression');
  await p.selectOption('#cv-splitter', 'KFold');
  await p.fill('#cv-n-splits', '5');
  await p.setChecked('#cv-shuffle', false);
  await p.setChecked('#metric-rmse', true);
}

async function trainAndReadRmse(p) {
  await p.click('#train');
  await p.waitForFunction(() => document.querySelector('#progress-text')?.textContent.startsWith('done'), null, { timeout: 60_000 });
  return Number(await p.textContent('[data-testid="mean-rmse"]'));
}

async function loadCsv(p, file) {
  await p.setInputFiles('#csv-file', file);
}

before(async () => {
  harness = await launch({ acceptDownloads: true });
  page = await freshPage();
  await checkAxe(page, 'after load');
});

after(async () => {
  await harness?.close();
});

test('diabetes: StandardScaler + PolynomialFeatures(2) + LinearRegression gives the oracle RMSE', async () => {
  await loadCsv(page, DIABETES);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('diabetes.csv: 442 rows'));
  assert.equal(await page.locator('#columns-table tbody tr').count(), 11);
  await configureDiabetesPipeline(page);

  const spec = JSON.parse(await page.inputValue('#spec-json'));
  assert.deepEqual(spec.steps, [{ StandardScaler: {} }, { PolynomialFeatures: {} }]); // degree 2 is the default, so not repeated
  assert.deepEqual(spec.model, { LinearRegression: {} });
  assert.deepEqual(spec.cv, { KFold: { n_splits: 5 } });
  assert.equal(spec.target, 'target');
  assert.equal(spec.preprocess, undefined);

  const rmse = await trainAndReadRmse(page);
  assert.equal(sig4(rmse), sig4(ORACLE_RMSE_MEAN), `RMSE shown ${rmse}, oracle ${ORACLE_RMSE_MEAN}`);
  assert.equal(await page.locator('#folds-table tbody tr').count(), 5);
  assert.equal(await page.getAttribute('#progress', 'value'), '5');
  assert.equal(await page.isVisible('#fold-chart'), true);
});

let modelPath;
let pagePredictions;

test('download the model, load it back in a fresh page, predict and download the predictions', async () => {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
  assert.match(dl.suggestedFilename(), /^pipelab-model-diabetes-LinearRegression\.json$/);
  mkdirSync(RESULTS, { recursive: true });
  modelPath = join(RESULTS, dl.suggestedFilename());
  await dl.saveAs(modelPath);
  const model = JSON.parse(readFileSync(modelPath, 'utf8'));
  assert.equal(model.format, 'pipelab-model');
  assert.equal(model.format_version, 2);
  assert.deepEqual(Object.keys(model.spec.model), ['LinearRegression']);
  assert.equal(sig4(model.cv_metrics.rmse.mean), sig4(ORACLE_RMSE_MEAN), 'the CV metrics travel with the model');
  assert.equal(model.n_train_rows, 442);

  // The fitted model is also the page's current model: predict the loaded data.
  await page.click('#predict-loaded');
  await page.waitForFunction(() => document.querySelector('#predictions-info')?.textContent.startsWith('442 predictions'));
  const [dl1] = await Promise.all([page.waitForEvent('download'), page.click('#download-predictions')]);
  pagePredictions = readFileSync(await dl1.path(), 'utf8');

  // A fresh page (new worker, new wasm session) loads the file and predicts a CSV.
  const fresh = await freshPage();
  await fresh.setInputFiles('#model-file', modelPath);
  await fresh.waitForSelector('#model-summary[data-loaded="true"]');
  const summary = await fresh.textContent('#model-summary');
  assert.match(summary, /LinearRegression/);
  assert.match(summary, /predicting target/);
  await fresh.setInputFiles('#predict-file', DIABETES);
  await fresh.waitForFunction(() => document.querySelector('#predictions-info')?.textContent.startsWith('442 predictions'));
  const [dl2] = await Promise.all([fresh.waitForEvent('download'), fresh.click('#download-predictions')]);
  assert.equal(dl2.suggestedFilename(), 'diabetes-predictions.csv');
  const csv = readFileSync(await dl2.path(), 'utf8');
  await fresh.close();

  const lines = csv.trim().split(/\r?\n/);
  assert.equal(lines.length, 443, 'header + 442 rows');
  const header = lines[0].split(',');
  const pi = header.indexOf('prediction');
  const ti = header.indexOf('target');
  assert.ok(pi >= 0, `a prediction column: ${header}`);
  let sse = 0;
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const p = Number(f[pi]);
    assert.ok(Number.isFinite(p), `finite prediction in ${line}`);
    sse += (p - Number(f[ti])) ** 2;
  }
  const trainRmse = Math.sqrt(sse / 442);
  assert.ok(trainRmse > 30 && trainRmse < ORACLE_RMSE_MEAN, `training RMSE ${trainRmse} should be below the CV RMSE`);
  assert.equal(csv, pagePredictions, 'the reloaded model predicts exactly what the trained one did');
});

test('a malformed CSV shows a readable error and the page keeps its data and keeps working', async () => {
  await page.setInputFiles('#csv-file', { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,c\n1,2,3\n4,5\n6,7,8\n') });
  await page.waitForSelector('#data-error:not([hidden])');
  const err = await page.textContent('#data-error');
  assert.match(err, /broken\.csv/);
  assert.match(err, /line 3/);
  assert.match(err, /still loaded/);
  mkdirSync(RESULTS, { recursive: true });
  await page.locator('#data-section').screenshot({ path: join(RESULTS, 'malformed-csv.png') });
  assert.match(await page.textContent('#data-info'), /diabetes\.csv: 442 rows/);
  assert.equal(await page.locator('#columns-table tbody tr').count(), 11);
  const rmse = await trainAndReadRmse(page);
  assert.equal(sig4(rmse), sig4(ORACLE_RMSE_MEAN));

  // The error's advice works: with 'skip malformed rows' the file loads and the skipped line is listed.
  await page.setChecked('#skip-malformed', true);
  await page.setInputFiles('#csv-file', { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,c\n1,2,3\n4,5\n6,7,8\n') });
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('broken.csv: 2 rows'));
  assert.match(await page.textContent('#read-warnings'), /skipped 1 malformed row/);
  await page.setChecked('#skip-malformed', false);
  await loadCsv(page, DIABETES);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('diabetes.csv: 442 rows'));
  await configureDiabetesPipeline(page);
  assert.equal(sig4(await trainAndReadRmse(page)), sig4(ORACLE_RMSE_MEAN));

  // A bad choice (a parameter out of range) is a readable error too; fixing it works.
  await page.fill('[data-testid="step-1"] [data-param="degree"]', '2.5');
  await page.click('#train');
  await page.waitForSelector('#train-error:not([hidden])');
  assert.match(await page.textContent('#train-error'), /PolynomialFeatures: parameter 'degree'/);
  await page.fill('[data-testid="step-1"] [data-param="degree"]', '2');
  assert.equal(sig4(await trainAndReadRmse(page)), sig4(ORACLE_RMSE_MEAN));
  assert.equal(await page.isHidden('#train-error'), true);

  // A bad model file: readable error, the model in use stays.
  await page.setInputFiles('#model-file', { name: 'not-a-model.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await page.waitForSelector('#predict-error:not([hidden])');
  assert.match(await page.textContent('#predict-error'), /model file: field 'format' is missing/);
});

test('cancel keeps the data; column names are shown as text, never as HTML', async () => {
  // Cancel right after Train (same task, so the run is certainly still pending):
  // the worker is replaced, gets the data back, and training works again.
  await page.evaluate(() => {
    document.querySelector('#train').click();
    document.querySelector('#cancel').click();
  });
  await page.waitForFunction(() => document.querySelector('#progress-text').textContent === 'cancelled; your data is still loaded');
  assert.equal(await page.isHidden('#train-error'), true);
  assert.match(await page.textContent('#data-info'), /diabetes\.csv: 442 rows/);
  assert.equal(sig4(await trainAndReadRmse(page)), sig4(ORACLE_RMSE_MEAN));

  const evil = '<img src=x onerror=alert(1)>';
  await page.setInputFiles('#csv-file', { name: '<b>evil</b>.csv', mimeType: 'text/csv', buffer: Buffer.from(`"${evil}",y\n1,2\n2,4\n3,6\n4,8\n5,10\n6,12\n`) });
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('6 rows'));
  assert.equal(await page.locator('#columns-table img, #preview-table img, #data-info b').count(), 0);
  assert.equal(await page.textContent('#columns-table tbody tr:first-child label'), evil);
  assert.match(await page.textContent('#data-info'), /<b>evil<\/b>\.csv/);
  assert.deepEqual(dialogs, []);

  // Back to diabetes for the screenshot.
  await loadCsv(page, DIABETES);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('diabetes.csv: 442 rows'));
  await configureDiabetesPipeline(page);
  await trainAndReadRmse(page);
  await page.click('#predict-loaded');
  await page.waitForFunction(() => document.querySelector('#predictions-info')?.textContent.startsWith('442 predictions'));
  mkdirSync(RESULTS, { recursive: true });
  await checkAxe(page, 'after CV (diabetes)');
  await page.screenshot({ path: join(RESULTS, 'pipelab.png'), fullPage: true });
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});
