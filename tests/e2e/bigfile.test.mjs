// End-to-end: big files on the page (issue 16 §5). A file over the page's limit is
// refused before any byte is read, with a message that says how big a file the tab
// takes and points to the command line (the limit lowered by the test hook
// `pipelabPageMaxBytes`, so a small file exercises the path), and the loaded data
// stays; and 50 consecutive cross-validations do not grow the wasm memory more than
// 20 % past the first run's peak (a leak check on housing_like, 5,000 rows).
//   node --test tests/e2e/bigfile.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, launch, openPage } from './harness.mjs';

const IRIS = join(ROOT, 'www', 'datasets', 'iris.csv');
const HOUSING = join(ROOT, 'www', 'datasets', 'housing_like.csv');

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

const loaded = (name, rows) =>
  page.waitForFunction(([n, r]) => document.querySelector('#data-info')?.textContent.startsWith(`${n}: ${r} rows`), [name, rows], { timeout: 60_000 });

/** wasm memory (bytes) of the page's main worker. */
const memory = () => page.evaluate(() => window.pipelabClients.map((r) => r.deref()).find(Boolean).call('memory'));

test('a file over the limit is refused before reading, says the limit and points to the CLI; the data stays', async () => {
  await page.setInputFiles('#csv-file', IRIS);
  await loaded('iris.csv', 150);
  await page.evaluate(() => (window.pipelabPageMaxBytes = 100_000));
  let msg;
  try {
    await page.setInputFiles('#csv-file', HOUSING);
    await page.waitForSelector('#data-error:not([hidden])', { timeout: 60_000 });
    msg = await page.textContent('#data-error');
  } finally {
    await page.evaluate(() => delete window.pipelabPageMaxBytes);
  }
  assert.match(msg, /the file is 0\.2 MB; this page reads files of up to 0(\.1)? MB in this browser tab/, msg);
  assert.match(msg, /native command line.*pipelab profile --data FILE\.csv/, msg);
  assert.match(msg, /iris\.csv\) is still loaded/, msg);
  // Refused before reading: the progress never moved.
  assert.equal(await page.evaluate(() => Number(document.querySelector('#data-progress').value)), 0);
  assert.match(await page.textContent('#data-info'), /^iris\.csv: 150 rows/);
});

// Issue 16 §5. Measured: +27.5 % (3.2 → 4.1 MiB) once in session 5, on a machine at load 20, then 13.0 %,
// 0.0 % and 0.0 % (4.1 → 4.1 MiB) in the clean-clone runs since; the check is a real assertion again.
test('50 consecutive cross-validations: the wasm memory stays within 20 % of the first run', async () => {
  await page.setInputFiles('#csv-file', HOUSING);
  await loaded('housing_like.csv', 5000);
  const target = await page.evaluate(() => [...document.querySelector('#target-select').options].map((o) => o.value).at(-1));
  await page.selectOption('#target-select', target);
  await page.selectOption('#model-select', 'Ridge');
  const run = async () => {
    await page.evaluate(() => (window.pipelabCvPoolLast = null));
    await page.click('#train');
    await page.waitForFunction(() => window.pipelabCvPoolLast && !document.querySelector('#train').disabled, null, { timeout: 120_000 });
    assert.equal(await page.isHidden('#train-error'), true, await page.textContent('#train-error'));
  };
  await run();
  const first = await memory();
  for (let i = 1; i < 50; i++) await run();
  const last = await memory();
  const growth = (last - first) / first;
  console.log(`# wasm memory after run 1: ${(first / 1048576).toFixed(1)} MiB, after run 50: ${(last / 1048576).toFixed(1)} MiB (growth ${(100 * growth).toFixed(1)} %)`);
  assert.ok(growth <= 0.2, `memory grew ${(100 * growth).toFixed(1)} %`);
  assert.deepEqual(pageErrors, []);
});
