// End-to-end: "Copy link" (issue 15 §5). The link holds the spec (and the name of
// a built-in example, never user data) in its fragment; opening it restores the
// pipeline (and the example) and runs nothing until Train. A malformed or hostile
// link is refused with a message shown as text.
//
//   node --test tests/e2e/share.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage } from './harness.mjs';

const DIABETES = join(ROOT, 'www', 'datasets', 'diabetes.csv');

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

const specOf = async (p) => JSON.parse(await p.inputValue('#spec-json'));
/** How the page shows a string (dom.js showBidiControls). */
const shown = (s) => s.replace(/[\u202a-\u202e\u2066-\u2069]/g, (ch) => `\u27e6U+${ch.codePointAt(0).toString(16).toUpperCase()}\u27e7`);
const b64url = (s) => Buffer.from(s, 'utf8').toString('base64url');

async function copyLink(p) {
  await p.click('#share-copy');
  await p.waitForSelector('#share-url:not([hidden])');
  return p.inputValue('#share-url');
}

test('a link to an example restores the pipeline and the data, and runs nothing', async () => {
  await page.selectOption('#example-select', 'iris.csv');
  await page.click('#load-example');
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'));
  await page.selectOption('#target-select', 'species');
  await page.selectOption('#add-step-select', 'StandardScaler');
  await page.click('#add-step');
  await page.selectOption('#model-select', 'LogisticRegression');
  await page.fill('#model-params [data-param="C"]', '0.5');
  await page.dispatchEvent('#model-params [data-param="C"]', 'change');
  await page.selectOption('#cv-splitter', 'KFold');
  await page.fill('#cv-n-splits', '3');
  await page.dispatchEvent('#cv-n-splits', 'change');
  const spec = await specOf(page);
  assert.deepEqual(spec.model, { LogisticRegression: { C: 0.5 } });

  const link = await copyLink(page);
  const url = new URL(link);
  assert.equal(url.origin + url.pathname, new URL(harness.base).origin + new URL(harness.base).pathname, 'the page\'s own address');
  const params = new URLSearchParams(url.hash.slice(1));
  assert.equal(params.get('data'), 'iris.csv');
  assert.deepEqual(JSON.parse(Buffer.from(params.get('spec'), 'base64url').toString('utf8')), spec);

  const errors = [];
  const p2 = await openPage(harness.context, link, errors);
  await p2.waitForFunction(() => /^Pipeline restored/.test(document.querySelector('#share-notice')?.textContent ?? ''));
  assert.match(await p2.textContent('#data-info'), /iris\.csv: 150 rows/);
  assert.deepEqual(await specOf(p2), spec, 'the same spec, rebuilt by the editor');
  // Nothing ran: no results, no progress, no recorded run.
  assert.equal(await p2.isHidden('#results-section'), true);
  assert.equal(await p2.textContent('#progress-text'), '');
  assert.match(await p2.textContent('#share-notice'), /Nothing has run: click Train/);
  await p2.screenshot({ path: join(RESULTS, 'share-restored.png'), fullPage: false });
  // Train gives the same scores as the original page.
  await page.click('#train');
  await p2.click('#train');
  for (const p of [page, p2]) await p.waitForFunction(() => document.querySelector('#progress-text')?.textContent.startsWith('done'), null, { timeout: 90_000 });
  assert.equal(await p2.textContent('[data-testid="mean-accuracy"]'), await page.textContent('[data-testid="mean-accuracy"]'));
  assert.deepEqual(errors, []);
  await p2.close();
});

test('a link made on user data carries the pipeline only; loading the data restores it', async () => {
  // Right after the previous test's result: the page's model view (a fit on all rows, on the full
  // module) may still run; the picked file waits for it and loads (data.js readyToLoad).
  await page.setInputFiles('#csv-file', DIABETES);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('diabetes.csv: 442 rows'));
  await page.selectOption('#target-select', 'target');
  await page.selectOption('#model-select', 'Ridge');
  const spec = await specOf(page);
  const link = await copyLink(page);
  const params = new URLSearchParams(new URL(link).hash.slice(1));
  assert.equal(params.get('data'), null, 'no data set named');
  assert.deepEqual([...params.keys()], ['spec']);
  // Not a cell of the data: the first data row's values are not in the link.
  const firstRow = readFileSync(DIABETES, 'utf8').split('\n')[1].split(',');
  const decoded = Buffer.from(params.get('spec'), 'base64url').toString('utf8');
  for (const v of firstRow.slice(0, 3)) assert.ok(!decoded.includes(v), `data value ${v} is not in the link`);

  const p2 = await openPage(harness.context, link);
  await p2.waitForFunction(() => /no data/.test(document.querySelector('#share-notice')?.textContent ?? ''));
  await p2.setInputFiles('#csv-file', DIABETES);
  await p2.waitForFunction(() => /^Pipeline restored/.test(document.querySelector('#share-notice')?.textContent ?? ''));
  assert.deepEqual(await specOf(p2), spec);
  assert.equal(await p2.isHidden('#results-section'), true, 'nothing ran');
  await p2.close();
});

