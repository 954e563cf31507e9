// End-to-end: the Monitor area. Train iris in the page, drop the fixture's
// shifted copy (sepal_length + 0.6, petal_width × 1.3) → the verdict and the
// table say what Evidently says (tests/fixtures/drift_reference.json); then
// "Retrain on this data" → a version-2 model whose lineage is shown.
//
//   node --test tests/e2e/monitor.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ROOT, RESULTS, launch, openPage, checkAxe } from './harness.mjs';

const IRIS = join(ROOT, 'www', 'datasets', 'iris.csv');
const SHIFTED = join(ROOT, 'tests', 'fixtures', 'drift', 'iris_shifted.csv');
const FIXTURE = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'drift_reference.json'), 'utf8')).cases.iris_shifted;

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

test('train iris, drop a shifted copy: verdict and table as Evidently; retrain shows the lineage', async () => {
  await page.setInputFiles('#csv-file', IRIS);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'));
  await page.selectOption('#target-select', 'species');
  await page.click('#train');
  await page.waitForFunction(() => /^(done|failed)/.test(document.querySelector('#progress-text')?.textContent ?? ''), null, { timeout: 60_000 });
  assert.equal(await page.isHidden('#train-error'), true, await page.textContent('#train-error'));

  // The Monitor fits the cross-validated spec on every row (the model "just trained") and compares.
  await page.setInputFiles('#monitor-file', SHIFTED);
  await page.waitForSelector('[data-testid="monitor-verdict"]', { timeout: 60_000 });
  assert.equal(await page.isHidden('#monitor-error'), true, await page.textContent('#monitor-error'));
  const verdict = await page.textContent('[data-testid="monitor-verdict"]');
  assert.match(verdict, /iris_shifted\.csv has drifted from the training data: 2 of 4 input columns \(50\.0 %\)/);
  assert.equal(FIXTURE.dataset_drift, true);
  assert.equal(FIXTURE.n_drifted, 2);

  // Table: drifted columns first, as Evidently flags them, with its test.
  const rows = await page.locator('[data-testid="monitor-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => ({ name: tr.dataset.column, cells: [...tr.children].map((td) => td.textContent) })));
  assert.equal(rows.length, 5, 'four inputs and the prediction');
  const flagged = rows.slice(0, 4).filter((r) => r.cells[6] === 'drifted').map((r) => r.name).sort();
  const evidently = Object.entries(FIXTURE.columns).filter(([, c]) => c.evidently.drifted).map(([n]) => n).sort();
  assert.deepEqual(flagged, evidently);
  assert.deepEqual(rows.slice(0, 2).map((r) => r.cells[6]), ['drifted', 'drifted'], 'sorted by drift');
  for (const r of rows.slice(0, 4)) {
    assert.equal(r.cells[2], 'Kolmogorov–Smirnov', `${r.name}: the test Evidently picks`);
    const want = FIXTURE.columns[r.name].evidently.score;
    const shown = Number(r.cells[4]);
    // Shown with 4 significant digits.
    assert.ok(Math.abs(shown - want) <= 5e-4 * Math.abs(want), `${r.name}: p-value shown ${shown}, Evidently ${want}`);
  }
  assert.equal(await page.locator('[data-testid="monitor-charts"] figure canvas').count(), 5, 'one overlay per column and the prediction');
  // The shifted file holds the labels: the performance comparison is shown.
  assert.match(await page.textContent('[data-testid="monitor-performance"]'), /Performance on the new labels \(120 rows with species\)/);
  const section = page.locator('#monitor-section');
  await section.scrollIntoViewIfNeeded();
  await checkAxe(page, 'monitor view (drift)', '#monitor-section');
  await section.screenshot({ path: join(RESULTS, 'monitor-drift.png') });

  // Retrain on the new data: version 2, the parent's and the file's SHA-256.
  await page.click('#monitor-retrain');
  await page.waitForSelector('[data-testid="monitor-lineage"] [data-testid="lineage"]', { timeout: 60_000 });
  assert.equal(await page.isHidden('#monitor-error'), true, await page.textContent('#monitor-error'));
  const lineage = await page.textContent('[data-testid="monitor-lineage"]');
  assert.match(lineage, /version 2/);
  const fileSha = createHash('sha256').update(readFileSync(SHIFTED)).digest('hex');
  assert.ok(lineage.includes(`iris_shifted.csv (120 rows, sha256 ${fileSha.slice(0, 12)}`), lineage);
  // The model summary (step 4) shows the lineage too.
  assert.match(await page.textContent('[data-testid="model-summary"]'), /version 2 · retrained/);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="monitor-download"]')]);
  const path = join(RESULTS, dl.suggestedFilename());
  await dl.saveAs(path);
  const model = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(model.lineage.version, 2);
  assert.equal(model.lineage.training_files[0].sha256, fileSha);
  assert.equal(model.n_train_rows, 120);
  await checkAxe(page, 'monitor view (retrain lineage)', '#monitor-section');
  await section.screenshot({ path: join(RESULTS, 'monitor-retrain.png') });
  assert.deepEqual(pageErrors, []);
});
