// End-to-end: the first wasm module alone does what issue 17 asks of it: load → profile →
// cross-validate → fit → predict → the model file, driven through the worker protocol on a fresh
// page, and the session never moves to the full module; the catalogue (palette, forms,
// explanations) comes from www/pkg/catalog.json. A spec with a search block is the full module's
// (src/pipeline/spec.rs, `search_block`): the core worker answers `need_full` and the session
// moves, as for a forest. Through the page's own buttons the same flow works too; its first
// result (the CV) comes from the core, and the views drawn after it (diagnostics, the run's
// parameters, the model view) are the full module's first use, which moves the session.
//   node --test tests/e2e/first_module.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launch, openPage, auditContext, auditProblems } from './harness.mjs';

const IRIS = join(ROOT, 'www', 'datasets', 'iris.csv');
const DIABETES = join(ROOT, 'www', 'datasets', 'diabetes.csv');

let harness;
let page;
const pageErrors = [];
const requests = [];

before(async () => {
  harness = await launch({ acceptDownloads: true });
  harness.context.on('request', (r) => requests.push(new URL(r.url()).pathname));
  page = await openPage(harness.context, harness.base, pageErrors);
});

after(async () => {
  await harness?.close();
});

/** The modules of the page's worker clients (main worker and pools). */
const clientModules = () => page.evaluate(() => [...new Set(window.pipelabClients.map((r) => r.deref()).filter(Boolean).map((c) => c.module))]);

test('load → profile → CV → fit → predict → model file on the first module alone; a search block moves to the full one', async () => {
  assert.deepEqual(await clientModules(), ['core']);
  assert.ok(requests.some((p) => p.endsWith('/www/pkg/catalog.json')), 'the worker fetched the catalogue');
  const models = await page.$$eval('#model-select option', (os) => os.map((o) => o.value));
  for (const m of ['LogisticRegression', 'RandomForestClassifier', 'KMeans']) assert.ok(models.includes(m), `model list ${models}`);
  const catalog = JSON.parse(readFileSync(join(ROOT, 'www', 'pkg', 'catalog.json'), 'utf8'));
  assert.ok(catalog.steps.length > 10 && catalog.models.every((m) => m.explain?.what), 'catalog.json has the explanations');

  const spec = { target: 'species', model: { LogisticRegression: {} }, cv: { StratifiedKFold: { n_splits: 3 } } };
  const r = await page.evaluate(async (spec) => {
    const client = window.pipelabClients[0].deref();
    const bytes = new Uint8Array(await (await fetch('www/datasets/iris.csv')).arrayBuffer());
    const summary = await client.call('load_csv', { bytes });
    const profile = await client.call('profile');
    const cv = await client.call('cross_validate', { spec: JSON.stringify(spec) });
    const model = await client.call('fit', { spec: JSON.stringify(spec) });
    const summaryOfModel = await client.call('model_summary');
    const predicted = await client.call('predict_loaded', { n_head: 5 });
    const csv = await client.call('predictions_csv', {});
    return { module: client.module, rows: summary.n_rows, profiled: profile.columns.length, folds: cv.folds.length, acc: cv.metrics.accuracy.mean, model, summaryOfModel, predicted, csv };
  }, spec);
  assert.equal(r.module, 'core');
  assert.equal(r.rows, 150);
  assert.equal(r.profiled, 5);
  assert.equal(r.folds, 3);
  assert.ok(r.acc > 0.9, `accuracy ${r.acc}`);
  const model = JSON.parse(r.model);
  assert.equal(model.format, 'pipelab-model');
  assert.ok(model.spec?.model?.LogisticRegression, `model file ${r.model.slice(0, 200)}`);
  assert.equal(r.predicted.n_rows, 150);
  assert.equal(r.csv.trim().split('\n').length, 151);
  assert.deepEqual(await clientModules(), ['core'], 'no full worker was started');

  // A search block: the core answers need_full, the session moves and the call is answered there.
  const search = { ...spec, search: { GridSearchCV: { param_grid: { model__C: [0.1, 1.0] } } } };
  const folds = await page.evaluate(async (s) => (await window.pipelabClients[0].deref().call('cross_validate', { spec: JSON.stringify(s) })).folds.length, search);
  assert.equal(folds, 3);
  assert.deepEqual(await clientModules(), ['full']);
  assert.deepEqual(pageErrors, []);
});

