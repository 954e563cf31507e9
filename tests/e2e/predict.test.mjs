// End-to-end: the current model (#15 §4, §1). "Predict the loaded data" works right
// after training, with no download first; the Cancel button shows only while something
// runs; a model file loaded puts its pipeline back into the editor (with data loaded,
// and when the data comes after the file). And the metrics ticked by default are the
// ones the core scores a spec without `scoring` with (#12: no second copy in the page).
//
//   node --test tests/e2e/predict.test.mjs   (the last test needs the CLI: cargo build; PIPELAB_BIN overrides the path)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage } from './harness.mjs';

const DIABETES = join(ROOT, 'www', 'datasets', 'diabetes.csv');
const IRIS = join(ROOT, 'www', 'datasets', 'iris.csv');

let harness;
let page;
const pageErrors = [];
const dialogs = [];

before(async () => {
  harness = await launch({ acceptDownloads: true });
  page = await openPage(harness.context, harness.base, pageErrors, dialogs);
});

after(async () => {
  await harness?.close();
});

const done = (p) => p.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#progress-text')?.textContent), null, { timeout: 60_000 });
const cancelShown = (p) => p.evaluate(() => {
  const b = document.querySelector('#cancel');
  return !b.hidden && getComputedStyle(b).display !== 'none';
});

test('right after training, "Predict the loaded data" predicts with the model just trained; Cancel shows only while it runs', async () => {
  await page.setInputFiles('#csv-file', IRIS);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'));
  await page.selectOption('#model-select', 'KNeighborsClassifier');
  assert.equal(await cancelShown(page), false, 'no Cancel before anything runs');
  // Train: the click sets the page busy at once, so Cancel is there in the same task.
  const during = await page.evaluate(() => {
    document.querySelector('#train').click();
    const b = document.querySelector('#cancel');
    return !b.hidden && !b.disabled && getComputedStyle(b).display !== 'none';
  });
  assert.equal(during, true, 'Cancel shows while training runs');
  await done(page);
  assert.match(await page.textContent('#progress-text'), /^done/);
  await page.waitForFunction(() => !document.querySelector('#train').disabled);
  assert.equal(await cancelShown(page), false, 'no Cancel once training is over');
  // No download, no model file: the trained pipeline predicts.
  await page.click('#predict-loaded');
  await page.waitForFunction(() => document.querySelector('#predictions-info')?.textContent.startsWith('150 predictions'));
  assert.equal(await page.isHidden('#predict-error'), true, await page.textContent('#predict-error'));
  const summary = await page.textContent('#model-summary');
  assert.match(summary, /KNeighborsClassifier predicting species · classification · from trained on this page/);
  const preds = await page.$$eval('#predictions-table tbody tr', (trs) => trs.map((tr) => tr.querySelector('td.pred').textContent));
  assert.ok(preds.length > 0 && preds.every((p) => ['setosa', 'versicolor', 'virginica'].includes(p)), `predictions ${preds}`);
  // The loaded rows hold the target column, so they are also scored, next to the CV's scores,
  // with the verdict in words (not by colour alone).
  const perf = await page.$$eval('[data-testid="predictions-performance"] tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.match(await page.textContent('[data-testid="predictions-performance"] h3'), /150 rows with species/);
  const acc = perf.find((r) => r[0] === 'accuracy');
  assert.ok(acc, `scored metrics ${JSON.stringify(perf)}`);
  assert.ok(Number(acc[1]) > 0.9 && Number(acc[1]) <= 1, `accuracy on the training rows ${acc[1]}`);
  assert.match(acc[2], /^0\.9\d+ ± 0\.\d+$/);
  assert.match(acc[3], /^(within range|dropped \(beyond 2 std\))$/);
  // Train another model: the next prediction uses it, not the one fitted for the last one.
  await page.selectOption('#model-select', 'DecisionTreeClassifier');
  await page.click('#train');
  await done(page);
  await page.waitForFunction(() => !document.querySelector('#train').disabled);
  await page.click('#predict-loaded');
  await page.waitForFunction(() => /DecisionTreeClassifier/.test(document.querySelector('#model-summary')?.textContent));
  await page.waitForFunction(() => document.querySelector('#predictions-info')?.textContent.startsWith('150 predictions'));
  // The search card's Cancel, too, is absent while no search runs.
  assert.equal(await page.isVisible('#search-cancel'), false);
  assert.deepEqual(pageErrors, []);
});

/** Builds a non-default diabetes pipeline, trains it, downloads its model file; returns {path, specText}. */
async function trainDiabetesModel(p) {
  await p.setInputFiles('#csv-file', DIABETES);
  await p.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('diabetes.csv: 442 rows'));
  await p.setChecked('#use-col-1', false); // drop "sex"
  await p.selectOption('#add-step-select', 'StandardScaler');
  await p.click('#add-step');
  await p.selectOption('#add-step-select', 'PolynomialFeatures');
  await p.click('#add-step');
  await p.fill('[data-testid="step-1"] [data-param="degree"]', '3');
  await p.selectOption('#model-select', 'Ridge');
  await p.fill('#model-params [data-param="alpha"]', '2.5');
  await p.selectOption('#cv-splitter', 'KFold');
  await p.fill('#cv-n-splits', '4');
  await p.setChecked('#metric-mae', true);
  const specText = await p.inputValue('#spec-json');
  await p.click('#train');
  await done(p);
  const [dl] = await Promise.all([p.waitForEvent('download'), p.click('#download-model')]);
  const path = join(RESULTS, `predict-test-${dl.suggestedFilename()}`);
  await dl.saveAs(path);
  return { path, specText };
}

