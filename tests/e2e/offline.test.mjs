// End-to-end: the page offline and on any static host (issue 15 §5).
// - After the first visit a service worker (sw.js) has cached the build listed in
//   www/pkg/manifest.js: offline, the page reloads, loads an example and cross-validates.
// - Served under a sub-path (relative URLs only), it works, and offline too.
// - A new build (another hash) replaces the cache.
// - scripts/serve.mjs: malformed paths get 400, the wasm is sent br/gzip-compressed.
//
//   node --test tests/e2e/offline.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ROOT, RESULTS, launch, openPage, startServer, auditContext, auditProblems } from './harness.mjs';

let harness;
const servers = [];
const dirs = [];

before(async () => {
  harness = await launch();
});

after(async () => {
  for (const s of servers) s.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await harness?.close();
});

const buildOf = (root) => /PIPELAB_BUILD = "([0-9a-f]+)"/.exec(readFileSync(join(root, 'www', 'pkg', 'manifest.js'), 'utf8'))[1];

/** Waits until the service worker controls `p` and its cache is complete; returns the cache names. */
async function cached(p) {
  await p.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 120_000 });
  return p.evaluate(async () => {
    const keys = await caches.keys();
    const files = await Promise.all(keys.map(async (k) => (await (await caches.open(k)).keys()).length));
    return { keys, files };
  });
}

async function trainIris(p) {
  await p.selectOption('#example-select', 'iris.csv');
  await p.click('#load-example');
  await p.waitForFunction(() => document.querySelector('#data-info')?.textContent.includes('iris.csv: 150 rows'), null, { timeout: 60_000 });
  await p.click('#train');
  await p.waitForFunction(() => /^(done|failed)/.test(document.querySelector('#progress-text')?.textContent ?? ''), null, { timeout: 90_000 });
  assert.match(await p.textContent('#progress-text'), /^done/, await p.textContent('#train-error'));
  return Number(await p.textContent('[data-testid="mean-accuracy"]'));
}

test('after the first visit the page works offline: reload, load an example, cross-validate', async () => {
  const errors = [];
  const p = await openPage(harness.context, harness.base, errors);
  const { keys, files } = await cached(p);
  const manifest = readFileSync(join(ROOT, 'www', 'pkg', 'manifest.js'), 'utf8');
  const listed = JSON.parse(manifest.slice(manifest.indexOf('['), manifest.lastIndexOf(']') + 1));
  assert.deepEqual(keys, [`pipelab-${buildOf(ROOT)}`]);
  assert.equal(files[0], listed.length, 'every listed file is cached');
  for (const f of ['www/pkg/pipelab_core_bg.wasm', 'www/pkg/pipelab_full_bg.wasm', 'www/pkg/catalog.json', 'www/vendor/chart.umd.min.js', 'www/worker.js', 'www/app.js', 'index.html', 'www/datasets/iris.csv']) assert.ok(listed.includes(f), f);
  const online = await trainIris(p);

  await harness.context.setOffline(true);
  try {
    await p.reload();
    await p.waitForSelector('body[data-ready="true"][data-areas="ready"]', { timeout: 60_000 });
    // Really offline: what is not cached cannot be fetched (and the browser says so in the console).
    const n = errors.length;
    assert.equal(await p.evaluate(() => fetch(`nothing-${Math.random()}.txt`).then(() => 'fetched', () => 'failed')), 'failed');
    await p.waitForTimeout(200);
    assert.ok(errors.splice(n).every((e) => e.includes('net::ERR_FAILED')));
    assert.equal(await trainIris(p), online, 'the same score offline');
    await p.screenshot({ path: join(RESULTS, 'offline-trained.png') });
  } finally {
    await harness.context.setOffline(false);
  }
  assert.deepEqual(errors, []);
  await p.close();
});

