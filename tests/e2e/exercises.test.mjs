// End-to-end: the lesson on the page (issue 15 §3). The Exercises panel's four
// exercises each tick when the page sees them done (and not before: the wrong
// order of steps, a wrong RMSE, a model file the page did not save do not tick);
// the progress survives a reload; every step, model and metric shows its
// explanation and each of the seven stages its "what and why".
// A scripted walk-through of the four exercises is measured (clicks, keys, wall
// time): test-results/exercises-walkthrough.json. Screenshots: test-results/exercises-*.png.
//
//   node --test tests/e2e/exercises.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULTS, launch, openPage } from './harness.mjs';

let harness;
const pageErrors = [];
const dialogs = [];
const shot = (p, name) => p.screenshot({ path: join(RESULTS, name), fullPage: false });

before(async () => {
  harness = await launch({ acceptDownloads: true });
});

after(async () => {
  await harness?.close();
  assert.deepEqual(pageErrors, [], `page errors: ${pageErrors.join('\n')}`);
  assert.deepEqual(dialogs, []);
});

const done = (p, id) => p.getAttribute(`[data-testid="exercise-${id}"]`, 'data-done');
const waitDone = (p, id) => p.waitForSelector(`[data-testid="exercise-${id}"][data-done="true"]`, { timeout: 60_000 });

async function trained(p) {
  await p.waitForFunction(() => document.querySelector('#progress-text')?.textContent.startsWith('done'), null, { timeout: 120_000 });
}

/**
 * The walk-through a newcomer does, as the page asks for it: only what the exercises
 * say, every interaction counted (a select = 2 clicks: open, pick; a file chooser =
 * 2 clicks; typing = 1 click to focus + one key per character).
 */
test('a scripted walk-through of the four exercises ticks each one, measured', async () => {
  const context = await harness.browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  const p = await openPage(context, harness.base, pageErrors, dialogs);
  const n = { clicks: 0, keys: 0 };
  const click = async (sel) => {
    n.clicks += 1;
    await p.click(sel);
  };
  const choose = async (sel, value) => {
    n.clicks += 2;
    await p.selectOption(sel, value);
  };
  const type = async (sel, text) => {
    n.clicks += 1;
    n.keys += text.length;
    await p.fill(sel, text);
  };
  const file = async (sel, path) => {
    n.clicks += 2;
    await p.setInputFiles(sel, path);
  };
  const laps = {};
  const t0 = Date.now();
  const lap = (id) => {
    laps[id] = { ms: Date.now() - t0, clicks: n.clicks, keys: n.keys };
  };

  assert.equal(await p.isVisible('[data-testid="exercises"]'), true);
  assert.equal(await p.textContent('[data-testid="exercises-count"]'), '0 of 4 done');
  for (const id of ['build', 'rmse', 'reload', 'compare']) assert.equal(await done(p, id), 'false');

  // 1. Build: diabetes, whose target is named "target" (no question); the numeric branch
  // already scales (StandardScaler), LinearRegression is the first regression model.
  await choose('#example-select', 'diabetes.csv');
  await click('#load-example');
  await p.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('diabetes.csv: 442 rows'));
  assert.equal(await done(p, 'build'), 'false', 'loading data alone does not build the pipeline');
  await choose('#add-step-select', 'PolynomialFeatures');
  await click('#add-step');
  await waitDone(p, 'build');
  lap('build');
  const spec = JSON.parse(await p.inputValue('#spec-json'));
  assert.deepEqual(Object.keys(spec.model), ['LinearRegression']);
  assert.deepEqual(spec.steps, [{ PolynomialFeatures: {} }]);

  // 2. Cross-validate, read the mean RMSE, type it.
  await click('#train');
  await trained(p);
  const rmseText = (await p.textContent('[data-testid="mean-rmse"]')).trim();
  assert.equal(await done(p, 'rmse'), 'false', 'running the CV alone does not answer the question');
  await type('[data-testid="exercise-rmse-answer"]', rmseText);
  await waitDone(p, 'rmse');
  lap('rmse');

  // 3. Save the model file, load that file back, predict with it.
  const [dl] = await Promise.all([p.waitForEvent('download'), click('#download-model')]);
  const dir = mkdtempSync(join(tmpdir(), 'pipelab-exercises-'));
  const modelPath = join(dir, dl.suggestedFilename());
  await dl.saveAs(modelPath);
  assert.equal(await done(p, 'reload'), 'false');
  await file('#model-file', modelPath);
  await p.waitForFunction(() => document.querySelector('#model-summary')?.textContent.includes('from pipelab-model-'));
  assert.equal(await done(p, 'reload'), 'false', 'loading alone is not predicting');
  await click('#predict-loaded');
  await waitDone(p, 'reload');
  lap('reload');

  // 4. A second run with another degree, then compare the two CV runs in the history.
  await type('[data-testid="step-0"] [data-param="degree"]', '3');
  await click('#train');
  await trained(p);
  await p.waitForFunction(() => document.querySelectorAll('#runs-table tr[data-testid="run-row"]').length >= 3, null, { timeout: 30_000 });
  const cvRows = p.locator('#runs-table tr[data-testid="run-row"]').filter({ hasText: 'cv LinearRegression' });
  assert.equal(await cvRows.count(), 2);
  for (const row of await cvRows.all()) {
    n.clicks += 1;
    await row.locator('input[type="checkbox"]').check();
  }
  await click('#runs-compare');
  await waitDone(p, 'compare');
  lap('compare');
  const wallMs = Date.now() - t0;
  assert.equal(await p.textContent('[data-testid="exercises-count"]'), '4 of 4 done');
  assert.match(await p.textContent('#exercises-live'), /Exercise 4 done/);

  const measured = { clicks: n.clicks, keys: n.keys, wall_s: +(wallMs / 1000).toFixed(2), laps, rmse: rmseText };
  writeFileSync(join(RESULTS, 'exercises-walkthrough.json'), JSON.stringify(measured, null, 2));
  console.log(`exercises walk-through: ${n.clicks} clicks, ${n.keys} keys, ${measured.wall_s} s wall (${JSON.stringify(laps)})`);
  assert.ok(n.clicks <= 25, `the walk-through should take few clicks, took ${n.clicks}`);

  await p.evaluate(() => window.scrollTo(0, 0));
  await p.locator('[data-testid="exercises"]').screenshot({ path: join(RESULTS, 'exercises-done.png') });

  // The progress stays in this browser across a reload.
  await p.reload();
  await p.waitForSelector('body[data-ready="true"][data-areas="ready"]', { timeout: 60_000 });
  assert.equal(await p.textContent('[data-testid="exercises-count"]'), '4 of 4 done');
  // "Start over" clears it.
  await p.click('[data-testid="exercises-reset"]');
  assert.equal(await p.textContent('[data-testid="exercises-count"]'), '0 of 4 done');
  await context.close();
});