test("a link's preprocessing branches: named columns of one type open, other branches are refused", async () => {
  const base = harness.base.replace(/#.*$/, '');
  const numeric = ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'];
  const spec = (columns, name = 'num') => ({
    target: 'target',
    preprocess: { transformers: [{ name, columns, steps: [{ StandardScaler: {} }] }] },
    model: { Ridge: { alpha: 0.5 } },
  });
  // Every numeric feature column by name (as scikit-learn's ColumnTransformer lists them): the num branch.
  const p = await openPage(harness.context, `${base}#spec=${b64url(JSON.stringify(spec(numeric)))}&data=diabetes.csv`);
  await p.waitForFunction(() => /^Pipeline restored/.test(document.querySelector('#share-notice')?.textContent ?? ''));
  assert.deepEqual((await specOf(p)).preprocess.transformers[0].columns, { dtype: 'numeric' });
  await p.close();
  // Some of them only, or a branch of another name: refused, the editor as it was.
  for (const [s, want] of [
    [spec(numeric.slice(0, 3)), /the branch "num" selects \["age","bmi","sex"\], not every numeric feature column/],
    [spec({ dtype: 'numeric' }, 'scaled'), /the branch "scaled" is not num, cat or bool/],
  ]) {
    const q = await openPage(harness.context, `${base}#spec=${b64url(JSON.stringify(s))}&data=diabetes.csv`);
    await q.waitForSelector('#share-error:not([hidden])');
    assert.match(await q.textContent('#share-error'), want);
    assert.match(await q.textContent('#share-error'), /the CLI runs it as it is/);
    await q.close();
  }
});

test('malformed and hostile links are refused, shown as text', async () => {
  const base = harness.base.replace(/#.*$/, '');
  const hostileName = '<img src=x onerror="window.__pwned=1">\u202Eevil';
  const cases = [
    [`${base}#spec=!!!notbase64`, /not base64url-encoded JSON/],
    [`${base}#spec=${b64url('[1,2]')}`, /not a JSON object/],
    [`${base}#spec=${b64url('{"model":{"LinearRegression":{}}}')}&data=${encodeURIComponent('../../etc/passwd')}`, /not one of the built-in examples/],
    [`${base}#spec=${b64url(JSON.stringify({ target: 'species', steps: [{ [hostileName]: {} }], model: { LogisticRegression: {} } }))}&data=iris.csv`, /unknown step/],
    [`${base}#spec=${'A'.repeat(200_000)}`, /at most 100000/],
  ];
  for (const [link, want] of cases) {
    const p = await openPage(harness.context, link);
    await p.waitForSelector('#share-error:not([hidden])');
    const text = await p.textContent('#share-error');
    assert.match(text, want, link.slice(0, 120));
    if (want.source === 'unknown step') {
      assert.ok(text.includes(shown(hostileName)), 'the hostile step name is shown as text');
      assert.equal(await p.evaluate(() => document.querySelectorAll('img').length), 0);
    }
    assert.equal(await p.evaluate(() => window.__pwned), undefined);
    assert.equal(await p.isHidden('#results-section'), true);
    await p.close();
  }
  // A hostile target name on an example: restored as text, nothing executes.
  const link = `${base}#spec=${b64url(JSON.stringify({ target: hostileName, model: { LogisticRegression: {} } }))}&data=iris.csv`;
  const p = await openPage(harness.context, link);
  await p.waitForFunction(() => /^Pipeline restored/.test(document.querySelector('#share-notice')?.textContent ?? ''));
  assert.ok((await p.textContent('#share-notice')).includes(shown(JSON.stringify(hostileName))), 'the missing column is named as text');
  assert.equal(await p.evaluate(() => window.__pwned), undefined);
  await p.close();
  assert.deepEqual(pageErrors, []);
});
