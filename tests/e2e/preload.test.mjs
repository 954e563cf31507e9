// index.html preloads every module of the page's static import graph (issue 17, page load):
// a module missing from the list is fetched only once its importer has been parsed, one more
// round trip before the page can start. Run with the e2e files by `node --test tests/e2e/`,
// without a browser: it reads the files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const www = new URL('../../www/', import.meta.url);
const html = readFileSync(new URL('../../index.html', import.meta.url), 'utf8');

/** The modules `entry` imports statically, directly or not (paths relative to www/). */
function graph(entries) {
  const seen = new Set();
  const walk = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(new URL(file, www), 'utf8');
    for (const m of src.matchAll(/^import\s[^;]*?\sfrom\s'\.\/([^']+)'/gms)) walk(new URL(m[1], new URL(file, www)).pathname.slice(www.pathname.length));
  };
  entries.forEach(walk);
  return seen;
}

test("index.html preloads every module its module scripts import, and only those", () => {
  const scripts = [...html.matchAll(/<script type="module" src="www\/([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(scripts, ['app.js', 'a11y.js']);
  const preloaded = [...html.matchAll(/<link rel="modulepreload"[^>]* href="www\/([^"]+)"/g)].map((m) => m[1]);
  const needed = [...graph(scripts)].filter((f) => !scripts.includes(f));
  assert.deepEqual([...preloaded].sort(), needed.sort());
});
