// End-to-end: the evaluation pictures and validation options (issue 6) in
// headless Chromium (Debian's), driven by playwright-core. Serves the
// repository itself unless PIPELAB_URL is set. Screenshots: test-results/eval-*.png.
//
//   node --test tests/e2e/eval.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage, checkAxe } from './harness.mjs';

const DATA = (n) => join(ROOT, 'www', 'datasets', `${n}.csv`);
const ORACLE = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'reference_shared.json'), 'utf8').replace(/-?Infinity/g, 'null'));

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

async function load(name, rows) {
  await page.setInputFiles('#csv-file', DATA(name));
  await page.waitForFunction((t) => document.querySelector('#data-info')?.textContent.includes(t), `${name}.csv: ${rows} rows`);
}

/** StandardScaler + model, splitter, metrics. */
async function configure({ target, model, params = {}, splitter, metrics }) {
  await page.selectOption('#target-select', target);
  await page.setChecked('#use-preprocess', false);
  while (await page.locator('#steps-list li.step').count()) await page.locator('#steps-list li.step .remove').first().click();
  await page.selectOption('#add-step-select', 'StandardScaler');
  await page.click('#add-step');
  await page.selectOption('#model-select', model);
  for (const [k, v] of Object.entries(params)) await page.fill(`#model-params [data-param="${k}"]`, String(v));
  await page.selectOption('#cv-splitter', splitter);
  await page.fill('#cv-n-splits', '5');
  await page.setChecked('#cv-shuffle', false);
  await page.setChecked('#holdout-use', false);
  for (const box of await page.locator('#metrics input').all()) await box.setChecked(metrics.includes(await box.getAttribute('value')));
}

async function train() {
  await page.click('#train');
  await page.waitForFunction(() => /^(done|failed)/.test(document.querySelector('#progress-text')?.textContent ?? ''), null, { timeout: 60_000 });
  const err = await page.textContent('#train-error');
  assert.equal(await page.isHidden('#train-error'), true, `training failed: ${err}`);
  await page.waitForSelector('[data-testid="eval-diagnostics"] figure', { timeout: 30_000 });
}

async function shot(testid, file) {
  const loc = page.locator(`[data-testid="${testid}"]`);
  await loc.scrollIntoViewIfNeeded();
  await checkAxe(page, `evaluation: ${file}`, `[data-testid="${testid}"]`);
  await loc.screenshot({ path: join(RESULTS, file) });
}

const data = async (testid, key) => JSON.parse(await page.getAttribute(`[data-testid="${testid}"]`, `data-${key}`));

