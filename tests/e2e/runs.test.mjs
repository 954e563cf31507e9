// End-to-end: the run history (issue 14 §3) and "Log runs to MLflow" from the page
// (§4) against a REAL MLflow server (the interop venv's, started here with
// --cors-allowed-origins naming the served page's origin), read back through the
// REST API and compared with what the CLI logs for the same spec.
// Screenshot: test-results/runs-view.png.
//
//   node --test tests/e2e/runs.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage, checkAxe } from './harness.mjs';

const PYTHON = process.env.PIPELAB_PYTHON ?? join(homedir(), '.cache/pipelab/venv-interop/bin/python');
// The debug build first: `cargo test` (run before the e2e step by scripts/test.sh) keeps it current.
const CLI = [join(ROOT, 'target/debug/pipelab'), join(ROOT, 'target/release/pipelab')].find(existsSync);

let harness;
let page;
let mlflow; // {proc, url, dir}
const pageErrors = [];

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startMlflow(origin) {
  assert.ok(existsSync(PYTHON), `the MLflow e2e test needs the interop venv's python at ${PYTHON} (PIPELAB_PYTHON, or scripts/setup.sh); it is not skipped`);
  const dir = mkdtempSync(join(tmpdir(), 'pipelab-e2e-mlflow-'));
  const port = await freePort();
  const proc = spawn(PYTHON, ['-m', 'mlflow', 'server', '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`, '--artifacts-destination', join(dir, 'artifacts'),
    '--host', '127.0.0.1', '--port', String(port), '--workers', '1', '--cors-allowed-origins', origin], {
    detached: true, // its own process group: killed whole (uvicorn workers included) in after()
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
  });
  let log = '';
  proc.stderr.on('data', (d) => {
    log = (log + d).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() - t0 > 240_000) throw new Error(`mlflow server did not answer /health within 240 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return { proc, url, dir };
}

function stopMlflow() {
  if (!mlflow) return;
  try {
    process.kill(-mlflow.proc.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  rmSync(mlflow.dir, { recursive: true, force: true });
  mlflow = null;
}

async function api(path, body) {
  const r = await fetch(`${mlflow.url}/api/2.0/mlflow${path}`, body ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {});
  const j = await r.json();
  assert.equal(r.status, 200, `${path}: ${JSON.stringify(j)}`);
  return j;
}

const kv = (list) => Object.fromEntries((list ?? []).map((e) => [e.key, e.value]));

before(async () => {
  harness = await launch();
  const origin = new URL(harness.base).origin;
  const [, p] = await Promise.all([
    startMlflow(origin).then((m) => {
      mlflow = m;
      // The one server the page may talk to besides its own (the harness fails the file on any other).
      harness.allowOrigin(m.url);
      return m;
    }),
    openPage(harness.context, harness.base, pageErrors).then((pg) => (page = pg)),
  ]);
  page = p;
  await page.evaluate(async () => (await import('./www/runs_store.js')).clearRuns());
  await page.reload();
  await page.waitForSelector('body[data-ready="true"][data-areas="ready"]', { timeout: 60_000 });
});

after(async () => {
  stopMlflow();
  await harness?.close();
});

async function loadIris() {
  await page.selectOption('#example-select', 'iris.csv');
  await page.click('#load-example');
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'));
}

async function configure(C) {
  await page.selectOption('#target-select', 'species');
  await page.selectOption('#model-select', 'LogisticRegression');
  await page.fill('#model-params [data-param="C"]', String(C));
  await page.selectOption('#cv-splitter', 'StratifiedKFold');
  await page.fill('#cv-n-splits', '5');
  await page.setChecked('#cv-shuffle', false);
  await page.setChecked('#holdout-use', false);
}

async function train() {
  await page.click('#train');
  await page.waitForFunction(() => /^(done|failed)/.test(document.querySelector('#progress-text')?.textContent ?? ''), null, { timeout: 60_000 });
  assert.equal(await page.isHidden('#train-error'), true, `training failed: ${await page.textContent('#train-error')}`);
}

const rowCount = () => page.locator('#runs-table tr[data-testid="run-row"]').count();
async function waitRows(n) {
  await page.waitForFunction((k) => document.querySelectorAll('#runs-table tr[data-testid="run-row"]').length === k, n, { timeout: 30_000 });
}
const storedRuns = () => page.evaluate(async () => (await import('./www/runs_store.js')).listRuns());

test('two cross-validations are recorded, compared and survive a reload', async () => {
  await loadIris();
  await configure(1);
  await train();
  await waitRows(1);
  await configure(0.1);
  await train();
  await waitRows(2);

  const runs = await storedRuns();
  assert.equal(runs.length, 2);
  for (const r of runs) {
    assert.equal(r.kind, 'cv');
    assert.equal(r.data.name, 'iris.csv');
    assert.equal(r.data.rows, 150);
    assert.match(r.data.sha256, /^[0-9a-f]{64}$/);
    assert.equal(r.metrics.accuracy.folds.length, 5);
    assert.ok(r.params.some(([k]) => k === 'model__C'));
  }
  const C = runs.map((r) => Object.fromEntries(r.params).model__C);
  assert.deepEqual(C.sort(), ['0.1', '1.0']);
  const sha = spawnSync('sha256sum', [join(ROOT, 'www/datasets/iris.csv')]).stdout.toString().split(' ')[0];
  assert.equal(runs[0].data.sha256, sha, 'the page hashes the data as sha256sum does');

  // Sorting by a metric: the header click orders rows by that metric's mean.
  await page.click('#runs-table th[data-sort="accuracy"]');
  const shown = await page.$$eval('#runs-table tr[data-testid="run-row"] td.num', (tds) => tds.map((t) => t.textContent));
  assert.ok(shown.length > 0);

  // Compare: exactly one parameter differs, and it is highlighted.
  for (const box of await page.locator('#runs-table tr[data-testid="run-row"] input[type="checkbox"]').all()) await box.check();
  await page.click('#runs-compare');
  const diff = await page.$$eval('table.compare-params tr.diff', (trs) => trs.map((t) => t.dataset.param));
  assert.deepEqual(diff, ['model__C']);
  assert.match(await page.textContent('#runs-compare-view h3'), /1 parameter differs/);
  assert.equal(await page.locator('table.compare-folds[data-metric="accuracy"] tbody tr').count(), 6, '5 folds + mean ± std');
  await page.selectOption('#runs-metric', 'accuracy');
  const view = page.locator('#runs-section');
  await view.scrollIntoViewIfNeeded();
  await checkAxe(page, 'runs view (compare)', '#runs-section');
  await view.screenshot({ path: join(RESULTS, 'runs-view.png') });

  // Rename, reload: the runs (and the new name) are still there.
  const first = page.locator('#runs-table tr[data-testid="run-row"]').first();
  await first.locator('button', { hasText: 'rename' }).click();
  await first.locator('.run-name input').fill('baseline C=1?');
  await first.locator('.run-name input').press('Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('#runs-table .run-name')].some((t) => t.textContent === 'baseline C=1?'));
  await page.reload();
  await page.waitForSelector('body[data-ready="true"][data-areas="ready"]', { timeout: 60_000 });
  await waitRows(2);
  assert.ok((await storedRuns()).some((r) => r.name === 'baseline C=1?'));

  // Open restores the data (a built-in example) and the pipeline.
  const target = (await storedRuns()).find((r) => Object.fromEntries(r.params).model__C === '0.1');
  await page.click(`#runs-table tr[data-run-id="${target.id}"] [data-testid="run-open"]`);
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'));
  await page.waitForFunction(() => document.querySelector('#model-params [data-param="C"]')?.value === '0.1');
  const spec = JSON.parse(await page.inputValue('#spec-json'));
  assert.deepEqual(spec.model, { LogisticRegression: { C: 0.1 } });
  assert.equal(spec.target, 'species');

  // Export, clear, import: the same runs come back.
  const doc = await page.evaluate(async () => (await import('./www/runs_store.js')).exportRuns());
  await page.click('#runs-clear');
  await waitRows(0);
  const file = join(mkdtempSync(join(tmpdir(), 'pipelab-runs-')), 'runs.json');
  writeFileSync(file, JSON.stringify(doc));
  await page.setInputFiles('#runs-import', file);
  await waitRows(2);
  assert.equal(await rowCount(), 2);
  assert.deepEqual(pageErrors, []);
});

test('a run logged from the page arrives in MLflow with the CLI layout', async () => {
  await page.fill('#mlflow-uri', mlflow.url);
  await page.fill('#mlflow-experiment', 'page-e2e');
  await page.setChecked('#mlflow-enabled', true);
  await page.dispatchEvent('#mlflow-uri', 'change');
  // iris is still loaded: "open" in the test before loaded it back after the reload.
  await configure(0.5);
  const before_ = await rowCount();
  await train();
  await waitRows(before_ + 1);
  await page.waitForFunction(() => /logged .* as MLflow run|not logged/.test(document.querySelector('#mlflow-status')?.textContent ?? ''), null, { timeout: 60_000 });
  const status = await page.textContent('#mlflow-status');
  assert.match(status, /as MLflow run [0-9a-f]{32}/, status);
  const runId = /run ([0-9a-f]{32})/.exec(status)[1];
  const local = (await storedRuns()).find((r) => r.mlflow?.run_id === runId);
  assert.ok(local, 'the local run records its MLflow run id');

  const { run } = await api(`/runs/get?run_id=${runId}`);
  assert.equal(run.info.status, 'FINISHED');
  const params = kv(run.data.params);
  assert.deepEqual(params, Object.fromEntries(local.params), 'every parameter, by the search paths');
  assert.equal(params.model__C, '0.5');
  const tags = kv(run.data.tags);
  assert.equal(tags['data.name'], 'iris.csv');
  assert.equal(tags['data.rows'], '150');
  assert.equal(tags['data.sha256'], local.data.sha256);
  assert.equal(tags['pipelab.command'], 'cv');
  for (const [m, s] of Object.entries(local.metrics)) {
    const h = await api(`/metrics/get-history?run_id=${runId}&metric_key=${m}`);
    const steps = h.metrics.sort((a, b) => a.step - b.step).map((e) => [e.step, e.value]);
    assert.deepEqual(steps, s.folds.map((v, i) => [i, v]), `${m} per fold`);
    const latest = kv(run.data.metrics);
    assert.equal(latest[`${m}_mean`], s.mean);
    assert.equal(latest[`${m}_std`], s.std);
  }
  const files = (await api(`/artifacts/list?run_id=${runId}`)).files.map((f) => f.path);
  assert.deepEqual(files, ['spec.json']);
  const root = run.info.artifact_uri.replace(/^mlflow-artifacts:\/?/, '');
  const specBack = await (await fetch(`${mlflow.url}/api/2.0/mlflow-artifacts/artifacts/${root}/spec.json`)).json();
  assert.deepEqual(specBack, local.spec);

  // The CLI, given the same spec, logs the same parameter names and values.
  assert.ok(CLI, 'target/debug/pipelab (or release) must be built for this test: cargo build');
  const dir = mkdtempSync(join(tmpdir(), 'pipelab-cli-'));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(local.spec));
  const cli = spawnSync(CLI, ['cv', '--data', join(ROOT, 'www/datasets/iris.csv'), '--spec', join(dir, 'spec.json'), '--mlflow', mlflow.url, '--experiment', 'page-e2e', '--mlflow-required'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  const cliRun = /logged run ([0-9a-f]{32})/.exec(cli.stderr)[1];
  const cliParams = kv((await api(`/runs/get?run_id=${cliRun}`)).run.data.params);
  assert.deepEqual(cliParams, params, 'page and CLI log identical params for the same spec');

  // Saving the model records a fit run: the model file is stored with it and logged as an artifact.
  const nFit = await rowCount();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
  const saved = readFileSync(await dl.path(), 'utf8');
  await waitRows(nFit + 1);
  await page.waitForFunction(() => /logged "fit [^"]*" as MLflow run|not logged/.test(document.querySelector('#mlflow-status')?.textContent ?? ''), null, { timeout: 60_000 });
  const fstatus = await page.textContent('#mlflow-status');
  const fitId = /as MLflow run ([0-9a-f]{32})/.exec(fstatus)?.[1];
  assert.ok(fitId, fstatus);
  const fitLocal = (await storedRuns()).find((r) => r.mlflow?.run_id === fitId);
  assert.equal(fitLocal.kind, 'fit');
  assert.equal(fitLocal.model_text, saved, 'the run keeps the model file that was saved');
  const fitRun = (await api(`/runs/get?run_id=${fitId}`)).run;
  assert.equal(kv(fitRun.data.tags)['pipelab.command'], 'fit');
  const froot = fitRun.info.artifact_uri.replace(/^mlflow-artifacts:\/?/, '');
  assert.equal(await (await fetch(`${mlflow.url}/api/2.0/mlflow-artifacts/artifacts/${froot}/model/model.json`)).text(), saved);

  // A search from the page: a parent run and one child run per candidate.
  await page.setChecked('#search-enable', true);
  await page.selectOption('#search-kind', 'GridSearchCV');
  await page.selectOption('#search-scoring', 'accuracy');
  while ((await page.locator('#search-params .search-param').count()) < 1) await page.click('#search-add-param');
  await page.selectOption('[data-testid="search-path-0"]', 'model__C');
  await page.fill('[data-testid="search-values-0"]', '0.1, 1, 10');
  await page.fill('#search-workers', '1');
  const nBefore = await rowCount();
  await page.click('#search-run');
  await page.waitForFunction(() => !document.querySelector('#search-run').disabled && /^(done|failed|cancelled)/.test(document.querySelector('#search-progress-text').textContent), null, { timeout: 90_000 });
  assert.match(await page.textContent('#search-progress-text'), /^done: 3 candidates/, await page.textContent('#search-error'));
  await page.waitForFunction((n) => document.querySelectorAll('#runs-table tr[data-testid="run-row"]').length > n, nBefore, { timeout: 30_000 });
  await page.waitForFunction(() => /with 3 child runs|not logged/.test(document.querySelector('#mlflow-status')?.textContent ?? ''), null, { timeout: 60_000 });
  const sstatus = await page.textContent('#mlflow-status');
  assert.match(sstatus, /with 3 child runs/, sstatus);
  const parentId = /run ([0-9a-f]{32})/.exec(sstatus)[1];
  const searchRun = (await storedRuns()).find((r) => r.mlflow?.run_id === parentId);
  assert.equal(searchRun.kind, 'search');
  const parent = (await api(`/runs/get?run_id=${parentId}`)).run;
  const pp = kv(parent.data.params);
  assert.equal(pp.search, 'GridSearchCV');
  assert.equal(pp.search__param_grid, '{"model__C":[0.1,1,10]}');
  assert.equal(pp.best_model__C, JSON.stringify(searchRun.search.best_params.model__C));
  assert.equal(kv(parent.data.metrics).best_cv_score, searchRun.search.best_score);
  const kids = (await api('/runs/search', { experiment_ids: [parent.info.experiment_id], filter: `tags.mlflow.parentRunId = '${parentId}'`, max_results: 100 })).runs;
  assert.equal(kids.length, 3);
  for (const k of kids) {
    const i = Number(kv(k.data.tags)['search.index']);
    const cand = searchRun.search.candidates[i];
    assert.deepEqual(kv(k.data.params), Object.fromEntries(cand.all_params), `child ${i} params`);
    assert.equal(Number(kv(k.data.params).model__C), cand.params.model__C, `child ${i} model__C`);
    const h = await api(`/metrics/get-history?run_id=${k.info.run_id}&metric_key=accuracy`);
    assert.deepEqual(h.metrics.sort((a, b) => a.step - b.step).map((e) => e.value), cand.folds, `child ${i} folds`);
  }
  await page.setChecked('#search-enable', false);

  // An unreachable server: the failure is shown with its reason, the local run kept.
  const port = await freePort();
  harness.allowOrigin(`http://127.0.0.1:${port}`); // the dead server this test points the page at
  await page.fill('#mlflow-uri', `http://127.0.0.1:${port}`);
  await page.locator(`#runs-table tr[data-run-id="${local.id}"] [data-testid="run-log"]`).click();
  await page.waitForFunction(() => /not logged/.test(document.querySelector('#mlflow-status')?.textContent ?? ''), null, { timeout: 30_000 });
  assert.match(await page.textContent('#mlflow-status'), /unreachable/);
  assert.ok((await storedRuns()).some((r) => r.id === local.id && r.mlflow.status === 'failed' && r.mlflow.kind === 'unreachable'));
  await page.setChecked('#mlflow-enabled', false);
  assert.deepEqual(pageErrors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)), []);
});