test('through the page: load, profile, train, predict, download the model; the CV is answered by the first module', async () => {
  const errors = [];
  const p = await openPage(harness.context, harness.base, errors);
  const modules = () => p.evaluate(() => [...new Set(window.pipelabClients.map((r) => r.deref()).filter(Boolean).map((c) => c.module))]);
  assert.deepEqual(await modules(), ['core']);
  // Which module answers each request (the client's module when it is sent).
  await p.evaluate(() => {
    window.sentTo = [];
    const c = window.pipelabClients[0].deref();
    const send = c.send.bind(c);
    c.send = (type, ...rest) => {
      window.sentTo.push(`${type}:${c.module}`);
      return send(type, ...rest);
    };
  });
  await p.setInputFiles('#csv-file', IRIS);
  await p.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'), null, { timeout: 60_000 });
  await p.waitForSelector('#profile-view canvas', { timeout: 60_000 });
  await p.selectOption('#model-select', 'LogisticRegression');
  await p.waitForSelector('[data-testid="model-explain"] details', { timeout: 10_000 });
  await p.evaluate(() => {
    window.pipelabCvPool = 'never';
  });
  await p.click('#train');
  await p.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#progress-text')?.textContent), null, { timeout: 120_000 });
  assert.match(await p.textContent('#progress-text'), /^done/, await p.textContent('#train-error'));
  assert.ok(Number(await p.textContent('[data-testid="mean-accuracy"]')) > 0.9);
  const sent = await p.evaluate(() => window.sentTo);
  assert.ok(sent.includes('cross_validate:core'), `requests ${sent}`);
  await p.waitForFunction(() => !document.querySelector('#train').disabled);

  await p.click('#predict-loaded');
  await p.waitForFunction(() => document.querySelector('#predictions-info')?.textContent.startsWith('150 predictions'), null, { timeout: 60_000 });
  assert.equal(await p.isHidden('#predict-error'), true, await p.textContent('#predict-error'));
  const [download] = await Promise.all([p.waitForEvent('download', { timeout: 60_000 }), p.click('#download-model')]);
  const model = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(model.format, 'pipelab-model');
  assert.ok(model.spec?.model?.LogisticRegression);
  assert.deepEqual(errors, []);
  await p.close();
});

test('a file picked right after the first result waits for the model view (the move to the full module), then loads', async () => {
  const errors = [];
  const p = await openPage(harness.context, harness.base, errors);
  // The model view's fit follows each result (the page's own work, not the user's): held 1.5 s
  // here, so that the pick lands inside it on any machine (it takes ≈ 1 s on the first result).
  await p.evaluate(() => {
    const c = window.pipelabClients[0].deref();
    const send = c.send.bind(c);
    c.send = (type, ...rest) => (type === 'inspect_fit' ? new Promise((r) => setTimeout(r, 1500)).then(() => send(type, ...rest)) : send(type, ...rest));
  });
  await p.click('#load-example');
  await p.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'), null, { timeout: 60_000 });
  await p.click('#train');
  await p.waitForSelector('[data-testid="mean-accuracy"]', { timeout: 60_000 });
  const state = await p.evaluate(() => ({ train: document.querySelector('#train').disabled, pick: document.querySelector('#csv-file').disabled }));
  assert.deepEqual(state, { train: true, pick: false }, 'the follow-up work runs (Train off) and a file can be picked');
  await p.setInputFiles('#csv-file', DIABETES);
  await p.waitForFunction(() => /^waiting for the model view/.test(document.querySelector('#status').textContent), null, { timeout: 10_000 });
  await p.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('diabetes.csv: 442 rows'), null, { timeout: 60_000 });
  assert.equal(await p.isHidden('#data-error'), true, await p.textContent('#data-error'));
  assert.match(await p.textContent('#status'), /diabetes\.csv loaded/);
  assert.deepEqual(errors, []);
  await p.close();
});

test('the areas the first result does not use come after it, inert until then; the run history still records that first run', async () => {
  // A fresh context (an empty run history) and the page's own timing (no pipelabAreasAtOnce).
  const ctx = await harness.browser.newContext({ viewport: { width: 1360, height: 900 } });
  const audit = await auditContext(ctx, harness.base);
  const errors = [];
  const p = await ctx.newPage();
  p.on('pageerror', (e) => errors.push(String(e)));
  const asked = [];
  p.on('request', (r) => asked.push(new URL(r.url()).pathname.replace(/^.*\/www\//, '')));
  await p.goto(harness.base);
  await p.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  assert.equal(await p.evaluate(() => document.body.dataset.areas ?? null), null, 'the late areas wait');
  assert.equal(await p.evaluate(() => document.querySelector('#runs-section').inert), true);
  for (const m of ['search.js', 'runs.js', 'predict.js', 'vendor/idb.js']) assert.ok(!asked.includes(m), `${m} not fetched before the first result`);
  await p.click('#load-example');
  await p.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'), null, { timeout: 60_000 });
  await p.click('#train');
  await p.waitForSelector('[data-testid="mean-accuracy"]', { timeout: 60_000 });
  await p.waitForSelector('body[data-areas="ready"]', { timeout: 60_000 });
  assert.equal(await p.evaluate(() => document.querySelector('#runs-section').inert), false);
  await p.waitForFunction(() => document.querySelectorAll('#runs-table tr[data-testid="run-row"]').length === 1, null, { timeout: 30_000 });
  assert.equal(await p.isHidden('#search-section'), false, 'the search card follows the data loaded before it was set up');
  assert.deepEqual(errors, []);
  await ctx.close();
  assert.equal(auditProblems(audit), '');
});
