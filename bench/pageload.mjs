#!/usr/bin/env node
// The timeline of a cold page load → first iris CV result (the benchmark's task 8, issue 17):
// the same automation as bench/bench.mjs `pageLoadRuns` (fresh context = cold HTTP cache,
// click Load, click Train), with where the time goes: the document, every request of the page
// and of its worker (start → end), the worker's marks (www/worker.js), the paints, and the
// moments the automation acted, so its own latency is told apart from the page's.
//
//   node bench/pageload.mjs [--runs N] [--json FILE] [--empty]      (after scripts/build-web.sh)
//
// Prints each run's timeline (ms since navigation start) and the medians of the milestones.
// --empty: the same automation on a page that does nothing (a Load and a Train button answering
// at once, served by the same server): what the clicks and polling cost, which is not the page's.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS as ARGS, startServer } from '../tests/e2e/harness.mjs';

const argv = process.argv.slice(2);
const val = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const RUNS = Number(val('--runs', 5));
const JSON_OUT = val('--json', null);
const EMPTY = argv.includes('--empty');
const EMPTY_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>empty</title></head><body>
<button id="load-example">Load</button><p id="data-info"></p><button id="train">Train</button><p id="out"></p>
<script src="empty.js"></script></body></html>`;
const EMPTY_JS = `document.body.dataset.ready = 'true';
document.getElementById('load-example').onclick = () => { document.getElementById('data-info').textContent = 'iris.csv: 150 rows'; };
document.getElementById('train').onclick = () => { const s = document.createElement('span'); s.dataset.testid = 'mean-accuracy'; s.textContent = '0.96'; document.getElementById('out').append(s); };`;

/** In the page before any script: the moments of the milestones the benchmark waits for. */
function initScript() {
  const t = (window.__tl = {});
  const mark = () => {
    const now = performance.now();
    if (!t.ready && document.body?.dataset.ready === 'true') t.ready = now;
    if (!t.dataInfo && document.querySelector('#data-info')?.textContent.includes('iris.csv')) t.dataInfo = now;
    if (!t.profile && document.querySelector('#profile-view canvas, #profile-view svg, #profile-view table')) t.profile = now;
    if (!t.firstCv && document.querySelector('[data-testid^="mean-"]')) t.firstCv = now;
  };
  new MutationObserver(mark).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  // Long tasks, layout shifts, and each frame where the Train / Load buttons moved.
  const ev = (t.events = []);
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) ev.push([e.startTime, `longtask ${e.duration.toFixed(0)} ms`]);
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) ev.push([e.startTime, `layout-shift ${e.value.toFixed(3)}`]);
  }).observe({ type: 'layout-shift', buffered: true });
  const last = {};
  const frame = () => {
    for (const id of ['load-example', 'train']) {
      const r = document.getElementById(id)?.getBoundingClientRect();
      const key = r ? `${r.top.toFixed(0)},${r.height.toFixed(0)}` : '-';
      if (key !== last[id]) ev.push([performance.now(), `#${id} at ${key}`]);
      last[id] = key;
    }
    if (!t.firstCv) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  // The worker protocol: each request sent and each reply, by type.
  const W = window.Worker;
  window.Worker = class extends W {
    constructor(url, o) {
      super(url, o);
      const name = String(url).replace(/^.*\//, '');
      ev.push([performance.now(), `new Worker ${name}`]);
      const types = new Map();
      const post = this.postMessage.bind(this);
      this.postMessage = (m, ...rest) => {
        types.set(m?.id, m?.type);
        ev.push([performance.now(), `→ ${name} ${m?.type} #${m?.id}`]);
        return post(m, ...rest);
      };
      this.addEventListener('message', (e) => {
        const m = e.data;
        if (m?.type === 'result') ev.push([performance.now(), `← ${name} ${types.get(m.id)} #${m.id} ${m.ok ? 'ok' : m.need_full ? 'need_full' : 'error'}`]);
      });
    }
  };
  document.addEventListener('click', (e) => {
    const id = e.target?.id;
    if (id === 'load-example') t.clickLoad ??= performance.now();
    if (id === 'train') t.clickTrain ??= performance.now();
  }, true);
}

