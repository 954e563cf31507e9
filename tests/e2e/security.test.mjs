// End-to-end: a page that gives hostile content nothing to work with (issue 16 §4).
// - The Content-Security-Policy: the meta tag and the server's header agree, the
//   directives are the issue's, the page's markup and modules need no
//   'unsafe-inline', and the policy is enforced (a positive control).
// - Every flow of every e2e file runs audited by harness.mjs (0 CSP violations,
//   0 requests leaving the origin); this file checks that the audit itself sees them.
// - Hostile content — HTML and script in column names, class labels, file names,
//   a model file; bidi control characters; very long strings — renders as text in
//   the profile, tables, charts' tables, the model summary, and download names.
//
//   node --test tests/e2e/security.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, RESULTS, launch, openPage, startServer } from './harness.mjs';

const INDEX = readFileSync(join(ROOT, 'index.html'), 'utf8');
const META = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(INDEX)?.[1];

let harness;
let page;
const pageErrors = [];
const servers = [];

before(async () => {
  harness = await launch({ acceptDownloads: true });
  page = await openPage(harness.context, harness.base, pageErrors);
});

after(async () => {
  for (const s of servers) s.kill();
  await harness?.close();
});

const directives = (policy) => Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));

test('the policy: meta tag and header agree, with the issue\'s directives', async () => {
  assert.ok(META, 'index.html has a CSP meta tag');
  const { server, base } = await startServer();
  servers.push(server);
  const header = (await fetch(base)).headers.get('content-security-policy');
  assert.equal(header, `${META}; frame-ancestors 'none'`, 'the header is the meta tag plus frame-ancestors');
  const d = directives(header);
  assert.deepEqual(d['default-src'], ["'self'"]);
  assert.deepEqual(d['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
  // https: for a data URL the user types (issue 18); plain http only to local servers (MLflow).
  assert.deepEqual(d['connect-src'], ["'self'", 'https:', 'http://127.0.0.1:*', 'http://localhost:*']);
  assert.deepEqual(d['object-src'], ["'none'"]);
  assert.deepEqual(d['base-uri'], ["'none'"]);
  assert.deepEqual(d['frame-ancestors'], ["'none'"]);
  assert.equal(directives(META)['frame-ancestors'], undefined, 'frame-ancestors is ignored in a meta tag: header only');
  assert.ok(!header.includes('unsafe-inline') && !/'unsafe-eval'/.test(header));
  // The worker and the modules get the header too (a worker has its own policy).
  for (const path of ['www/worker.js', 'www/app.js', 'sw.js']) assert.equal((await fetch(new URL(path, base))).headers.get('content-security-policy'), header, path);
});

test('nothing in the markup or the modules needs unsafe-inline', () => {
  const inlineScripts = [...INDEX.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter(([, attrs, body]) => !/\bsrc=/.test(attrs) || body.trim());
  assert.deepEqual(inlineScripts.map((m) => m[0].slice(0, 80)), [], 'no inline <script>');
  assert.deepEqual([...INDEX.matchAll(/\sstyle\s*=/g)].length, 0, 'no style attribute in index.html');
  assert.deepEqual([...INDEX.matchAll(/\son[a-z]+\s*=/gi)].map((m) => m[0]), [], 'no inline event handler');
  assert.doesNotMatch(INDEX, /<style\b/, 'no <style> element');
  const bad = /setAttribute\(\s*['"]style['"]|\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(|javascript:/;
  for (const dir of ['www', '.']) {
    for (const f of readdirSync(join(ROOT, dir)).filter((n) => n.endsWith('.js') && !n.includes('config'))) {
      const src = readFileSync(join(ROOT, dir, f), 'utf8');
      assert.doesNotMatch(src, bad, `${dir}/${f}`);
    }
  }
});

test('the policy is enforced and the audit sees violations and off-origin requests', async () => {
  const { audit } = harness;
  const [csp0, off0] = [audit.csp.length, audit.offOrigin.length];
  const r = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.body.append(s);
    const d = document.createElement('div');
    d.setAttribute('style', 'color: red');
    document.body.append(d);
    const blocked = await fetch('http://example.com/').then(() => 'fetched', (e) => `blocked: ${e.message}`);
    await new Promise((res) => setTimeout(res, 300));
    s.remove();
    d.remove();
    return { inline: window.__inlineRan ?? false, color: getComputedStyle(d).color, blocked };
  });
  assert.equal(r.inline, false, 'an injected inline script does not run');
  assert.match(r.blocked, /^blocked/);
  await page.waitForTimeout(300);
  const seen = audit.csp.slice(csp0).map((v) => v.directive);
  assert.ok(seen.some((x) => x.startsWith('script-src')), `inline script reported: ${JSON.stringify(seen)}`);
  assert.ok(seen.some((x) => x.startsWith('style-src')), `style attribute reported: ${JSON.stringify(seen)}`);
  assert.ok(seen.some((x) => x.startsWith('connect-src')), `off-origin fetch reported: ${JSON.stringify(seen)}`);
  // A request CSP lets through (a local port, as MLflow's) is seen by the off-origin audit.
  await page.evaluate(() => fetch('http://127.0.0.1:9/').catch(() => null));
  await page.waitForTimeout(300);
  assert.ok(audit.offOrigin.slice(off0).some((u) => u.startsWith('http://127.0.0.1:9/')), JSON.stringify(audit.offOrigin));
  // These were deliberate: the rest of the file must add none.
  audit.csp.length = csp0;
  audit.offOrigin.length = off0;
  const n = pageErrors.length;
  await page.waitForTimeout(100);
  pageErrors.splice(n);
  // Chrome reports each refusal in the console too: drop those from this page's error list.
  for (let i = pageErrors.length - 1; i >= 0; i--) if (/Content Security Policy|ERR_CONNECTION_REFUSED|Failed to fetch|Failed to load resource/.test(pageErrors[i])) pageErrors.splice(i, 1);
});

// ------------------------------------------------------------ hostile content

const EVIL = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=2</script>',
  '\u202Eevil\u202C\u2066name\u2069',
  `long_${'x'.repeat(3000)}`,
];
const LABELS = ['<b onmouseover="window.__pwned=3">A</b>', '</td><script>window.__pwned=4</script>', '\u202Egnp.exe'];
// What a download name must not hold: path and reserved characters, controls, bidi overrides and isolates.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_NAME = /[<>:"/\\|?*\u0000-\u001f\u202a-\u202e\u2066-\u2069]/;
const FILE = '<svg onload="window.__pwned=5">\u202Evsc.csv';

function hostileCsv() {
  const q = (s) => `"${s.replace(/"/g, '""')}"`;
  const lines = [[...EVIL, 'label'].map(q).join(',')];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 90; i++) {
    const k = i % 3;
    lines.push([(k + rnd()).toFixed(3), (2 * k + rnd()).toFixed(3), q(LABELS[(i + 1) % 3]), (rnd() * 10).toFixed(2), q(LABELS[k])].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** How the page shows a string: bidi embedding/override/isolate characters made visible (dom.js showBidiControls). */
const shown = (s) => s.replace(/[\u202a-\u202e\u2066-\u2069]/g, (ch) => `\u27e6U+${ch.codePointAt(0).toString(16).toUpperCase()}\u27e7`);

async function noScriptRan(p, where) {
  const r = await p.evaluate(() => ({ pwned: window.__pwned ?? null, imgs: document.querySelectorAll('img, svg, b, main script').length }));
  assert.deepEqual(r, { pwned: null, imgs: 0 }, where);
}

/** The page text (textContent of main), whitespace-normalised. */
const pageText = (p) => p.evaluate(() => document.querySelector('main').textContent);

test('hostile column names, class labels and file names render as text everywhere', async () => {
  await page.setInputFiles('#csv-file', { name: FILE, mimeType: 'text/csv', buffer: Buffer.from(hostileCsv(), 'utf8') });
  await page.waitForFunction(() => / 90 rows/.test(document.querySelector('#data-info')?.textContent ?? ''), null, { timeout: 60_000 });
  await page.waitForSelector('#profile-view:not([hidden])');
  await noScriptRan(page, 'after load');
  let text = await pageText(page);
  for (const s of [...EVIL, ...LABELS, FILE]) assert.ok(text.includes(shown(s)), `shown literally after the profile: ${JSON.stringify(s.slice(0, 40))}`);
  assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(text), 'no bidi control reorders what is shown');

  // Charts: their numbers' tables carry the labels as text. The profile draws a chart when its
  // card comes near the viewport: scrolled to, every card's chart is drawn.
  await page.locator('#profile-view .pcol').last().scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll('#profile-view [data-testid="chart-numbers"]').length === document.querySelectorAll('#profile-view canvas').length);
  const tables = page.locator('[data-testid="chart-numbers"]');
  assert.ok((await tables.count()) > 0, 'the profile has charts with text alternatives');
  for (let i = 0; i < (await tables.count()); i++) await tables.nth(i).locator('summary').click();
  text = await pageText(page);
  for (const s of LABELS) assert.ok(text.includes(shown(s)), `a chart's table shows ${JSON.stringify(s)}`);
  await noScriptRan(page, 'chart tables open');
  for (const [sel, file] of [['#columns-table', 'security-columns.png'], ['.pcol >> nth=2', 'security-profile-column.png']]) {
    await page.locator(sel).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(RESULTS, file) });
  }

  await page.selectOption('#target-select', 'label');
  await page.selectOption('#task-select', 'classification');
  await page.selectOption('#model-select', 'LogisticRegression');
  await page.click('#preview');
  await page.waitForSelector('#preview-out:not([hidden])');
  await page.click('#train');
  await page.waitForFunction(() => /^(done|failed)/.test(document.querySelector('#progress-text')?.textContent ?? ''), null, { timeout: 90_000 });
  assert.match(await page.textContent('#progress-text'), /^done/, await page.textContent('#train-error'));
  await page.waitForTimeout(500);
  await noScriptRan(page, 'after CV');
  await page.locator('#results-section').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(RESULTS, 'security-hostile.png') });

  // The model file: downloaded under a safe name, loaded back, summarised as text.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
  const modelName = dl.suggestedFilename();
  assert.doesNotMatch(modelName, UNSAFE_NAME, modelName);
  assert.match(modelName, /\.json$/);
  const modelText = readFileSync(await dl.path(), 'utf8');
  await page.setInputFiles('#model-file', { name: `<img src=x onerror="window.__pwned=6">\u202Enosj.json`, mimeType: 'application/json', buffer: Buffer.from(modelText) });
  await page.waitForFunction(() => /nosj\.json/.test(document.querySelector('#model-summary')?.textContent ?? ''));
  text = await page.textContent('#model-summary');
  for (const s of LABELS) assert.ok(text.includes(shown(s)), `the model summary lists the class ${JSON.stringify(s)}`);
  await noScriptRan(page, 'model loaded');

  // Predictions: the table shows the labels as text; the download name is safe.
  await page.click('#predict-loaded');
  await page.waitForSelector('#predictions:not([hidden])');
  text = await page.textContent('#predictions-table');
  assert.ok(LABELS.some((s) => text.includes(shown(s))));
  const [pd] = await Promise.all([page.waitForEvent('download'), page.click('#download-predictions')]);
  assert.doesNotMatch(pd.suggestedFilename(), UNSAFE_NAME, pd.suggestedFilename());
  console.log(`download names: ${JSON.stringify(modelName)}, ${JSON.stringify(pd.suggestedFilename())}`);
  await noScriptRan(page, 'predicted');

  // The page's own sanitiser (Chrome also rewrites some of these; the page does not rely on it).
  const safe = await page.evaluate(async (names) => {
    const { safeFileName } = await import('./www/dom.js');
    return names.map((n) => safeFileName(n));
  }, ['\u202Etxt.exe', '../../etc/passwd', '<img src=x>.csv', `${'y'.repeat(300)}.json`, '\u0000']);
  assert.deepEqual(safe, ['txt.exe', '_.._etc_passwd', '_img src=x_.csv', `${'y'.repeat(115)}.json`, 'download']);

  // A tampered model file (script in a step name) is refused with the name as text.
  const tampered = modelText.replace('"LogisticRegression"', JSON.stringify('<img src=x onerror="window.__pwned=7">'));
  assert.notEqual(tampered, modelText);
  await page.setInputFiles('#model-file', { name: 'tampered.json', mimeType: 'application/json', buffer: Buffer.from(tampered) });
  await page.waitForSelector('#predict-error:not([hidden])');
  await noScriptRan(page, 'tampered model');
  assert.deepEqual(pageErrors, []);
});
