// End-to-end, data area (issue 3): the profile view, type and delimiter
// overrides, hostile headers, malformed files, a streamed ~20 MB read with
// progress and Cancel. Served page in Debian's Chromium via playwright-core.
//
//   node --test tests/e2e/data.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage, checkAxe } from './harness.mjs';

const TITANIC = join(ROOT, 'www', 'datasets', 'titanic_like.csv');

// `pipelab profile --data www/datasets/titanic_like.csv` (the native core), as pandas would say:
// age: count 813, 78 missing, mean 32.79291512915129, std 14.423054990536114, quartiles 23 / 33.5 / 42.5;
// fare: 83 missing, mean 40.717785519801986, 89 IQR outliers; passenger_id is ID-like;
// outliers in 4 columns (age 1, sibsp 41, parch 192, fare 89); no duplicate rows.
const CLI = {
  rows: 891,
  cols: 11,
  age: { missing: 78, count: 813, mean: 32.79291512915129, std: 14.423054990536114, q1: 23, median: 33.5, q3: 42.5, outliers: 1 },
  fare: { missing: 83, mean: 40.717785519801986, outliers: 89 },
  pclass: [['3', 492], ['1', 224], ['2', 175]],
};

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

const loaded = (name, rows) =>
  page.waitForFunction(([n, r]) => document.querySelector('#data-info')?.textContent.startsWith(`${n}: ${r} rows`), [name, rows], { timeout: 60_000 });
const idle = () => page.waitForFunction(() => !document.querySelector('#csv-file').disabled);
const statValue = async (col, stat) => page.getAttribute(`.pcol[data-col="${col}"] [data-stat="${stat}"]`, 'data-value');
const check = async (key) => Number(await page.getAttribute(`.profile-overview tr[data-check="${key}"] td.num`, 'data-value'));

test('the profile of titanic_like.csv shows the core\'s numbers, flags with reasons, and charts', async () => {
  await page.setInputFiles('#csv-file', TITANIC);
  await loaded('titanic_like.csv', CLI.rows);
  assert.equal(await page.isVisible('#profile-view'), true);
  assert.equal(await check('rows'), CLI.rows);
  assert.equal(await check('columns'), CLI.cols);
  assert.equal(await check('duplicate_rows'), 0);
  assert.equal(await check('id_like'), 1);
  assert.equal(await check('outliers'), 4);
  assert.match(await page.textContent('.profile-overview tr[data-check="id_like"]'), /passenger_id/);
  assert.match(await page.textContent('.profile-overview tr[data-check="outliers"]'), /323 values/); // 1 + 41 + 192 + 89

  for (const [stat, want] of Object.entries(CLI.age)) assert.equal(Number(await statValue('age', stat)), want, `age ${stat}`);
  assert.equal(Number(await statValue('fare', 'missing')), CLI.fare.missing);
  assert.equal(Number(await statValue('fare', 'mean')), CLI.fare.mean);
  assert.equal(Number(await statValue('fare', 'outliers')), CLI.fare.outliers);
  assert.equal(Number(await statValue('age', 'missing_pct')), (100 * 78) / 891);
  // The visible text is rounded for reading.
  assert.equal(await page.textContent('.pcol[data-col="age"] [data-stat="mean"]'), '32.7929');

  // Each flag says why it matters; one chart per column.
  const flags = await page.locator('.profile-flags li').allTextContents();
  assert.equal(flags.length, 5);
  assert.ok(flags.some((f) => /parch.*192 outlier.*dominate scaling/.test(f)), flags.join('\n'));
  assert.equal(await page.locator('#profile-view canvas').count(), CLI.cols);
  // The sex column lists its categories with counts.
  assert.match(await page.textContent('.pcol[data-col="sex"] .topcats'), /male \d+/);
  // The old columns / preview view is still there.
  assert.equal(await page.locator('#columns-table tbody tr').count(), CLI.cols);

  mkdirSync(RESULTS, { recursive: true });
  await checkAxe(page, 'after profile (titanic_like)', '#data-section');
  await page.locator('#data-section').screenshot({ path: join(RESULTS, 'profile.png') });
});

test('a column type override reloads the data with that type (and can be undone)', async () => {
  await page.selectOption('.type-override[data-col="pclass"]', 'categorical');
  await page.click('#apply-types');
  await page.waitForSelector('.pcol[data-col="pclass"].pcol-categorical');
  const top = await page.locator('.pcol[data-col="pclass"] .topcats li').allTextContents();
  assert.deepEqual(top.slice(0, 3), CLI.pclass.map(([v, n]) => `${v} ${n}`));
  assert.equal(await page.textContent('#columns-table tr[data-col="pclass"] .type'), 'categorical');
  // A type that does not fit the data: the core's error, the data stays as it was.
  await page.selectOption('.type-override[data-col="name"]', 'numeric');
  await page.click('#apply-types');
  await page.waitForSelector('#data-error:not([hidden])');
  assert.match(await page.textContent('#data-error'), /column 'name' \(row 1\) is set to numeric/);
  assert.match(await page.textContent('#data-error'), /still loaded/);
  assert.equal(await page.getAttribute('.pcol[data-col="pclass"]', 'class'), 'pcol pcol-categorical');
  await idle();
  await page.click('#reset-types');
  await page.waitForSelector('.pcol[data-col="pclass"].pcol-numeric');
  assert.equal(await page.isHidden('#data-error'), true);
});

