#!/usr/bin/env node
// The pipelab benchmark (issue 7): the same tasks natively (release CLI), in
// headless Chromium (the production wasm build in a module Worker, as the page
// runs it) and, when available, with scikit-learn (1 thread and default threads).
// Builds nothing: scripts/bench.sh builds first, then runs this.
//
//   node bench/bench.mjs [--quick] [--reps N] [--only id,id] [--no-native] [--no-browser] [--no-sklearn]
//
// --quick: every data set has 1/20 of its rows and each task runs once (after the warm-up).
// Writes bench/out/results.md and bench/out/results.json; data goes to bench/out/data.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, 'bench');
const OUT = join(BENCH, 'out');
const DATA = join(OUT, 'data');
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target');
const BIN = join(TARGET, 'release', 'pipelab');
const PYTHON = process.env.PYTHON ?? 'python3';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TASK_TIMEOUT_MS = 60 * 60 * 1000;

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const has = (f) => argv.includes(f);
const val = (f, d) => {
  const i = argv.indexOf(f);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d;
};
for (const a of argv) {
  if (a.startsWith('--') && !['--quick', '--reps', '--only', '--no-native', '--no-browser', '--no-sklearn', '--page-runs'].includes(a)) {
    console.error(`bench: unknown option ${a}\nusage: node bench/bench.mjs [--quick] [--reps N] [--page-runs N] [--only id,id] [--no-native] [--no-browser] [--no-sklearn]`);
    process.exit(2);
  }
}
const QUICK = has('--quick');
const SCALE = QUICK ? 20 : 1;
const REPS = Number(val('--reps', QUICK ? 1 : 5));
const PAGE_RUNS = Number(val('--page-runs', QUICK ? 1 : 5));
const ONLY = val('--only', null)?.split(',');
const log = (...a) => console.error('bench:', ...a);

// ---------------------------------------------------------------- helpers

