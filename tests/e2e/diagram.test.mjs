// End-to-end: the pipeline, drawn (www/diagram.js) — boxes in spec order with
// their one-line summaries, arrows labelled with the shapes the core's preview
// computes, updated at once when steps are added, moved and removed; a box
// opens its form; column names stay text — and the per-fold chart of an error
// metric says lower is better (directions from the catalogue).
//
//   node --test tests/e2e/diagram.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage } from './harness.mjs';

const IRIS = join(ROOT, 'www', 'datasets', 'iris.csv');
const TITANIC = join(ROOT, 'www', 'datasets', 'titanic_like.csv');
const DIABETES = join(ROOT, 'www', 'datasets', 'diabetes.csv');

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
});

/** The diagram once its shapes match the current spec: [{kind, place, name, summary}], shapes. */
async function diagram(p) {
  await p.waitForFunction(() => {
    const d = document.querySelector('#pipeline-diagram');
    return d && !d.hidden && d.dataset.ready === 'true';
  }, null, { timeout: 30_000 });
  return p.$eval('#pipeline-diagram', (d) => ({
    boxes: [...d.querySelectorAll('[data-testid="diagram-box"]')].map((b) => ({
      kind: b.dataset.kind,
      place: b.dataset.place,
      name: b.querySelector('.dg-name').textContent,
      summary: b.querySelector('.dg-summary')?.textContent ?? '',
      tag: b.tagName,
    })),
    shapes: [...d.querySelectorAll('[data-testid="diagram-shape"]')].map((s) => s.textContent),
  }));
}

async function addStep(p, name, where = 'steps') {
  await p.selectOption('#add-step-select', name);
  await p.selectOption('#add-step-where', where);
  await p.click('#add-step');
}

test('iris: the diagram follows adding, reordering and removing steps, with shapes from the preview', async () => {
  await page.setInputFiles('#csv-file', IRIS);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'));
  await page.selectOption('#target-select', 'species');
  await page.setChecked('#use-preprocess', false);
  await page.selectOption('#model-select', 'LogisticRegression');
  // On the first module the shapes (a full-module method) wait for the first result or a
  // click, so nothing moves the session to the full module before the user's first Train.
  const ask = page.locator('#pipeline-diagram [data-testid="diagram-shapes"]');
  await ask.waitFor({ timeout: 30_000 });
  assert.match(await page.textContent('#pipeline-diagram'), /come with the first result/);
  assert.deepEqual(await page.evaluate(() => [...new Set(window.pipelabClients.map((r) => r.deref()).filter(Boolean).map((c) => c.module))]), ['core']);
  await ask.click();
  let d = await diagram(page);
  assert.deepEqual(d.boxes.map((b) => b.name), ['iris.csv', 'LogisticRegression']);
  assert.deepEqual(d.shapes, ['150 × 4']);
  assert.ok(d.boxes.every((b) => b.tag === 'BUTTON'), 'every box is a button (keyboard-focusable)');
  const catalog = await page.evaluate(async () => {
    const { WorkerClient } = await import('./www/protocol.js');
    const c = new WorkerClient();
    const r = await c.call('init');
    c.worker.terminate();
    return r.catalog;
  });
  assert.equal(d.boxes[1].summary, catalog.models.find((m) => m.name === 'LogisticRegression').summary);

  await addStep(page, 'StandardScaler');
  await addStep(page, 'PolynomialFeatures');
  d = await diagram(page);
  assert.deepEqual(d.boxes.map((b) => b.name), ['iris.csv', 'StandardScaler', 'PolynomialFeatures', 'LogisticRegression']);
  // PolynomialFeatures(degree 2, bias): 1 + 4 + 10 columns.
  assert.deepEqual(d.shapes, ['150 × 4', '150 × 4', '150 × 15']);
  assert.equal(d.boxes[2].summary, catalog.steps.find((s) => s.name === 'PolynomialFeatures').summary);
  await page.locator('#pipeline-diagram').screenshot({ path: join(RESULTS, 'diagram-iris.png') });

  // Reorder: PolynomialFeatures first.
  await page.click('[data-testid="step-1"] button[aria-label="move PolynomialFeatures up"]');
  d = await diagram(page);
  assert.deepEqual(d.boxes.map((b) => b.name), ['iris.csv', 'PolynomialFeatures', 'StandardScaler', 'LogisticRegression']);
  assert.deepEqual(d.shapes, ['150 × 4', '150 × 15', '150 × 15']);

  // A parameter change redraws too: degree 3 → 35 columns.
  await page.fill('[data-testid="step-0"] [data-param="degree"]', '3');
  await page.waitForFunction(() => [...document.querySelectorAll('#pipeline-diagram [data-testid="diagram-shape"]')].some((s) => s.textContent === '150 × 35'), null, { timeout: 30_000 });

  // Remove StandardScaler.
  await page.click('[data-testid="step-1"] button[aria-label="remove StandardScaler"]');
  d = await diagram(page);
  assert.deepEqual(d.boxes.map((b) => b.name), ['iris.csv', 'PolynomialFeatures', 'LogisticRegression']);
  assert.deepEqual(d.shapes, ['150 × 4', '150 × 35']);

  // A box opens its form: keyboard (Enter on the focused button) moves focus into the step's form.
  await page.focus('#pipeline-diagram [data-kind="step"]');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => !!document.activeElement.closest('[data-testid="step-0"]')), true, 'focus is in the PolynomialFeatures form');
  await page.click('#pipeline-diagram [data-kind="model"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'model-select');
});

