// End-to-end: the steps area of the page (palette grouped by stage, steps in
// the ColumnTransformer branches, the transformed-table preview and the
// PCA projection), driven by playwright-core with Debian's Chromium.
//
//   node --test tests/e2e/steps.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage, checkAxe } from './harness.mjs';

const WINE = join(ROOT, 'www', 'datasets', 'wine.csv');
const TITANIC = join(ROOT, 'www', 'datasets', 'titanic_like.csv');
// Oracle entry e_wine_std_pca2 (tests/fixtures/reference_shared.json): StandardScaler -> PCA(2) on wine.
const ORACLE = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'reference_shared.json'), 'utf8').replace(/-?Infinity|NaN/g, 'null'));
const PCA2 = ORACLE.entries.e_wine_std_pca2.results;

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

async function clearSteps(p) {
  while (await p.locator('li.step .remove').count()) await p.locator('li.step .remove').first().click();
}

async function addStep(p, name, where = 'steps') {
  await p.selectOption('#add-step-select', name);
  await p.selectOption('#add-step-where', where);
  await p.click('#add-step');
}

async function preview(p) {
  await p.click('#preview');
  await p.waitForFunction(() => /reach the model/.test(document.querySelector('#preview-info')?.textContent ?? '') || !document.querySelector('#preview-error').hidden, null, { timeout: 30_000 });
  const err = await p.locator('#preview-error');
  if (await err.isVisible()) throw new Error(`preview failed: ${await err.textContent()}`);
}

test('the palette groups every step by stage, with a one-line help', async () => {
  const groups = await page.$$eval('#add-step-select optgroup', (gs) => gs.map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.value)]));
  assert.deepEqual(groups.map((g) => g[0]), ['Imputation', 'Encoding', 'Scaling', 'Outliers', 'Feature engineering', 'Selection', 'Reduction']);
  const all = groups.flatMap((g) => g[1]);
  assert.equal(all.length, 23, `every step of the catalogue: ${all}`);
  assert.deepEqual(groups.find((g) => g[0] === 'Encoding')[1], ['OneHotEncoder', 'OrdinalEncoder', 'TargetEncoder']);
  assert.deepEqual(groups.find((g) => g[0] === 'Reduction')[1], ['PCA', 'TruncatedSVD', 'LinearDiscriminantAnalysis']);
});

test('wine: StandardScaler + PCA(2) from the palette, Preview shows the oracle explained variance and the scatter', async () => {
  await page.setInputFiles('#csv-file', WINE);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('wine.csv: 178 rows'));
  await page.selectOption('#target-select', 'class');
  await page.selectOption('#add-step-select', 'RobustScaler');
  assert.match(await page.textContent('#add-step-help'), /^Scaling .*interquartile range/);
  await page.setChecked('#use-preprocess', false);
  await clearSteps(page);
  await addStep(page, 'StandardScaler');
  await addStep(page, 'PCA');
  await page.fill('[data-testid="step-1"] [data-param="n_components"]', '2');
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  assert.deepEqual(spec.steps, [{ StandardScaler: {} }, { PCA: { n_components: 2 } }]);

  await preview(page);
  const header = await page.$$eval('#transformed-table thead th', (ths) => ths.map((t) => t.textContent));
  assert.deepEqual(header, ['row', 'pca0', 'pca1']);
  assert.equal(await page.locator('#transformed-table tbody tr').count(), 12);
  assert.match(await page.textContent('#preview-info'), /^2 features reach the model · fitted on 178 rows/);
  // The first rows' scores, as shown (6 significant digits), against the oracle's sign-normalised scores.
  const first = await page.$$eval('#transformed-table tbody tr:first-child td', (tds) => tds.map((t) => t.textContent));
  assert.equal(first[0], '1');
  for (let k = 0; k < 2; k++) {
    const want = PCA2.scores_first5_sign_normalised[0][k];
    assert.ok(Math.abs(Number(first[k + 1]) - want) <= 5e-6 * Math.abs(want), `score[0][${k}] shown ${first[k + 1]}, oracle ${want}`);
  }
  for (let k = 0; k < 2; k++) {
    const shown = Number(await page.textContent(`[data-testid="evr-${k}"]`));
    const want = PCA2.explained_variance_ratio[k];
    assert.ok(Math.abs(shown - want) <= 1e-6, `explained variance ratio ${k}: shown ${shown}, oracle ${want}`);
    const ev = Number(await page.textContent(`[data-testid="ev-${k}"]`));
    assert.ok(Math.abs(ev - PCA2.explained_variance[k]) <= 1e-6 * PCA2.explained_variance[k], `explained variance ${k}: shown ${ev}`);
  }
  // The per-step table: 13 -> 13 -> 2 features, no rows dropped.
  const shapes = await page.$$eval('#preview-steps tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.deepEqual(shapes, [['steps[0]', 'StandardScaler', '13 → 13', '178 → 178'], ['steps[1]', 'PCA', '13 → 2', '178 → 178']]);

  // The scatter: one dataset per class (59 + 71 + 48 wines), actually painted.
  await page.waitForSelector('#projection[data-drawn="true"]');
  const drawn = await page.evaluate(() => {
    const canvas = document.querySelector('#projection-chart');
    const chart = window.Chart.getChart(canvas);
    const ctx = canvas.getContext('2d');
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return { sizes: chart.data.datasets.map((d) => d.data.length), labels: chart.data.datasets.map((d) => d.label), painted, bars: window.Chart.getChart(document.querySelector('#evr-chart')).data.datasets[0].data };
  });
  assert.deepEqual(drawn.sizes, [59, 71, 48]);
  assert.deepEqual(drawn.labels, ['class = 0', 'class = 1', 'class = 2']);
  assert.ok(drawn.painted > 5000, `scatter canvas has ${drawn.painted} painted pixels`);
  assert.ok(Math.abs(drawn.bars[0] - PCA2.explained_variance_ratio[0]) < 1e-12);
  // Changing the pipeline marks the preview as out of date (it is refreshed on demand only).
  assert.equal(await page.isHidden('#preview-stale'), true);
  await page.fill('[data-testid="step-1"] [data-param="n_components"]', '3');
  assert.equal(await page.isVisible('#preview-stale'), true);
  await page.fill('[data-testid="step-1"] [data-param="n_components"]', '2');
  assert.equal(await page.isHidden('#preview-stale'), true);
  mkdirSync(RESULTS, { recursive: true });
  await checkAxe(page, 'after preview (wine PCA)', '#pipeline-section');
  await page.locator('#transform-preview').screenshot({ path: join(RESULTS, 'steps.png') });
  await page.locator('#pipeline-section .grid').screenshot({ path: join(RESULTS, 'steps-palette.png') });
});

