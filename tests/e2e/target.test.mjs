// End-to-end: defaults that do not mislead (issue 15 §4). A CSV whose last column
// is continuous is not silently made a regression target: the page asks "Which
// column do you want to predict? (none = find clusters)" with the guess
// preselected and the reason shown; choosing clustering with a column selected
// says plainly that the column is set aside; the first cross-validation of every
// built-in example (the example picker) ends without warnings; and a solver that
// stops early ("converged: false") is explained where it appears, with what to do.
// Screenshots: test-results/target-*.png.
//
//   node --test tests/e2e/target.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RESULTS, launch, openPage } from './harness.mjs';

const QUESTION = 'Which column do you want to predict? (none = find clusters)';

let harness;
let page;
const pageErrors = [];
const dialogs = [];

before(async () => {
  harness = await launch();
  page = await openPage(harness.context, harness.base, pageErrors, dialogs);
});

after(async () => {
  await harness?.close();
  assert.deepEqual(pageErrors, [], `page errors: ${pageErrors.join('\n')}`);
  assert.deepEqual(dialogs, []);
});

/** A CSV of `n` rows with three features and a continuous last column (no column named like a target). */
function continuousCsv(n = 60) {
  const rows = ['width,height,colour,weight'];
  for (let i = 0; i < n; i++) rows.push(`${(i % 7) + 0.5},${(i * 13) % 17},${['red', 'green', 'blue'][i % 3]},${(1.7 * i + (i % 5) * 0.31).toFixed(3)}`);
  return Buffer.from(rows.join('\n') + '\n');
}

async function loadBuffer(p, name, buffer) {
  await p.setInputFiles('#csv-file', { name, mimeType: 'text/csv', buffer });
  await p.waitForFunction((n) => document.querySelector('#data-info')?.textContent.startsWith(`${n}:`), name);
}

async function loadExample(p, file) {
  await p.selectOption('#example-select', file);
  await p.click('#load-example');
  await p.waitForFunction((f) => document.querySelector('#data-info')?.textContent.startsWith(`${f}:`), file);
}

async function trained(p) {
  await p.waitForFunction(() => /^(done|failed)/.test(document.querySelector('#progress-text')?.textContent ?? ''), null, { timeout: 180_000 });
  const text = await p.textContent('#progress-text');
  assert.match(text, /^done/, `training failed: ${await p.textContent('#train-error')}`);
}

test('a continuous last column is asked about, with the guess preselected and the reason shown', async () => {
  await loadBuffer(page, 'measures.csv', continuousCsv());
  assert.equal(await page.textContent('label[for="target-select"]'), QUESTION);
  assert.equal(await page.inputValue('#target-select'), 'weight');
  const fieldset = page.locator('#target-select').locator('xpath=ancestor::fieldset');
  assert.match(await fieldset.getAttribute('class'), /asking/);
  const q = await page.textContent('[data-testid="target-question"]');
  assert.match(q, /Preselected: weight\. Why: weight is the last column; weight is a number with 60 distinct values \(continuous\): regression\./);
  assert.match(q, /is weight really the answer you want predicted\?/);
  assert.equal(await page.textContent('#target-select option[value=""]'), '(none: find clusters)');
  await page.locator('#pipeline-section fieldset').first().screenshot({ path: join(RESULTS, 'target-question.png') });
  // Confirming answers the question.
  await page.click('[data-testid="target-confirm"]');
  assert.doesNotMatch((await fieldset.getAttribute('class')) ?? '', /asking/);
  assert.equal(await page.locator('[data-testid="target-confirm"]').count(), 0);
  // A reload of other data asks again; choosing (none) answers it with clustering.
  await loadBuffer(page, 'measures2.csv', continuousCsv(40));
  assert.match(await fieldset.getAttribute('class'), /asking/);
  await page.selectOption('#target-select', '');
  assert.doesNotMatch((await fieldset.getAttribute('class')) ?? '', /asking/);
  assert.equal(await page.inputValue('#task-select'), 'clustering');
});