test('the exercises do not tick for the wrong thing', async () => {
  const context = await harness.browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  const p = await openPage(context, harness.base, pageErrors, dialogs);
  await p.selectOption('#example-select', 'diabetes.csv');
  await p.click('#load-example');
  await p.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('diabetes.csv'));
  // No scaling before the polynomial: PolynomialFeatures first, StandardScaler after it.
  await p.setChecked('#use-preprocess', false);
  for (const step of ['PolynomialFeatures', 'StandardScaler']) {
    await p.selectOption('#add-step-select', step);
    await p.click('#add-step');
  }
  assert.equal(await done(p, 'build'), 'false');
  assert.match(await p.textContent('[data-testid="exercise-build-seen"]'), /✗ PolynomialFeatures after it/);
  // LinearRegression on the diabetes target, wrong order: a CV does not count for exercise 2 either.
  await p.click('#train');
  await trained(p);
  assert.match(await p.textContent('[data-testid="exercise-rmse-seen"]'), /not of the exercise 1 pipeline/);
  // Moving the scaler up makes it right.
  await p.click('[data-testid="step-1"] button[aria-label="move StandardScaler up"]');
  await waitDone(p, 'build');
  await p.click('#train');
  await trained(p);
  const rmse = Number(await p.textContent('[data-testid="mean-rmse"]'));
  await p.fill('[data-testid="exercise-rmse-answer"]', String((rmse * 1.2).toFixed(2)));
  await p.press('[data-testid="exercise-rmse-answer"]', 'Enter');
  assert.match(await p.textContent('[data-testid="exercise-rmse-seen"]'), /Not quite/);
  assert.equal(await done(p, 'rmse'), 'false');
  // A model file this page never saved does not count for exercise 3.
  const dir = mkdtempSync(join(tmpdir(), 'pipelab-exercises-'));
  const [dl] = await Promise.all([p.waitForEvent('download'), p.click('#download-model')]);
  const path = join(dir, 'model.json');
  await dl.saveAs(path);
  const other = join(dir, 'other.json');
  const text = readFileSync(path, 'utf8');
  writeFileSync(other, JSON.stringify(JSON.parse(text), null, 1)); // the same model, but not the file that was saved
  await p.setInputFiles('#model-file', other);
  await p.waitForFunction(() => document.querySelector('#model-summary')?.textContent.includes('other.json'));
  await p.click('#predict-loaded');
  await p.waitForFunction(() => !document.querySelector('#predictions').hidden);
  assert.equal(await done(p, 'reload'), 'false');
  assert.match(await p.textContent('[data-testid="exercise-reload-seen"]'), /not one saved on this page/);
  // Two runs with the same settings compared: nothing to learn, no tick.
  const rows = p.locator('#runs-table tr[data-testid="run-row"]');
  await p.waitForFunction(() => document.querySelectorAll('#runs-table tr[data-testid="run-row"]').length >= 3);
  await p.click('#train');
  await trained(p);
  await p.waitForFunction(() => document.querySelectorAll('#runs-table tr[data-testid="run-row"]').length >= 4);
  const cv = rows.filter({ hasText: 'cv LinearRegression' });
  const ids = await cv.evaluateAll((trs) => trs.map((t) => t.dataset.runId));
  assert.ok(ids.length >= 2);
  // The last two CV runs (same spec) are the first two rows (newest first).
  for (const id of ids.slice(0, 2)) await p.check(`#runs-table tr[data-run-id="${id}"] input[type="checkbox"]`);
  await p.click('#runs-compare');
  assert.equal(await done(p, 'compare'), 'false');
  assert.match(await p.textContent('[data-testid="exercise-compare-seen"]'), /same settings/);
  await context.close();
});

