// End-to-end, data formats (issue 18): Parquet, Excel, JSON Lines, JSON and
// SQLite files picked in the page read as their CSV export (same columns
// table); the sheet/table picker and a typed SELECT; a URL (same origin, and a
// cross-origin one without CORS headers); the hostile-format catalogue's
// messages. Fixtures: tests/fixtures/formats/ (tests/fixtures/gen_formats.py).
//
//   node --test tests/e2e/formats.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launch, openPage } from './harness.mjs';

const F = join(ROOT, 'tests', 'fixtures', 'formats');

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

const info = () => page.textContent('#data-info');
const loaded = (name, rows) =>
  page.waitForFunction(([n, r]) => document.querySelector('#data-info')?.textContent.startsWith(`${n}: ${r} rows`), [name, rows], { timeout: 60_000 });
const columnsTable = () => page.$eval('#columns-table', (t) => t.innerText);
const errorText = () => page.waitForSelector('#data-error:not([hidden])', { timeout: 60_000 }).then((e) => e.textContent());

async function pick(file) {
  await page.evaluate(() => {
    const e = document.querySelector('#data-error');
    e.hidden = true;
    e.textContent = '';
  });
  await page.setInputFiles('#csv-file', join(F, file));
}

async function reference(csv, rows) {
  await pick(csv);
  await loaded(csv, rows);
  return columnsTable();
}

test('Parquet, Excel, JSON Lines and JSON files read as their CSV export', async () => {
  const iris = await reference('iris.csv', 150);
  for (const f of ['iris.parquet', 'iris.gzip.parquet', 'iris.xlsx', 'iris.jsonl', 'iris.json']) {
    await pick(f);
    await loaded(f, 150);
    assert.equal(await columnsTable(), iris, f);
  }
  const titanic = await reference('titanic.csv', 120);
  for (const f of ['titanic.parquet', 'titanic.xlsx', 'titanic.jsonl', 'titanic.json']) {
    await pick(f);
    await loaded(f, 120);
    assert.equal(await columnsTable(), titanic, f);
  }
  assert.deepEqual(pageErrors, []);
});

test('a workbook with two sheets asks for one', async () => {
  await pick('two_sheets.xlsx');
  await page.waitForSelector('#source-part-row:not([hidden])');
  assert.equal(await page.textContent('#source-part-label'), 'sheet');
  assert.deepEqual(await page.$$eval('#source-part option', (o) => o.map((x) => x.value)), ['', 'first', 'second']);
  await page.selectOption('#source-part', 'second');
  await loaded('two_sheets.xlsx [second]', 5);
  assert.match(await info(), /5 rows × 11 columns/);
});

test('SQLite through sql.js: one table read at once, a choice of tables, a typed SELECT, refusals', async () => {
  const iris = await reference('iris.sqlite.csv', 150);
  await pick('iris.sqlite');
  await loaded('iris.sqlite [iris]', 150);
  assert.equal(await columnsTable(), iris);

  await pick('two_tables.sqlite');
  // The row is still shown from iris.sqlite: wait for this file's list.
  await page.waitForFunction(() => document.querySelectorAll('#source-part option').length === 4, null, { timeout: 60_000 });
  assert.equal(await page.textContent('#source-part-label'), 'table');
  assert.deepEqual(await page.$$eval('#source-part option', (o) => o.map((x) => x.value)), ['', 'blobs', 'iris', 'people']);
  await page.selectOption('#source-part', 'people');
  await loaded('two_tables.sqlite [people]', 5);
  await page.fill('#source-query', "SELECT * FROM iris WHERE species = 'setosa'");
  await page.click('#source-run-query');
  await loaded('two_tables.sqlite [query]', 50);
  await page.fill('#source-query', 'DELETE FROM iris');
  await page.click('#source-run-query');
  assert.match(await errorText(), /SQLite query: starts with DELETE: only a read-only SELECT can be run/);
  await page.selectOption('#source-part', 'blobs');
  assert.match(await errorText(), /SQLite row 1, column 'payload': holds a binary or nested value/);
  // The previous data stays loaded after a refusal.
  assert.match(await info(), /^two_sheets|^two_tables\.sqlite \[query\]: 50 rows/);
});

test('the hostile-format catalogue gives its messages in the page', async () => {
  const cases = [
    ['bad_truncated.parquet', /Parquet: the file is truncated or not Parquet/],
    ['bad_list_column.parquet', /Parquet column 'tags\.list\.element': has type list/],
    ['bad_binary_column.parquet', /Parquet column 'raw': has type binary/],
    ['bad_page_header_huge_list.parquet', /Parquet row group 1 of 3, column 'name': the page header at byte \d+: .*\(corrupt file\)/],
    // In wasm the parquet crate's assert traps: the page drops the reader's instance and says the same as the CLI.
    ['bad_dictionary_length_past_its_bytes.parquet', /Parquet: the file is corrupt \(the reader failed on its content\)/],
    // calamine's cell-reference parser is built with overflow checks: a 14-letter column traps in wasm.
    ['bad_column_name_overflow.xlsx', /Excel: the file is corrupt \(the reader failed on its content\)/],
    ['bad_cell_span_too_large.xlsx', /Excel sheet 'Sheet1': its cells span A1:XFD1048576/],
    ['bad_nested.jsonl', /JSON record 2 \(line 2\), field 'address': holds a nested object/],
    ['bad_corrupt.sqlite', /SQLite: the database is corrupt, truncated or encrypted/],
  ];
  for (const [file, want] of cases) {
    await pick(file);
    assert.match(await errorText(), want, file);
  }
});

test('a URL is fetched; a server without CORS headers gets a clear message', async () => {
  const url = new URL('tests/fixtures/formats/titanic.parquet', harness.base).href;
  await page.fill('#data-url', url);
  await page.click('#load-url');
  await loaded('titanic.parquet', 120);

  const body = readFileSync(join(F, 'iris.jsonl'));
  const other = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    res.end(body);
  });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  try {
    const foreign = `http://localhost:${other.address().port}/iris.jsonl`;
    harness.allowOrigin(foreign); // the user asked for it: not a leak
    await page.evaluate(() => {
      document.querySelector('#data-error').hidden = true;
    });
    await page.fill('#data-url', foreign);
    await page.click('#load-url');
    assert.match(await errorText(), /CORS: its answer has no Access-Control-Allow-Origin header/);
  } finally {
    other.close();
  }
});