test('breast cancer (binary): confusion matrix, ROC with the oracle AUC, PR, learning and validation curves', async () => {
  await load('breast_cancer', 569);
  await configure({ target: 'diagnosis', model: 'LogisticRegression', params: { max_iter: 1000 }, splitter: 'StratifiedKFold', metrics: ['accuracy', 'roc_auc', 'average_precision'] });
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  assert.deepEqual(spec.cv, { StratifiedKFold: { n_splits: 5 } });
  await train();
  const e = ORACLE.entries.b_breast_cancer_std_logreg.results.cv;
  // ROC: one curve (positive class M); the mean of its per-fold AUCs is the oracle's roc_auc mean.
  const auc = await data('eval-roc', 'auc');
  assert.equal(auc.length, 1);
  assert.equal(auc[0].class, 'M');
  assert.ok(Math.abs(auc[0].folds_mean - e.roc_auc.mean) < 1e-9, `AUC folds mean ${auc[0].folds_mean} vs oracle ${e.roc_auc.mean}`);
  assert.ok(auc[0].area > 0.98 && auc[0].area <= 1);
  assert.equal(Number(await page.textContent('[data-testid="mean-roc_auc"]')).toPrecision(5), e.roc_auc.mean.toPrecision(5));
  // Confusion: 569 rows; the diagonal gives the accuracy (within a row: fold sizes differ by one).
  const m = await data('eval-confusion', 'matrix');
  assert.equal(m.flat().reduce((a, b) => a + b, 0), 569);
  assert.ok(Math.abs((m[0][0] + m[1][1]) / 569 - e.accuracy.mean) < 2e-3);
  const ap = await data('eval-pr', 'ap');
  assert.ok(Math.abs(ap[0].folds_mean - Number(await page.textContent('[data-testid="mean-average_precision"]'))) < 1e-5);
  // Per-fold chart with mean ± std, then the heatmap normalized by true class.
  await shot('eval-folds', 'eval-folds.png');
  await shot('eval-confusion', 'eval-confusion-counts.png');
  await page.selectOption('[data-testid="confusion-normalize"]', 'true');
  await shot('eval-confusion', 'eval-confusion-normalized.png');
  await shot('eval-roc', 'eval-roc-binary.png');
  await shot('eval-pr', 'eval-pr-binary.png');

  // Learning curve without shuffling: at the full size it is the plain CV accuracy.
  await page.setChecked('#lc-shuffle', false);
  await page.click('#lc-run');
  await page.waitForSelector('[data-testid="eval-learning"]', { timeout: 60_000 });
  const lc = await data('eval-learning', 'curve');
  assert.deepEqual(lc.x, [45, 147, 250, 352, 455]);
  assert.ok(Math.abs(lc.test[4] - e.accuracy.mean) < 1e-9, `learning curve at full size ${lc.test[4]} vs CV ${e.accuracy.mean}`);
  await shot('eval-learning', 'eval-learning.png');

  // Validation curve over C (the model's schema offers it).
  assert.equal(await page.inputValue('#vc-param'), 'model__C');
  await page.fill('#vc-values', '0.001, 0.01, 0.1, 1, 10, 100');
  await page.click('#vc-run');
  await page.waitForSelector('[data-testid="eval-validation"]', { timeout: 60_000 });
  const vc = await data('eval-validation', 'curve');
  assert.equal(vc.x.length, 6);
  assert.ok(Math.abs(vc.test[3] - e.accuracy.mean) < 1e-9, 'C=1 is the plain CV score');
  assert.ok(vc.train[0] < vc.train[5], 'training score grows with C');
  await shot('eval-validation', 'eval-validation.png');
  await shot('eval-curves', 'eval-curves-panel.png');
});

test('iris (multiclass): 3×3 confusion and one ROC / PR curve per class', async () => {
  await load('iris', 150);
  await configure({ target: 'species', model: 'LogisticRegression', params: { max_iter: 1000 }, splitter: 'StratifiedKFold', metrics: ['accuracy', 'roc_auc'] });
  await train();
  const m = await data('eval-confusion', 'matrix');
  assert.deepEqual(m.map((r) => r.reduce((a, b) => a + b, 0)), [50, 50, 50]);
  assert.equal(m[0][0] + m[1][1] + m[2][2], 144); // oracle b_iris_std_logreg accuracy 0.96
  const auc = await data('eval-roc', 'auc');
  assert.deepEqual(auc.map((c) => c.class), ['setosa', 'versicolor', 'virginica']);
  const macro = auc.reduce((a, c) => a + c.folds_mean, 0) / 3;
  assert.ok(Math.abs(macro - ORACLE.entries.b_iris_std_logreg.results.cv.roc_auc.mean) < 1e-9);
  await shot('eval-confusion', 'eval-confusion-iris.png');
  await shot('eval-roc', 'eval-roc-iris.png');
  await shot('eval-pr', 'eval-pr-iris.png');
  await page.locator('#results-section').screenshot({ path: join(RESULTS, 'eval-results-iris.png') });
});

test('iris with a hold-out part: the final score is shown apart, CV runs on the rest', async () => {
  await page.setChecked('#holdout-use', true);
  await page.fill('#holdout-test-size', '0.2');
  await page.setChecked('#holdout-stratify', true);
  await page.fill('#holdout-random-state', '1');
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  assert.deepEqual(spec.holdout, { test_size: 0.2, stratify: true, shuffle: true, random_state: 1 });
  await train();
  assert.equal(await page.isVisible('[data-testid="holdout-result"]'), true);
  assert.match(await page.textContent('[data-testid="holdout-result"]'), /30 rows were set aside.*other 120/);
  const acc = Number(await page.textContent('[data-testid="holdout-accuracy"]'));
  assert.ok(acc >= 0.8 && acc <= 1, `held-out accuracy ${acc}`);
  assert.match(await page.textContent('#results-info'), /120 rows/);
  const m = await data('eval-confusion', 'matrix');
  assert.equal(m.flat().reduce((a, b) => a + b, 0), 120);
  await shot('holdout-result', 'eval-holdout.png');
  await page.setChecked('#holdout-use', false);
});

