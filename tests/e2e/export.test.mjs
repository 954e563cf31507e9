// End-to-end: train on iris in the page, "Download ONNX", and run the file in the
// real ONNX Runtime (onnxruntime-node): its labels and probabilities equal the
// page's own predictions of the same rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage } from './harness.mjs';
import { parseCsv } from '../../www/dom.js';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
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

test('iris: train in the page, download ONNX, onnxruntime-node predicts as the page does', async () => {
  await page.setInputFiles('#csv-file', IRIS);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'));
  await page.selectOption('#target-select', 'species');
  await page.setChecked('#use-preprocess', false);
  while (await page.locator('#steps-list li.step').count()) await page.locator('#steps-list li.step .remove').first().click();
  await page.selectOption('#add-step-select', 'StandardScaler');
  await page.click('#add-step');
  await page.selectOption('#model-select', 'LogisticRegression');
  await page.click('#train');
  await page.waitForFunction(() => document.querySelector('#progress-text')?.textContent.startsWith('done'), null, { timeout: 60_000 });
  // No model yet (a CV fits none to keep): the Export area says what to do.
  await page.click('#download-onnx');
  await page.waitForSelector('#export-error:not([hidden])');
  assert.match(await page.textContent('#export-error'), /No model yet/);
  const [dlModel] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
  assert.match(dlModel.suggestedFilename(), /LogisticRegression\.json$/);

  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-onnx')]);
  assert.equal(dl.suggestedFilename(), 'pipelab-model-iris.onnx');
  const onnxPath = join(RESULTS, dl.suggestedFilename());
  await dl.saveAs(onnxPath);
  assert.match(await page.textContent('#export-status'), /saved pipelab-model-iris\.onnx/);

  // The page's own predictions of the loaded rows.
  await page.click('#predict-loaded');
  await page.waitForFunction(() => document.querySelector('#predictions-info')?.textContent.startsWith('150 predictions'));
  const [dlp] = await Promise.all([page.waitForEvent('download'), page.click('#download-predictions')]);
  const rows = parseCsv(readFileSync(await dlp.path(), 'utf8'));
  const header = rows[0];
  const body = rows.slice(1).filter((r) => r.length === header.length);
  assert.equal(body.length, 150);

  // The same rows through ONNX Runtime.
  const session = await ort.InferenceSession.create(readFileSync(onnxPath));
  assert.deepEqual([...session.inputNames].sort(), ['petal_length', 'petal_width', 'sepal_length', 'sepal_width']);
  const feeds = {};
  for (const name of session.inputNames) {
    const j = header.indexOf(name);
    feeds[name] = new ort.Tensor('float64', Float64Array.from(body, (r) => Number(r[j])), [body.length, 1]);
  }
  const out = await session.run(feeds);
  const labels = Array.from(out.label.data);
  assert.deepEqual(labels, body.map((r) => r[header.indexOf('prediction')]));
  const classes = ['setosa', 'versicolor', 'virginica'];
  assert.deepEqual(out.probabilities.dims.map(Number), [150, 3]);
  for (let i = 0; i < body.length; i++) {
    for (let c = 0; c < 3; c++) {
      const want = Number(body[i][header.indexOf(`proba_${classes[c]}`)]);
      const got = out.probabilities.data[i * 3 + c];
      assert.ok(Math.abs(want - got) <= 1e-5 * Math.max(Math.abs(want), Math.abs(got)) + 1e-12, `row ${i + 1} ${classes[c]}: page ${want}, onnxruntime ${got}`);
    }
  }
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(dialogs, []);
});