async function oneRun(browser, base) {
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(initScript);
  if (EMPTY) {
    await page.route(`${base}__empty/`, (r) => r.fulfill({ contentType: 'text/html', body: EMPTY_HTML }));
    await page.route(`${base}__empty/empty.js`, (r) => r.fulfill({ contentType: 'text/javascript', body: EMPTY_JS }));
  }
  const host = {};
  const tHost = () => performance.timeOrigin + performance.now();
  host.goto = tHost();
  await page.goto(EMPTY ? `${base}__empty/` : base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  host.ready = tHost();
  await page.click('#load-example');
  host.clickLoadDone = tHost();
  await page.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv'), null, { timeout: 60_000 });
  host.dataInfo = tHost();
  await page.click('#train');
  host.clickTrainDone = tHost();
  await page.waitForFunction(() => window.__tl.firstCv || document.querySelector('#train-error')?.textContent, null, { timeout: 60_000 });
  host.firstCv = tHost();
  const pageSide = await page.evaluate(() => ({
    origin: performance.timeOrigin,
    tl: window.__tl,
    nav: performance.getEntriesByType('navigation')[0]?.toJSON(),
    paints: performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]),
    resources: performance.getEntriesByType('resource').map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize })),
    marks: performance.getEntriesByType('mark').map((e) => [e.name, e.startTime]),
    trainError: document.querySelector('#train-error')?.textContent || null,
  }));
  const workers = [];
  for (const w of page.workers()) {
    try {
      workers.push({
        url: w.url(),
        ...(await w.evaluate(() => ({
          origin: performance.timeOrigin,
          resources: performance.getEntriesByType('resource').map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize })),
          marks: [...performance.getEntriesByType('mark'), ...performance.getEntriesByType('measure')].map((e) => [e.duration ? `${e.name} (${e.duration.toFixed(0)} ms)` : e.name, e.startTime]),
        }))),
      });
    } catch (e) {
      workers.push({ url: w.url(), error: e.message });
    }
  }
  await ctx.close();
  // Worker times on the page's clock.
  for (const w of workers) {
    const shift = (w.origin ?? pageSide.origin) - pageSide.origin;
    w.shift = shift;
    for (const r of w.resources ?? []) Object.assign(r, { start: r.start + shift, end: r.end + shift });
    for (const m of w.marks ?? []) m[1] += shift;
  }
  return { ...pageSide, workers, host, errors };
}

const short = (u) => u.replace(/^https?:\/\/[^/]+\//, '/');
const f = (x) => (x == null ? '   –  ' : x.toFixed(0).padStart(6));

function print(r, i) {
  const rows = [];
  const n = r.nav;
  rows.push([0, n.responseEnd, 'document (index.html)']);
  rows.push([n.domInteractive, n.domContentLoadedEventEnd, 'domInteractive → DOMContentLoaded end']);
  rows.push([n.loadEventStart, n.loadEventEnd, 'load event']);
  for (const [name, t] of r.paints) rows.push([t, null, name]);
  for (const e of r.resources) rows.push([e.start, e.end, `page  ${short(e.name)} (${e.bytes} B)`]);
  for (const m of r.marks) rows.push([m[1], null, `page mark ${m[0]}`]);
  for (const w of r.workers) {
    for (const e of w.resources ?? []) rows.push([e.start, e.end, `worker ${short(w.url)}: ${short(e.name)} (${e.bytes} B)`]);
    for (const m of w.marks ?? []) rows.push([m[1], null, `worker ${short(w.url)} mark ${m[0]}`]);
  }
  const tl = r.tl;
  for (const [t, what] of tl.events ?? []) rows.push([t, null, `  ${what}`]);
  for (const [k, at] of Object.entries(r.host)) rows.push([at - r.origin, null, `host: ${k} returned`]);
  for (const k of ['ready', 'clickLoad', 'dataInfo', 'profile', 'clickTrain', 'firstCv']) rows.push([tl[k], null, `» ${k}`]);
  rows.sort((a, b) => (a[0] ?? 1e9) - (b[0] ?? 1e9));
  console.log(`\nrun ${i + 1}${r.errors.length ? ` (page errors: ${r.errors.join('; ')})` : ''}`);
  for (const [a, b, what] of rows) console.log(`${f(a)} ${b == null ? '      ' : f(b)}  ${what}`);
  console.log(`automation: ready → click Load ${f(tl.clickLoad - tl.ready)}, data shown → click Train ${f(tl.clickTrain - tl.dataInfo)}`);
}

const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};

const { server, base } = await startServer();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const r = await oneRun(browser, base);
    print(r, i);
    runs.push(r);
  }
} finally {
  await browser.close();
  server.kill();
}
const keys = ['ready', 'clickLoad', 'dataInfo', 'profile', 'clickTrain', 'firstCv'];
console.log(`\nmedians over ${runs.length} runs (ms since navigation start):`);
for (const k of keys) console.log(`${k.padEnd(12)} ${f(median(runs.map((r) => r.tl[k])))}`);
console.log(`${'FCP'.padEnd(12)} ${f(median(runs.map((r) => r.paints.find((p) => p[0] === 'first-contentful-paint')?.[1])))}`);
console.log(`${'DCL end'.padEnd(12)} ${f(median(runs.map((r) => r.nav.domContentLoadedEventEnd)))}`);
console.log(`${'load end'.padEnd(12)} ${f(median(runs.map((r) => r.nav.loadEventEnd)))}`);
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(runs, null, 2));