test('every step, model and metric shows its explanation; the seven stages say what and why', async () => {
  const context = await harness.browser.newContext({ viewport: { width: 1360, height: 900 } });
  const p = await openPage(context, harness.base, pageErrors, dialogs);
  await p.selectOption('#example-select', 'iris.csv');
  await p.click('#load-example');
  await p.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv'));
  // Stages: each of the seven has its intro (evaluate appears with the results).
  for (const s of ['collect', 'preprocess', 'features', 'train', 'deploy', 'monitor', 'evaluate']) {
    const t = await p.textContent(`[data-testid="stage-${s}"]`);
    assert.match(t, /Why: /, `stage ${s}`);
  }
  // The palette's chosen step, every model of the picker, every step added.
  const steps = await p.$$eval('#add-step-select option', (os) => os.map((o) => o.value));
  const models = await p.$$eval('#model-select option', (os) => os.map((o) => o.value));
  assert.ok(steps.length >= 20 && models.length >= 20, `${steps.length} steps, ${models.length} models`);
  for (const s of steps) {
    await p.selectOption('#add-step-select', s);
    const t = await p.textContent('[data-testid="palette-explain"]');
    assert.match(t, new RegExp(`What is ${s}\\?What it does: .+When to use it: .+Pitfall: .+`), s);
  }
  for (const m of models) {
    await p.selectOption('#model-select', m);
    const t = await p.textContent('[data-testid="model-explain"]');
    assert.match(t, new RegExp(`What is ${m}\\?What it does: .+When to use it: .+Pitfall: .+`), m);
  }
  await p.selectOption('#model-select', 'LogisticRegression');
  await p.selectOption('#add-step-select', 'PolynomialFeatures');
  await p.click('#add-step');
  const added = p.locator('[data-testid="step-0"] details.explain');
  await added.locator('summary').click();
  assert.match(await added.textContent(), /Pitfall: the width grows fast/);
  // Every classification metric checkbox has its entry in the glossary.
  const metrics = await p.$$eval('#metrics input[type="checkbox"]', (bs) => bs.map((b) => b.value));
  const glossed = await p.$$eval('[data-testid="metrics-glossary"] dd', (dds) => dds.map((d) => d.dataset.metric));
  assert.deepEqual(glossed, metrics);
  await p.click('[data-testid="metrics-glossary"] summary');
  await p.click('[data-testid="model-explain"] summary');
  await p.locator('#pipeline-section .grid').screenshot({ path: join(RESULTS, 'exercises-explanations.png') });
  await p.click('#train');
  await trained(p);
  assert.match(await p.textContent('[data-testid="stage-evaluate"]'), /^Evaluate: cross-validation/);
  await shot(p, 'exercises-stages.png');
  await context.close();
});