test('the splitter options build the spec blocks', async () => {
  const cv = async () => JSON.parse(await page.inputValue('#spec-json')).cv;
  await page.selectOption('#cv-splitter', 'RepeatedStratifiedKFold');
  await page.fill('#cv-n-repeats', '2');
  await page.fill('#cv-random-state', '4');
  assert.deepEqual(await cv(), { RepeatedStratifiedKFold: { n_splits: 5, n_repeats: 2, random_state: 4 } });
  await page.selectOption('#cv-splitter', 'StratifiedShuffleSplit');
  await page.fill('#cv-test-size', '0.25');
  assert.deepEqual(await cv(), { StratifiedShuffleSplit: { n_splits: 5, test_size: 0.25, random_state: 4 } });
  await page.selectOption('#cv-splitter', 'LeaveOneOut');
  assert.deepEqual(await cv(), { LeaveOneOut: {} });
  assert.equal(await page.isHidden('#cv-n-splits'), true);
  await page.selectOption('#cv-splitter', 'GroupKFold');
  await page.selectOption('#cv-groups', 'sepal_length');
  assert.deepEqual(await cv(), { GroupKFold: { n_splits: 5, groups: 'sepal_length' } });
  await page.setChecked('#holdout-use', true);
  await shot('cv-fieldset', 'eval-validation-options.png');
  await page.setChecked('#holdout-use', false);
  // A repeated splitter runs: 10 folds, and the pictures say which repetition they show.
  await page.selectOption('#cv-splitter', 'RepeatedStratifiedKFold');
  await train();
  assert.equal(await page.locator('#folds-table tbody tr').count(), 10);
  assert.match(await page.textContent('[data-testid="eval-diagnostics"]'), /last repetition/);
  await page.fill('#cv-random-state', '');
});

test('diabetes (regression): predicted vs actual and residuals', async () => {
  await load('diabetes', 442);
  await configure({ target: 'target', model: 'LinearRegression', splitter: 'KFold', metrics: ['r2', 'rmse'] });
  await train();
  assert.equal(await page.getAttribute('[data-testid="eval-pred-actual"]', 'data-n'), '442');
  assert.equal(await page.locator('[data-testid="eval-confusion"]').count(), 0);
  await shot('eval-pred-actual', 'eval-pred-actual.png');
  await shot('eval-residuals', 'eval-residuals.png');
});

test('constant predictions: scikit-learn\'s zero-division warning is on the page', async () => {
  await load('breast_cancer', 569);
  await configure({ target: 'diagnosis', model: 'LogisticRegression', params: { C: '0.000001' }, splitter: 'StratifiedKFold', metrics: ['precision', 'accuracy'] });
  await train();
  assert.match(await page.textContent('#warnings'), /in every fold: precision: precision is ill-defined/);
  const m = await data('eval-confusion', 'matrix');
  assert.equal(m[0][1] + m[1][1], 0, 'nothing predicted M');
  await shot('warnings', 'eval-warnings.png');
});

test('a running curve can be cancelled; the data stays loaded and a curve runs again', async () => {
  // 200 values so the curve outlasts the click on a fast machine; the click happens in the page, on the
  // first animation frame after the first value is done, so no round trip lets the curve finish first.
  await page.fill('#vc-values', Array.from({ length: 200 }, (_, i) => 10 ** (-3 + i / 40)).join(', '));
  await page.click('#vc-run');
  await page.waitForFunction(() => {
    const cancel = document.querySelector('#cancel');
    if (Number(document.querySelector('#curve-progress')?.value) < 1 || !cancel || cancel.hidden) return false;
    cancel.click();
    return true;
  }, null, { timeout: 30_000, polling: 'raf' });
  await page.waitForFunction(() => document.querySelector('#curve-status')?.textContent === 'validation curve cancelled');
  await page.waitForFunction(() => document.querySelector('#progress-text')?.textContent.includes('still loaded'), null, { timeout: 30_000 });
  await page.fill('#lc-sizes', '0.5, 1');
  await page.click('#lc-run');
  await page.waitForFunction(() => /learning curve done/.test(document.querySelector('#curve-status')?.textContent ?? ''), null, { timeout: 60_000 });
  assert.deepEqual((await data('eval-learning', 'curve')).x, [227, 455]);
  assert.deepEqual(pageErrors, []);
});