test('titanic: palette steps go into the ColumnTransformer branches; row removers are refused there', async () => {
  await page.setInputFiles('#csv-file', TITANIC);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('titanic_like.csv'));
  await page.selectOption('#target-select', 'survived');
  await clearSteps(page);
  assert.equal(await page.isChecked('#use-preprocess'), true);
  await addStep(page, 'MinMaxScaler', 'num');
  await addStep(page, 'OutlierRemover', 'num');
  assert.match(await page.textContent('#train-error'), /OutlierRemover removes training rows/);
  assert.equal(await page.locator('#num-steps-list li.step').count(), 1);
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  const num = spec.preprocess.transformers.find((t) => t.name === 'num');
  assert.deepEqual(num.steps.map((s) => Object.keys(s)[0]), ['SimpleImputer', 'StandardScaler', 'MinMaxScaler']);

  await preview(page);
  const header = await page.$$eval('#transformed-table thead th', (ths) => ths.map((t) => t.textContent));
  assert.deepEqual(header.slice(1), [
    'num__pclass', 'num__age', 'num__sibsp', 'num__parch', 'num__fare',
    'cat__sex_female', 'cat__sex_male', 'cat__embarked_C', 'cat__embarked_Q', 'cat__embarked_S', 'bool__has_cabin',
  ]);
  // MinMaxScaler last in the num branch: every numeric feature lies in [0, 1].
  const cells = await page.$$eval('#transformed-table tbody tr', (trs) => trs.map((tr) => [...tr.children].slice(1, 6).map((td) => Number(td.textContent))));
  assert.ok(cells.flat().every((v) => v >= 0 && v <= 1), `num features in [0, 1]: ${cells}`);
  assert.equal(await page.isHidden('#projection'), true);

  // TargetEncoder instead of the one-hot encoder in the cat branch: one column per input column,
  // each a (cross-fitted) survival rate in (0, 1).
  await page.selectOption('#cat-onehot', '');
  await addStep(page, 'TargetEncoder', 'cat');
  const spec2 = JSON.parse(await page.inputValue('#spec-json'));
  assert.deepEqual(spec2.preprocess.transformers.find((t) => t.name === 'cat').steps, [{ SimpleImputer: { strategy: 'most_frequent' } }, { TargetEncoder: {} }]);
  await preview(page);
  const header2 = await page.$$eval('#transformed-table thead th', (ths) => ths.map((t) => t.textContent));
  assert.deepEqual(header2.slice(6), ['cat__sex', 'cat__embarked', 'bool__has_cabin']);
  const te = await page.$$eval('#transformed-table tbody tr', (trs) => trs.map((tr) => [...tr.children].slice(6, 8).map((td) => Number(td.textContent))));
  assert.ok(te.flat().every((v) => v > 0 && v < 1), `target-encoded survival rates: ${te}`);
  assert.deepEqual(pageErrors, []);
});