/** A CLI/wasm error for a model or step this build does not have, in plain words. */
function classifyError(msg) {
  const m = /unknown variant `([^`]+)`/.exec(msg ?? '');
  if (m) return { error: msg, unavailable: true, short: `not available in this build (${m[1]})` };
  return { error: msg, short: `error: ${String(msg).split('\n')[0].slice(0, 80)}` };
}

function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { median_ms: median, min_ms: s[0], max_ms: s[n - 1], reps: n, times_ms: times };
}

const sig = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
function cellTime(r) {
  if (!r) return 'n/a';
  if (r.short) return r.short;
  if (r.median_ms === undefined) return 'n/a';
  return r.reps > 1 ? `${sig(r.median_ms)} (${sig(r.min_ms)}–${sig(r.max_ms)})` : sig(r.median_ms);
}
function ratio(a, b) {
  if (!a || !b || a.median_ms === undefined || b.median_ms === undefined) return 'n/a';
  return `${(a.median_ms / b.median_ms).toFixed(2)}×`;
}
const mb = (kb) => (kb == null ? '?' : `${(kb / 1024).toFixed(0)}`);
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: TASK_TIMEOUT_MS, ...opts });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

// ---------------------------------------------------------------- plan and data

const suite = JSON.parse(readFileSync(join(BENCH, 'suite.json'), 'utf8'));
mkdirSync(DATA, { recursive: true });
if (!existsSync(BIN)) {
  log(`${BIN} is missing: run scripts/bench.sh (it builds the release CLI and the web bundle first)`);
  process.exit(1);
}

function dataset(id) {
  const d = suite.datasets[id];
  if (d.file) {
    // A committed file (e.g. www/datasets/breast_cancer.csv): used as is, --quick included.
    const path = join(ROOT, d.file);
    return { id, path, url: `/${d.file}`, rows: d.rows, cols: d.cols, bytes: statSync(path).size };
  }
  const rows = Math.max(1, Math.floor(d.rows / SCALE));
  const classes = d.classes ?? (d.task === 'blobs' ? 8 : 2);
  const name = `${d.task}_${rows}x${d.cols}_k${classes}_s${d.seed}.csv`;
  const path = join(DATA, name);
  if (!existsSync(path)) {
    log(`generating ${name}`);
    const tmp = `${path}.tmp`;
    const r = run(BIN, ['generate', '--task', d.task, '--rows', String(rows), '--cols', String(d.cols), '--seed', String(d.seed), '--classes', String(classes), '--out', tmp]);
    if (r.code !== 0) {
      log(`generate failed: ${r.stderr || r.error}`);
      process.exit(1);
    }
    renameSync(tmp, path);
  }
  return { id, path, url: `/${relative(ROOT, path).split('\\').join('/')}`, rows, cols: d.cols, bytes: statSync(path).size };
}

const tasks = suite.tasks
  .filter((t) => !ONLY || ONLY.includes(t.id))
  .map((t) => {
    const d = dataset(t.data);
    const specPath = t.spec ? join(BENCH, t.spec) : null;
    const spec = specPath ? JSON.parse(readFileSync(specPath, 'utf8')) : null;
    const title = QUICK ? `${t.title} (quick: ${d.rows.toLocaleString('en')} rows)` : t.title;
    return { id: t.id, title, op: t.op, data: d.path, dataUrl: d.url, rows: d.rows, cols: d.cols, data_bytes: d.bytes, specPath, spec, reps: REPS, jobs: t.jobs ?? 1 };
  });
const planPath = join(OUT, 'plan.json');
writeFileSync(planPath, JSON.stringify({ quick: QUICK, tasks }, null, 2));

// ---------------------------------------------------------------- native

function native(t) {
  const args = ['bench-task', '--task', t.op, '--data', t.data, '--reps', String(t.reps)];
  if (t.specPath) args.push('--spec', t.specPath);
  // jobs -1: every core, as scikit-learn's n_jobs=-1 (folds / trees on threads, the same result).
  if (t.jobs === -1) args.push('--threads', String(availableParallelism()));
  const r = run(BIN, args);
  if (r.code !== 0) return classifyError((r.stderr || String(r.error)).trim().replace(/^pipelab: error: /, ''));
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------- browser

function startServer() {
  const server = spawn(process.execPath, [join(ROOT, 'scripts', 'serve.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/\S+)/);
      if (m) resolve({ server, base: m[1] });
    });
    server.on('exit', (code) => reject(new Error(`static server exited with ${code}`)));
  });
}

async function pageLoadRuns(browser, base, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    // A fresh context has an empty HTTP cache: every run is a cold load.
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.addInitScript(() => {
      const mark = () => {
        if (!window.__benchReady && document.body?.dataset.ready === 'true') window.__benchReady = performance.now();
        if (!window.__benchFirstCv && document.querySelector('[data-testid^="mean-"]')) window.__benchFirstCv = performance.now();
      };
      new MutationObserver(mark).observe(document, { subtree: true, childList: true, attributes: true });
    });
    try {
      await page.goto(base);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      await page.click('#load-example'); // iris is the default example
      await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv'), null, { timeout: 60_000 });
      await page.click('#train');
      await page.waitForFunction(() => window.__benchFirstCv || document.querySelector('#train-error')?.textContent, null, { timeout: 60_000 });
      const r = await page.evaluate(() => ({
        ready_ms: window.__benchReady,
        first_cv_ms: window.__benchFirstCv,
        train_error: document.querySelector('#train-error')?.textContent || null,
        progress: document.querySelector('#progress-text')?.textContent,
        resources: performance.getEntriesByType('resource').map((e) => ({ name: e.name, encoded_bytes: e.encodedBodySize, transfer_bytes: e.transferSize })),
      }));
      if (!r.first_cv_ms) throw new Error(`no CV result: ${r.train_error ?? errors.join('; ')}`);
      out.push(r);
    } catch (e) {
      out.push({ error: `${e.message}${errors.length ? ` (page errors: ${errors.join('; ')})` : ''}` });
    }
    await ctx.close();
  }
  return out;
}

function bundleSizes() {
  const files = [];
  const add = (rel) => {
    const p = join(ROOT, rel);
    if (existsSync(p) && statSync(p).isFile()) {
      const b = readFileSync(p);
      files.push({ file: rel, raw: b.length, gzip: gzipSync(b, { level: 9 }).length });
    }
  };
  const pkg = join(ROOT, 'www', 'pkg');
  if (!existsSync(pkg)) return null;
  for (const f of readdirSync(pkg)) if (/\.(wasm|js)$/.test(f)) add(`www/pkg/${f}`);
  for (const f of readdirSync(join(ROOT, 'www'))) if (/\.js$/.test(f)) add(`www/${f}`);
  if (existsSync(join(ROOT, 'www', 'vendor'))) for (const f of readdirSync(join(ROOT, 'www', 'vendor'))) if (/\.js$/.test(f)) add(`www/vendor/${f}`);
  add('index.html');
  add('www/style.css');
  const sum = (pred) => files.filter(pred).reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
  return {
    wasm: sum((f) => f.file.endsWith('.wasm')),
    js: sum((f) => f.file.endsWith('.js')),
    total: sum(() => true),
    files,
  };
}

async function browserSide(results) {
  if (!existsSync(join(ROOT, 'www', 'pkg', 'pipelab_full.js'))) {
    log('browser: www/pkg is not built (scripts/build-web.sh); skipped');
    return { skipped: 'www/pkg is not built (run scripts/build-web.sh)' };
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    log(`browser: playwright-core is not installed (scripts/setup.sh): ${e.message}`);
    return { skipped: 'playwright-core is not installed (run scripts/setup.sh)' };
  }
  const { server, base } = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const info = { chromium: browser.version() };
  try {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(new URL('bench/browser.html', base).href);
    await page.waitForSelector('body[data-ready="true"]');
    for (const t of tasks) {
      log(`browser ${t.id} …`);
      // Every core (jobs -1): the page's own path, CV folds or a forest's trees on its worker pool (bench/browser.js runPool).
      const pool = t.jobs === -1;
      const req = { dataUrl: t.dataUrl, op: t.op, spec: t.spec, reps: t.reps };
      const r = await page.evaluate(([q, usePool]) => (usePool ? window.runPool(q) : window.runTask(q)), [req, pool]);
      if (r.ok) {
        const s = stats(r.times_ms);
        s.wasm_memory_bytes = r.wasm_memory_bytes;
        s.ua_memory_bytes = r.ua_memory_bytes;
        if (r.first_ms !== undefined) s.first_ms = r.first_ms;
        if (r.workers !== undefined) s.workers = r.workers;
        if (r.fit_ms) {
          s.fit_median_ms = stats(r.fit_ms).median_ms;
          s.predict_median_ms = stats(r.predict_ms).median_ms;
        }
        results[t.id].browser = s;
      } else {
        results[t.id].browser = classifyError(r.error);
      }
      log(`browser ${t.id}: ${cellTime(results[t.id].browser)}`);
    }
    await ctx.close();
    if (!ONLY || ONLY.includes('page')) {
      log(`page load → first iris CV result, ${PAGE_RUNS} cold run(s) …`);
      const runs = await pageLoadRuns(browser, base, PAGE_RUNS);
      const ok = runs.filter((r) => !r.error);
      info.page_load = ok.length ? { ...stats(ok.map((r) => r.first_cv_ms)), ready_median_ms: stats(ok.map((r) => r.ready_ms)).median_ms, runs } : { ...classifyError(runs[0]?.error), runs };
      log(`page load: ${cellTime(info.page_load)}`);
    }
  } finally {
    await browser.close();
    server.kill();
  }
  return info;
}

// ---------------------------------------------------------------- scikit-learn

function sklearnSide(results) {
  const env = { ...process.env };
  // Set on some machines for old OpenBLAS builds; they slow a current numpy (see .library/env/README.md).
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const probe = run(PYTHON, ['-c', 'import sklearn, numpy, threadpoolctl; print(sklearn.__version__)'], { env });
  if (probe.code !== 0) {
    log('scikit-learn: not available');
    return { available: false };
  }
  const version = probe.stdout.trim();
  log(`scikit-learn ${version}`);
  for (const mode of ['1', 'default']) {
    const menv = { ...env };
    if (mode === '1') Object.assign(menv, { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });
    for (const t of tasks) {
      const r = run(PYTHON, [join(BENCH, 'sklearn_bench.py'), '--plan', planPath, '--task', t.id, '--threads', mode], { env: menv });
      let out;
      try {
        out = JSON.parse(r.stdout);
      } catch {
        out = { error: (r.stderr || String(r.error)).trim().split('\n').slice(-1)[0] };
      }
      if (out.error) out = { ...out, short: `error: ${out.error.slice(0, 80)}` };
      results[t.id][mode === '1' ? 'sklearn_1t' : 'sklearn_default'] = out;
      log(`sklearn (${mode === '1' ? '1 thread' : 'default threads'}) ${t.id}: ${cellTime(out)}`);
    }
  }
  return { available: true, version };
}

// ---------------------------------------------------------------- main

const results = Object.fromEntries(tasks.map((t) => [t.id, {}]));
if (!has('--no-native')) {
  for (const t of tasks) {
    log(`native ${t.id} …`);
    results[t.id].native = native(t);
    log(`native ${t.id}: ${cellTime(results[t.id].native)}`);
  }
}
const browserInfo = has('--no-browser') ? { skipped: '--no-browser' } : await browserSide(results);
const sk = has('--no-sklearn') ? { available: false, skipped: '--no-sklearn' } : sklearnSide(results);
const bundle = bundleSizes();

const gitRev = run('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']).stdout.trim();
const rustc = run('rustc', ['--version']).stdout.trim();
const machine = {
  cpu: cpus()[0]?.model ?? '?',
  cores: cpus().length,
  memory_gib: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  rustc,
  chromium: browserInfo.chromium ?? null,
  sklearn: sk.version ?? null,
  commit: gitRev,
  date: new Date().toISOString(),
};

// ---------------------------------------------------------------- report

const lines = [];
lines.push(`# pipelab benchmark${QUICK ? ' (quick: 1/20 sizes, 1 rep — not a measurement)' : ''}`);
lines.push('');
lines.push(`${machine.date} · commit ${machine.commit} · ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gib} GiB · ${machine.rustc} · Chromium ${machine.chromium ?? 'n/a'} · scikit-learn ${sk.available ? sk.version : sk.skipped ? 'skipped' : 'not available'} · node ${machine.node}`);
lines.push('');
lines.push(`Times in ms: median (min–max) over ${REPS} rep(s) after one warm-up. Ratios use medians; < 1 means pipelab is faster.`);
lines.push('Peak memory in MB: native max RSS / browser wasm memory / scikit-learn 1-thread max RSS (each task in its own process or worker).');
lines.push('');
lines.push('| task | native ms | browser ms | sklearn 1-thread ms | sklearn default ms | native / sklearn-1t | browser / sklearn-1t | peak memory MB (native / wasm / sklearn) |');
lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
const skCell = sk.skipped ? 'skipped' : 'not available';
for (const t of tasks) {
  const r = results[t.id];
  const mem = `${mb(r.native?.peak_rss_kb)} / ${r.browser?.wasm_memory_bytes ? mb(r.browser.wasm_memory_bytes / 1024) : '?'} / ${mb(r.sklearn_1t?.peak_rss_kb)}`;
  lines.push(`| ${t.title} | ${cellTime(r.native)} | ${cellTime(r.browser)} | ${sk.available ? cellTime(r.sklearn_1t) : skCell} | ${sk.available ? cellTime(r.sklearn_default) : skCell} | ${ratio(r.native, r.sklearn_1t)} | ${ratio(r.browser, r.sklearn_1t)} | ${mem} |`);
}
if (browserInfo.page_load) {
  const p = browserInfo.page_load;
  lines.push(`| 8 page load → first iris CV result (cold${PAGE_RUNS > 1 ? `, ${PAGE_RUNS} runs` : ''}) | | ${cellTime(p)} | | | | | |`);
}
lines.push('');
if (browserInfo.page_load?.ready_median_ms !== undefined) lines.push(`Page load: worker ready after ${sig(browserInfo.page_load.ready_median_ms)} ms (median), first iris CV result shown after ${sig(browserInfo.page_load.median_ms)} ms; includes the automated clicks on Load and Train.`);
if (bundle) {
  lines.push(`Bundle (www/pkg + www/*.js + www/vendor + index.html + style.css): wasm ${kib(bundle.wasm.raw)} raw / ${kib(bundle.wasm.gzip)} gzip -9; JS ${kib(bundle.js.raw)} raw / ${kib(bundle.js.gzip)} gzip; total ${kib(bundle.total.raw)} raw / ${kib(bundle.total.gzip)} gzip.`);
} else {
  lines.push('Bundle: www/pkg is not built.');
}
if (browserInfo.skipped) lines.push(`Browser: skipped (${browserInfo.skipped}).`);
if (!sk.available) lines.push(sk.skipped ? `scikit-learn: skipped (${sk.skipped})` : 'scikit-learn: not available');
const firsts = tasks.filter((t) => results[t.id].browser?.first_ms !== undefined).map((t) => `${t.id} ${sig(results[t.id].browser.first_ms)} ms`);
if (firsts.length) lines.push(`Browser first fit after a load (builds the drift reference, which the Session then keeps for the table; the medians above are the later fits): ${firsts.join(', ')}.`);
const pooled = tasks.filter((t) => results[t.id].browser?.workers !== undefined).map((t) => `${t.id} on ${results[t.id].browser.workers} pool worker(s) beside the page's worker (wasm memory: all of them)`);
if (pooled.length) lines.push(`Browser every-core rows through the page's worker pool (CV folds: www/cv_pool.js; a forest's trees: www/fit_pool.js; navigator.hardwareConcurrency workers): ${pooled.join(', ')}; the other browser rows run one worker.`);
const lr = results.linreg?.browser;
if (lr?.fit_median_ms !== undefined) lines.push(`Browser fit+predict split (task 6): fit ${sig(lr.fit_median_ms)} ms (incl. model JSON), predict_loaded_summary ${sig(lr.predict_median_ms)} ms (every row of the loaded table predicted; the page writes the CSV only on download).`);
lines.push('');
lines.push('What each column times is described in bench/README.md (browser "fit" includes writing the model file; browser PCA is the steps-only Session.preview).');
const md = lines.join('\n') + '\n';

writeFileSync(join(OUT, 'results.md'), md);
writeFileSync(
  join(OUT, 'results.json'),
  JSON.stringify({ quick: QUICK, reps: REPS, machine, tasks: tasks.map((t) => ({ ...t, spec: t.spec, results: results[t.id] })), page_load: browserInfo.page_load ?? null, browser: browserInfo.skipped ? { skipped: browserInfo.skipped } : undefined, sklearn: sk, bundle }, null, 2),
);
console.log(md);
log(`wrote ${relative(ROOT, join(OUT, 'results.md'))} and results.json`);
