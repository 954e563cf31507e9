// End-to-end: the leakage lab (www/leakage.js). The one-click demo (60 rows ×
// 2,000 random features, random balanced labels, generated in the core from a
// seed) must score far above chance the wrong way (SelectKBest fitted on every
// row first) and near chance the right way. Tolerances are chance-level bounds
// from the binomial distribution (Binomial(60, 1/2) correct answers out of 60,
// as for a coin-toss guesser), not a fixture: the data has no signal, so chance
// is the truth. A feature that copies the target gets a named warning.
//
//   node --test tests/e2e/leakage.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RESULTS, launch, openPage } from './harness.mjs';

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

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomCdf(k, n) {
  let logC = 0; // log C(n, 0)
  let total = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    total += Math.exp(logC - n * Math.LN2);
  }
  return total;
}

/** Accuracy bounds [lo, hi] that a chance-level classifier on n rows leaves with probability `alpha` in each tail. */
function chanceBounds(n, alpha) {
  let lo = 0;
  while (binomCdf(lo, n) <= alpha) lo++;
  let hi = n;
  while (1 - binomCdf(hi - 1, n) <= alpha) hi--;
  return [lo / n, hi / n];
}

test('the classic demo: the wrong way scores far above chance, the right way near it', async () => {
  const n = 60;
  // Right way: within the central 99.9 % of chance (0.05 % per tail).
  const [lo, hi] = chanceBounds(n, 0.0005);
  // Wrong way: above what chance reaches with probability 1e-6.
  const far = chanceBounds(n, 1e-6)[1];
  const t0 = Date.now();
  await page.click('#leakage-demo');
  await page.waitForFunction(() => /done in/.test(document.querySelector('#leakage-status')?.textContent ?? '') || !document.querySelector('#leakage-error').hidden, null, { timeout: 60_000 });
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(await page.locator('#leakage-error').isVisible(), false, await page.textContent('#leakage-error'));
  const right = Number(await page.getAttribute('[data-testid="leakage-right-value"]', 'data-value'));
  const wrong = Number(await page.getAttribute('[data-testid="leakage-wrong-value"]', 'data-value'));
  console.log(`leakage demo (${seconds.toFixed(1)} s in the page): right way ${right.toFixed(3)}, wrong way ${wrong.toFixed(3)}; chance bounds [${lo.toFixed(3)}, ${hi.toFixed(3)}], far above chance ≥ ${far.toFixed(3)}`);
  assert.ok(right >= lo && right <= hi, `right way ${right} within chance bounds [${lo}, ${hi}]`);
  assert.ok(wrong >= far, `wrong way ${wrong} ≥ ${far} (P < 1e-6 under chance)`);
  assert.match(await page.textContent('[data-testid="leakage-chance"]'), /most frequent class scores 0\.5/);
  // The per-fold picture: 5 folds, a right and a wrong strip each; the wrong way's SelectKBest saw every test row.
  assert.equal(await page.locator('[data-testid="leakage-folds"] svg.lk-strip').count(), 10);
  const seen = await page.locator('[data-testid="leakage-folds"] rect.lk-test-seen').count();
  assert.equal(seen, 60, 'each of the 60 rows is a test row once, and the wrong way fitted SelectKBest on it');
  const rows = await page.$$eval('[data-testid="leakage-table"] tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.deepEqual(rows[0], ['1', 'SelectKBest', '48 train, 0 test', '48 train + 12 test']);
  assert.deepEqual(rows[1], ['1', 'LogisticRegression (model)', '48 train, 0 test', '48 train, 0 test']);
  await page.locator('#leakage-section').scrollIntoViewIfNeeded();
  await page.locator('#leakage-section').screenshot({ path: join(RESULTS, 'leakage-demo.png') });

  // Another seed gives another draw, still leaking.
  await page.fill('#leakage-seed', '3');
  await page.click('#leakage-demo');
  await page.waitForFunction(() => /done in/.test(document.querySelector('#leakage-status')?.textContent ?? ''), null, { timeout: 60_000 });
  const wrong3 = Number(await page.getAttribute('[data-testid="leakage-wrong-value"]', 'data-value'));
  assert.ok(wrong3 >= far, `seed 3: wrong way ${wrong3}`);
});

test('a copy of the target is named in the results as probably leaking; the lab runs on the loaded pipeline', async () => {
  const lines = ['x1,x2,leak,y'];
  for (let i = 0; i < 80; i++) {
    const y = (i * 37) % 2;
    lines.push(`${(i * 13) % 7},${(i * 5) % 11},${y === 1 ? 10 + (i % 3) : -10 - (i % 3)},${y}`);
  }
  await page.setInputFiles('#csv-file', { name: 'leaky.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('leaky.csv'));
  await page.selectOption('#target-select', 'y');
  await page.selectOption('#task-select', 'classification');
  await page.click('#train');
  await page.waitForFunction(() => document.querySelector('#progress-text')?.textContent.startsWith('done'), null, { timeout: 60_000 });
  const warnings = await page.textContent('#warnings');
  assert.match(warnings, /column 'leak' predicts the target 'y' almost perfectly on its own/);
  assert.match(warnings, /probably leaking the answer/);
  assert.doesNotMatch(warnings, /column 'x1'/);

  await page.click('#leakage-run');
  await page.waitForFunction(() => /done in/.test(document.querySelector('#leakage-status')?.textContent ?? '') || !document.querySelector('#leakage-error').hidden, null, { timeout: 60_000 });
  assert.equal(await page.locator('#leakage-error').isVisible(), false, await page.textContent('#leakage-error'));
  assert.match(await page.textContent('#leakage-result'), /Data: the loaded table/);
  assert.match(await page.textContent('#leakage-result'), /probably leaking the answer/);
  assert.deepEqual(pageErrors, []);
});