test('a class column or a column named "target" is preselected without a question, the reason shown', async () => {
  await loadExample(page, 'iris.csv');
  assert.equal(await page.inputValue('#target-select'), 'species');
  assert.match(await page.textContent('[data-testid="target-reason"]'), /species is the last column; species is text with 3 classes: classification/);
  assert.equal(await page.locator('[data-testid="target-confirm"]').count(), 0);
  await loadExample(page, 'diabetes.csv');
  assert.equal(await page.inputValue('#target-select'), 'target');
  assert.match(await page.textContent('[data-testid="target-reason"]'), /target is named like a target; target is a number with \d+ distinct values \(continuous\): regression/);
  assert.equal(await page.locator('[data-testid="target-confirm"]').count(), 0);
});

test('clustering with a column selected says plainly that the column is set aside', async () => {
  await loadExample(page, 'iris.csv');
  assert.equal(await page.isVisible('[data-testid="target-set-aside"]'), false);
  await page.selectOption('#task-select', 'clustering');
  assert.equal(await page.inputValue('#target-select'), 'species');
  const notice = await page.textContent('[data-testid="target-set-aside"]');
  assert.match(notice, /^species is set aside: the clustering never sees it and it is not one of the features\./);
  assert.match(notice, /To cluster on species too, choose \(none: find clusters\)/);
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  assert.equal(spec.target, 'species');
  await page.locator('#pipeline-section fieldset').first().screenshot({ path: join(RESULTS, 'target-set-aside.png') });
  await page.click('#train');
  await trained(page);
  assert.match(await page.textContent('#results-info'), /species was set aside: not a feature, only compared with the clusters/);
  // (none): no column set aside, the notice goes.
  await page.selectOption('#target-select', '');
  assert.equal(await page.isVisible('[data-testid="target-set-aside"]'), false);
});

test('the first cross-validation of every built-in example ends without warnings', async () => {
  const examples = await page.$$eval('#example-select option', (os) => os.map((o) => o.value));
  assert.ok(examples.length >= 6, `examples: ${examples}`);
  const seen = [];
  for (const file of examples) {
    // A fresh page per example: its first run, with every default as a newcomer gets it.
    const p = await openPage(harness.context, harness.base, pageErrors, dialogs);
    await loadExample(p, file);
    await p.click('#train');
    await trained(p);
    const warnings = (await p.textContent('#warnings')).trim();
    assert.equal(warnings, '', `${file}: ${warnings}`);
    // The fitted model shown after the run did not run out of iterations either. (pipelab's lbfgs may stop
    // at floating-point precision just short of its very tight target: "converged false" then says so.)
    await p.waitForSelector('#model-view:not([hidden])', { timeout: 60_000 });
    assert.equal(await p.locator('[data-testid="converged-note"][data-kind="iterations"]').count(), 0, `${file}: the fitted model ran out of iterations`);
    const note = p.locator('[data-testid="converged-note"]');
    if (await note.count()) assert.match(await note.textContent(), /no further progress at floating-point precision.*What to do: nothing\./);
    seen.push(`${file}: ${await p.textContent('#results-info')}`);
    await p.close();
  }
  console.log(seen.join('\n'));
});

test('"converged: false" and an early solver stop are explained where they appear, with what to do', async () => {
  await loadExample(page, 'breast_cancer.csv');
  await page.setChecked('#use-preprocess', false); // raw features of very different sizes
  await page.selectOption('#model-select', 'LogisticRegression');
  await page.fill('#model-params [data-param="max_iter"]', '20');
  await page.click('#train');
  await trained(page);
  const w = await page.textContent('#warnings');
  assert.match(w, /lbfgs stopped after 20 iterations before converging/);
  assert.match(w, /What to do: scale the features first \(StandardScaler/);
  await page.waitForSelector('[data-testid="model-facts"]', { timeout: 60_000 });
  assert.match(await page.textContent('[data-testid="model-facts"]'), /converged false/);
  assert.equal(await page.getAttribute('[data-testid="converged-note"]', 'data-kind'), 'iterations');
  assert.match(await page.textContent('[data-testid="converged-note"]'), /What to do: scale the features \(StandardScaler\), raise max_iter/);
  await page.locator('#warnings').screenshot({ path: join(RESULTS, 'target-converged-warning.png') });
});
