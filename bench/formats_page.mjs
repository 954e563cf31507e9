// The page's read time per data format (issue 18): file picked in the page's own file input
// (#csv-file, as a user would) → table read, profiled and shown (#data-info names the file and
// its row count; the profile is rendered in the same task). Each page load is a fresh browser
// context (cold HTTP and service-worker caches), so its first pick includes fetching and
// compiling the lazily loaded module (web-full for Parquet/xlsx/JSON, sql.js for SQLite); the
// second pick of the same file is the warm figure. Also the main worker's wasm memory after
// the first read (wasm memory only grows: the peak of that read and what came before it).
//
//   scripts/build-web.sh                                   # the production page (fat LTO)
//   $HOME/.cache/pipelab/venv-interop/bin/python bench/formats_page_data.py test-results/formats-page 100000
//   node bench/formats_page.mjs [dir] [rows] [page loads] [ext,ext,...]
//
// Defaults: test-results/formats-page, 100000, 3, csv,parquet,sqlite,jsonl,xlsx. Prints one
// line per page load and a median line per format (median of the page loads).
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2] ?? join(ROOT, 'test-results', 'formats-page');
const rows = Number(process.argv[3] ?? 100_000);
const loads = Number(process.argv[4] ?? 3);
const exts = (process.argv[5] ?? 'csv,parquet,sqlite,jsonl,xlsx').split(',');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TIMEOUT = 600_000;

const server = spawn(process.execPath, [join(ROOT, 'scripts', 'serve.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/serving (http:\/\/\S+)/);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`static server exited with ${code}`)));
});
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS, headless: true });

/** One timed pick of `file` in `page`: {ms, info}; throws with the page's message on an error. */
async function pick(page, file, name) {
  await page.evaluate(() => {
    window.__fp = { pick: null, done: null, info: '' };
    const e = document.querySelector('#data-error');
    e.hidden = true;
    e.textContent = '';
  });
  await page.setInputFiles('#csv-file', file);
  const h = await page.waitForFunction(
    () => (window.__fp.done !== null ? 'done' : document.querySelector('#data-error:not([hidden])')?.textContent || null),
    null,
    { timeout: TIMEOUT, polling: 100 },
  );
  const state = await h.jsonValue();
  if (state !== 'done') throw new Error(`${name}: ${state}`);
  return page.evaluate(() => ({ ms: window.__fp.done - window.__fp.pick, info: window.__fp.info }));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sec = (ms) => (ms / 1000).toFixed(2);
const MB = (b) => (b / 1048576).toFixed(1);

try {
  const summary = [];
  for (const ext of exts) {
    const name = `data${rows}.${ext}`;
    const file = join(dir, name);
    const size = statSync(file).size;
    const firsts = [];
    const seconds = [];
    const mems = [];
    for (let k = 0; k < loads; k++) {
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(base);
      await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
      // The pick time (the input's change event, capture phase: before the page's handler) and
      // the time #data-info first names this file with its rows (MutationObserver: delivered
      // after the synchronous render of the info line, the profile and the columns table).
      await page.evaluate(
        ([n, r]) => {
          window.__fp = { pick: null, done: null, info: '' };
          document.addEventListener('change', (e) => {
            if (e.target.id === 'csv-file') window.__fp.pick = performance.now();
          }, true);
          const info = document.querySelector('#data-info');
          new MutationObserver(() => {
            const t = info.textContent;
            if (window.__fp.pick !== null && window.__fp.done === null && t.startsWith(n) && t.includes(`: ${r} rows`)) {
              window.__fp.done = performance.now();
              window.__fp.info = t;
            }
          }).observe(info, { childList: true, characterData: true, subtree: true });
        },
        [name, rows],
      );
      const a = await pick(page, file, name);
      // The page's store holds the read's summary, with the worker's wasm memory after it.
      const mem = await page.evaluate(async () => (await import(new URL('www/store.js', document.baseURI).href)).store.get('data')?.summary?.memory_bytes ?? null);
      const b = await pick(page, file, name);
      if (errors.length) throw new Error(`${name}: page errors: ${errors.join(' | ')}`);
      firsts.push(a.ms);
      seconds.push(b.ms);
      if (mem !== null) mems.push(mem);
      console.log(`${name} (${MB(size)} MiB) load ${k + 1}: first ${sec(a.ms)} s, second ${sec(b.ms)} s, wasm memory after the first read ${mem === null ? '?' : MB(mem) + ' MiB'} · ${a.info}`);
      await context.close();
    }
    const line = `${ext}\t${MB(size)} MiB\tfirst ${sec(median(firsts))} s\tsecond ${sec(median(seconds))} s\twasm memory ${mems.length ? MB(median(mems)) + ' MiB' : '?'}\t(median of ${loads})`;
    summary.push(line);
    console.log(`MEDIAN ${line}`);
  }
  console.log('\nformat\tsize\tfirst pick\tsecond pick\tworker wasm memory');
  for (const l of summary) console.log(l);
} finally {
  await browser.close();
  server.kill();
}
