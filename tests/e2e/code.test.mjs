// End-to-end: "Show the code" shows the scikit-learn script of the pipeline
// being built — the same text `pipelab export --format sklearn` writes for the
// spec the page shows — and follows the pipeline as it changes.
//
//   node --test tests/e2e/code.test.mjs   (needs the CLI: cargo build; PIPELAB_BIN overrides the path)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, launch, openPage } from './harness.mjs';

const IRIS = join(ROOT, 'www', 'datasets', 'iris.csv');
const TITANIC = join(ROOT, 'www', 'datasets', 'titanic_like.csv');

function cli() {
  const candidates = [process.env.PIPELAB_BIN, join(ROOT, 'target', 'release', 'pipelab'), join(ROOT, 'target', 'debug', 'pipelab')].filter(Boolean);
  const bin = candidates.find((p) => existsSync(p));
  assert.ok(bin, `no pipelab binary (tried ${candidates.join(', ')}): run cargo build`);
  return bin;
}

/** The script `pipelab export` writes for the spec text. */
function exported(specText) {
  const dir = mkdtempSync(join(tmpdir(), 'pipelab-code-'));
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, specText);
  return execFileSync(cli(), ['export', '--spec', spec, '--format', 'sklearn'], { encoding: 'utf8' });
}

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

async function shownCode(p, mustContain) {
  await p.waitForFunction((s) => (document.querySelector('#code-view')?.textContent ?? '').includes(s), mustContain, { timeout: 30_000 });
  return p.textContent('#code-view');
}

test('iris: the code shown equals `pipelab export --format sklearn` and follows the pipeline', async () => {
  await page.setInputFiles('#csv-file', IRIS);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'));
  await page.selectOption('#target-select', 'species');
  await page.click('#code-details summary');
  const code = await shownCode(page, 'def make_pipeline');
  assert.equal(code, exported(await page.inputValue('#spec-json')));
  assert.match(code, /TARGET = "species"/);
  // Change the pipeline: the code follows.
  await page.selectOption('#add-step-select', 'PolynomialFeatures');
  await page.selectOption('#add-step-where', 'steps');
  await page.click('#add-step');
  const after = await shownCode(page, 'PolynomialFeatures(');
  assert.equal(after, exported(await page.inputValue('#spec-json')));
  // Download gives the same text.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#code-download')]);
  assert.equal(dl.suggestedFilename(), 'pipeline.py');
  assert.equal(readFileSync(await dl.path(), 'utf8'), after);
});

test('titanic_like: a ColumnTransformer spec gives the same script as the CLI', async () => {
  await page.setInputFiles('#csv-file', TITANIC);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('titanic_like.csv'));
  await page.selectOption('#target-select', 'survived');
  const code = await shownCode(page, 'TARGET = "survived"');
  assert.match(code, /ColumnTransformer\(/);
  assert.equal(code, exported(await page.inputValue('#spec-json')));
  assert.deepEqual(pageErrors, []);
});