test('a model file loaded puts its pipeline back into the editor: with data loaded, and when the data comes after', async () => {
  const { path, specText } = await trainDiabetesModel(page);
  const spec = JSON.parse(specText);
  assert.deepEqual(spec.steps, [{ StandardScaler: {} }, { PolynomialFeatures: { degree: 3 } }]);
  assert.deepEqual(spec.model, { Ridge: { alpha: 2.5 } });
  assert.deepEqual(spec.drop, ['sex']);
  const model = JSON.parse(readFileSync(path, 'utf8'));
  assert.deepEqual(Object.keys(model.spec.model), ['Ridge']);

  // A fresh page with the data loaded first: the editor starts from its defaults...
  const fresh = await openPage(harness.context, harness.base, pageErrors, dialogs);
  await fresh.setInputFiles('#csv-file', DIABETES);
  await fresh.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('diabetes.csv: 442 rows'));
  assert.notEqual(await fresh.inputValue('#spec-json'), specText);
  // ...and the model file brings back the pipeline it was trained from.
  await fresh.setInputFiles('#model-file', path);
  await fresh.waitForSelector('#model-summary[data-loaded="true"]');
  await fresh.waitForFunction(() => /now in the editor/.test(document.querySelector('#model-restore')?.textContent));
  assert.deepEqual(JSON.parse(await fresh.inputValue('#spec-json')), spec);
  assert.equal(await fresh.isChecked('#use-col-1'), false, 'the dropped column stays unticked');
  assert.equal(await fresh.inputValue('[data-testid="step-1"] [data-param="degree"]'), '3');
  await fresh.close();

  // The file first, the data after: the pipeline comes back once the data is loaded.
  const early = await openPage(harness.context, harness.base, pageErrors, dialogs);
  await early.setInputFiles('#model-file', path);
  await early.waitForFunction(() => /when data is loaded/.test(document.querySelector('#model-restore')?.textContent));
  await early.setInputFiles('#csv-file', DIABETES);
  await early.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('diabetes.csv: 442 rows'));
  await early.waitForFunction(() => document.querySelector('#spec-json')?.value.includes('Ridge'));
  assert.deepEqual(JSON.parse(await early.inputValue('#spec-json')), spec);
  assert.match(await early.textContent('#model-restore'), /now in the editor/);
  // The loaded model predicts the data straight away.
  await early.click('#predict-loaded');
  await early.waitForFunction(() => document.querySelector('#predictions-info')?.textContent.startsWith('442 predictions'));
  await early.screenshot({ path: join(RESULTS, 'predict-restored.png'), fullPage: false });
  await early.close();

  // A model of other data: the editor is left alone and the note says why.
  await page.setInputFiles('#csv-file', IRIS);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'));
  const before = await page.inputValue('#spec-json');
  await page.setInputFiles('#model-file', path);
  await page.waitForFunction(() => /no column "target"/.test(document.querySelector('#model-restore')?.textContent));
  assert.equal(await page.inputValue('#spec-json'), before);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(dialogs, []);
});

/** The metrics `pipelab cv` reports for a spec without `scoring`, in the order it lists them. */
function cliDefaultMetrics(data, spec) {
  const candidates = [process.env.PIPELAB_BIN, join(ROOT, 'target', 'release', 'pipelab'), join(ROOT, 'target', 'debug', 'pipelab')].filter(Boolean);
  const bin = candidates.find((p) => existsSync(p));
  assert.ok(bin, `no pipelab binary (tried ${candidates.join(', ')}): run cargo build`);
  const dir = mkdtempSync(join(tmpdir(), 'pipelab-defaults-'));
  const path = join(dir, 'spec.json');
  const bare = { ...spec };
  delete bare.scoring;
  writeFileSync(path, JSON.stringify(bare));
  return Object.keys(JSON.parse(execFileSync(bin, ['cv', '--data', data, '--spec', path], { encoding: 'utf8' })).metrics).sort();
}

test('the metrics ticked by default are those the core scores a spec without scoring with', async () => {
  const p = await openPage(harness.context, harness.base, pageErrors, dialogs);
  for (const [file, rows] of [[IRIS, 150], [DIABETES, 442]]) {
    await p.setInputFiles('#csv-file', file);
    await p.waitForFunction((n) => document.querySelector('#data-info')?.textContent.includes(`: ${n} rows`), rows);
    const spec = JSON.parse(await p.inputValue('#spec-json'));
    const ticked = await p.$$eval('#metrics input:checked', (bs) => bs.map((b) => b.value));
    assert.deepEqual(spec.scoring, ticked);
    assert.deepEqual([...ticked].sort(), cliDefaultMetrics(file, spec), `${file}: the page ticks what the CLI scores by default`);
  }
  await p.close();
  assert.deepEqual(pageErrors, []);
});