test('served under a sub-path, every URL stays under it; offline works there too', async () => {
  const { server, base } = await startServer(['--base', '/deep/sub/path/']);
  servers.push(server);
  assert.match(base, /\/deep\/sub\/path\/$/);
  const context = await harness.browser.newContext({ viewport: { width: 1360, height: 900 } });
  const audit = await auditContext(context, base);
  const paths = [];
  context.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol === 'http:') paths.push(u.pathname);
  });
  const errors = [];
  const p = await openPage(context, base, errors);
  await trainIris(p);
  await cached(p);
  assert.ok(paths.length > 20, `${paths.length} requests`);
  assert.deepEqual(paths.filter((x) => !x.startsWith('/deep/sub/path/')), [], 'no request outside the sub-path');
  // The repository root itself is not served at /: absolute URLs would have failed.
  const root = await fetch(new URL('/index.html', base));
  assert.equal(root.status, 404);
  await context.setOffline(true);
  await p.reload();
  await p.waitForSelector('body[data-ready="true"][data-areas="ready"]', { timeout: 60_000 });
  await trainIris(p);
  await context.setOffline(false);
  assert.deepEqual(errors, []);
  assert.equal(auditProblems(audit), '');
  await context.close();
});

test('a new build replaces the cached one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipelab-offline-'));
  dirs.push(dir);
  for (const f of ['index.html', 'sw.js', 'www']) cpSync(join(ROOT, f), join(dir, f), { recursive: true, dereference: true });
  const { server, base } = await startServer(['--root', dir]);
  servers.push(server);
  const context = await harness.browser.newContext();
  const audit = await auditContext(context, base);
  const p = await openPage(context, base);
  const before = buildOf(dir);
  assert.deepEqual((await cached(p)).keys, [`pipelab-${before}`]);

  // "Deploy" a new version: a changed stylesheet, a new manifest.
  appendFileSync(join(dir, 'www', 'style.css'), '\n/* new build */\n');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'web-manifest.mjs'), '--root', dir]);
  const after = buildOf(dir);
  assert.notEqual(after, before);
  await p.reload();
  // The reload's update check finds the changed manifest: the new worker installs, then drops the old cache.
  let keys = [];
  for (const t0 = Date.now(); Date.now() - t0 < 120_000; await p.waitForTimeout(500)) {
    keys = await p.evaluate(() => caches.keys());
    if (keys.join() === `pipelab-${after}`) break;
  }
  assert.deepEqual(keys, [`pipelab-${after}`]);
  // Offline, the page is the new build, from the new cache.
  await context.setOffline(true);
  await p.reload();
  await p.waitForSelector('body[data-ready="true"][data-areas="ready"]', { timeout: 60_000 });
  const css = await p.evaluate(() => fetch('www/style.css').then((r) => r.text()));
  assert.ok(css.includes('/* new build */'), `the new build is served from the new cache: ${css.slice(-80)}`);
  await context.setOffline(false);
  assert.equal(auditProblems(audit), '');
  await context.close();
});

/** A raw GET (no URL normalisation, no automatic decompression). */
function get(base, path, headers = {}) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET', headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the static server: 400 for malformed paths, compressed wasm, the CSP header', async () => {
  const { server, base } = await startServer();
  servers.push(server);
  for (const path of ['/%E0%A4%A', '/www/%', '/%00', '/a%00b.js', '//etc/passwd']) {
    const r = await get(base, path);
    assert.equal(r.status, 400, `${path}: ${r.status} ${r.body}`);
  }
  assert.equal((await get(base, '/..%2f..%2fetc%2fpasswd')).status, 403);
  assert.equal((await get(base, '/no/such/file.js')).status, 404);
  const wasm = readFileSync(join(ROOT, 'www', 'pkg', 'pipelab_core_bg.wasm'));
  const br = await get(base, '/www/pkg/pipelab_core_bg.wasm', { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers['content-type'], 'application/wasm');
  assert.match(br.headers.vary, /Accept-Encoding/);
  assert.ok(brotliDecompressSync(br.body).equals(wasm));
  assert.ok(br.body.length < wasm.length * 0.6, `brotli ${br.body.length} of ${wasm.length} bytes`);
  const gz = await get(base, '/www/pkg/pipelab_core_bg.wasm', { 'Accept-Encoding': 'br;q=0, gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gunzipSync(gz.body).equals(wasm));
  const plain = await get(base, '/www/pkg/pipelab_core_bg.wasm');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.ok(plain.body.equals(wasm));
  console.log(`wasm ${wasm.length} bytes, gzip ${gz.body.length}, brotli ${br.body.length}`);
  const html = await get(base, '/');
  assert.match(html.headers['content-security-policy'], /frame-ancestors 'none'/);
});