test('a delimiter override re-reads the file', async () => {
  await page.setInputFiles('#csv-file', { name: 'pipes.csv', mimeType: 'text/csv', buffer: Buffer.from('a|b\n1|2\n3|4\n') });
  await loaded('pipes.csv', 2);
  assert.match(await page.textContent('#data-info'), /2 rows × 2 columns · delimiter "\|"/);
  await page.selectOption('#delimiter-select', ',');
  await page.waitForFunction(() => document.querySelector('#data-info').textContent.includes('2 rows × 1 columns'));
  assert.equal(await page.textContent('.pcol .pcol-name'), 'a|b');
  await page.selectOption('#delimiter-select', '');
  await page.waitForFunction(() => document.querySelector('#data-info').textContent.includes('2 rows × 2 columns'));
});

test('an HTML header renders as text; a malformed file names the line and keeps the data', async () => {
  const evil = '<img src=x onerror=alert(1)>';
  await idle();
  await page.setInputFiles('#csv-file', { name: 'evil.csv', mimeType: 'text/csv', buffer: Buffer.from(`"${evil}",y\n1,a\n2,b\n3,a\n`) });
  await loaded('evil.csv', 3);
  assert.equal(await page.textContent('.pcol[data-testid="profile-col-0"] .pcol-name'), evil);
  assert.equal(await page.locator('#data-section img').count(), 0);
  await page.waitForTimeout(200);
  assert.deepEqual(dialogs, []);

  await page.setInputFiles('#csv-file', { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,c\n1,2,3\n4,5\n6,7,8\n') });
  await page.waitForSelector('#data-error:not([hidden])');
  const err = await page.textContent('#data-error');
  assert.match(err, /broken\.csv/);
  assert.match(err, /line 3/);
  assert.match(err, /evil\.csv\) is still loaded/);
  assert.match(await page.textContent('#data-info'), /^evil\.csv: 3 rows/);
  assert.equal(await page.textContent('.pcol[data-testid="profile-col-0"] .pcol-name'), evil);
});

test('a ~20 MB file streams in chunks with progress; Cancel keeps the previous data', async () => {
  // 200 000 rows × 10 numeric columns.
  const rows = 200_000;
  const lines = ['c0,c1,c2,c3,c4,c5,c6,c7,c8,c9'];
  let x = 12345;
  let sum0 = 0;
  for (let i = 0; i < rows; i++) {
    const r = [];
    for (let j = 0; j < 10; j++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      r.push((x / 2147483648 * 1000 - 500).toFixed(4));
    }
    sum0 += Number(r[0]);
    lines.push(r.join(','));
  }
  mkdirSync(RESULTS, { recursive: true });
  const big = join(RESULTS, 'big.csv');
  writeFileSync(big, lines.join('\n') + '\n');
  const size = statSync(big).size;
  assert.ok(size > 17e6, `${size} bytes`);

  // Record every progress value the page shows.
  await page.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => window.__progress.push(Number(document.querySelector('#data-progress').value)))
      .observe(document.querySelector('#data-progress-text'), { childList: true, characterData: true, subtree: true });
  });
  await idle();
  await page.setInputFiles('#csv-file', big);
  await loaded('big.csv', rows);
  const seen = await page.evaluate(() => window.__progress);
  assert.ok(seen.some((v) => v > 0 && v < size), `an intermediate progress value among ${seen}`);
  assert.equal(Math.max(...seen), size);
  const done = await page.textContent('#data-progress-text');
  assert.match(done, /^read 1\d\.\d MB in [\d.]+ s \([\d.]+ MB\/s\)$/);
  console.log(`# streamed read: ${done}`);
  assert.equal(await check('rows'), rows);
  const mean0 = Number(await statValue('c0', 'mean'));
  assert.ok(Math.abs(mean0 - sum0 / rows) < 1e-9 * Math.abs(sum0 / rows), `mean of c0 ${mean0} vs ${sum0 / rows}`);

  // Cancel a read of the same file: the worker restarts and big.csv stays loaded.
  await page.evaluate(() => {
    const input = document.querySelector('#csv-file');
    const dt = new DataTransfer();
    dt.items.add(new File(['a,b\n1,2\n'], 'small.csv'));
    // A load that is cancelled at once: the drop path with a real File.
    const zone = document.querySelector('#drop-zone');
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    document.querySelector('#data-cancel').click();
    return input.disabled;
  });
  await page.waitForFunction(() => document.querySelector('#data-progress-text').textContent === 'cancelled; big.csv is still loaded', null, { timeout: 60_000 });
  assert.match(await page.textContent('#data-info'), /^big\.csv: 200000 rows/);
  assert.equal(await page.isHidden('#data-error'), true);
  // And the restored session works: a profile-dependent action (type override) still reloads.
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});