test('titanic: ColumnTransformer branches list the columns they take; a selection step narrows the table', async () => {
  await page.setInputFiles('#csv-file', TITANIC);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('titanic_like.csv'));
  await page.selectOption('#target-select', 'survived');
  await page.setChecked('#use-preprocess', true);
  while (await page.locator('#steps-list li.step').count()) await page.locator('#steps-list li.step .remove').first().click();
  await addStep(page, 'SelectKBest');
  await page.fill('[data-testid="step-0"] [data-param="k"]', '3');
  const d = await diagram(page);
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  const names = d.boxes.map((b) => b.name);
  assert.equal(names[1], 'ColumnTransformer');
  for (const t of spec.preprocess.transformers) {
    const head = d.boxes.find((b) => b.kind === 'branch' && b.place === t.name);
    assert.ok(head, `a box for branch ${t.name}`);
    for (const [k, s] of t.steps.entries()) {
      assert.ok(d.boxes.some((b) => b.kind === 'step' && b.place === t.name && b.name === Object.keys(s)[0]), `${t.name}[${k}] drawn`);
    }
  }
  const num = d.boxes.find((b) => b.kind === 'branch' && b.place === 'num');
  assert.match(num.summary, /age/);
  assert.match(num.summary, /fare/);
  assert.deepEqual(names.slice(-2), ['SelectKBest', spec.model ? Object.keys(spec.model)[0] : '']);
  assert.equal(d.shapes[d.shapes.length - 1].split(' × ')[1], '3', `SelectKBest(k=3) leaves 3 columns: ${d.shapes}`);
  await page.locator('#pipeline-diagram').scrollIntoViewIfNeeded();
  await page.locator('#pipeline-diagram').screenshot({ path: join(RESULTS, 'diagram-titanic.png') });
});

test('a column name holding HTML is shown as text', async () => {
  const csv = 'a,<img src=x onerror=alert(1)>,y\n' + Array.from({ length: 30 }, (_, i) => `${i},${(i * 7) % 5},${i % 2}`).join('\n') + '\n';
  await page.setInputFiles('#csv-file', { name: 'html.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('html.csv'));
  await page.selectOption('#target-select', 'y');
  await page.setChecked('#use-preprocess', true);
  const d = await diagram(page);
  const num = d.boxes.find((b) => b.kind === 'branch' && b.place === 'num');
  assert.match(num.summary, /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.locator('#pipeline-diagram img').count(), 0);
  assert.deepEqual(dialogs, []);
});

test('diabetes: the per-fold chart of RMSE says lower is better and which baseline its axis starts at', async () => {
  await page.setInputFiles('#csv-file', DIABETES);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('diabetes.csv'));
  await page.selectOption('#target-select', 'target');
  await page.setChecked('#use-preprocess', false);
  while (await page.locator('#steps-list li.step').count()) await page.locator('#steps-list li.step .remove').first().click();
  await page.selectOption('#model-select', 'LinearRegression');
  await page.setChecked('#metric-rmse', true);
  await page.setChecked('#metric-r2', true);
  await page.click('#train');
  await page.waitForFunction(() => document.querySelector('#progress-text')?.textContent.startsWith('done'), null, { timeout: 60_000 });
  await page.selectOption('#chart-metric', 'rmse');
  const caption = await page.textContent('#fold-caption');
  assert.match(caption, /^rmse: lower is better\./);
  assert.match(caption, /axis starts at 0/);
  assert.doesNotMatch(caption, /train far above test/);
  const axis = await page.evaluate(() => {
    const c = window.Chart.getChart(document.querySelector('#fold-chart'));
    return { title: c.options.scales.y.title.text, min: c.scales.y.min };
  });
  assert.deepEqual(axis, { title: 'rmse (lower is better)', min: 0 });
  await page.selectOption('#chart-metric', 'r2');
  assert.match(await page.textContent('#fold-caption'), /^r2: higher is better\./);
  await page.locator('[data-testid="eval-folds"]').scrollIntoViewIfNeeded();
  await page.locator('[data-testid="eval-folds"]').screenshot({ path: join(RESULTS, 'diagram-rmse-caption.png') });
  assert.deepEqual(pageErrors, []);
});

test('a new table alone redraws the diagram, and only the target row is tagged "target"', async () => {
  await page.setInputFiles('#csv-file', { name: 'fresh.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,c,label\n1,2,3,x\n4,5,6,y\n7,8,9,x\n2,3,4,y\n5,6,7,x\n8,9,1,y\n') });
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('fresh.csv'));
  // No form touched: the diagram must show the new table, not an empty box (resetDiagram redraws).
  await page.waitForFunction(() => [...document.querySelectorAll('#pipeline-diagram [data-testid="diagram-box"]')].some((b) => b.dataset.name === 'fresh.csv'), null, { timeout: 30_000 });
  const tagged = await page.$$eval('.target-tag', (tags) => tags.filter((t) => t.offsetParent !== null).map((t) => t.closest('tr').querySelector('label').textContent));
  assert.deepEqual(tagged, ['label']);
  assert.deepEqual(pageErrors, []);
});
