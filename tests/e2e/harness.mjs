// The shared set-up of the end-to-end tests: the static server, Debian's
// Chromium driven by playwright-core, and a page that reports its errors.
// (Not a test file itself: `node --test tests/e2e/` runs the *.test.mjs files.)
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS = join(ROOT, 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Serves the repository on a free port; resolves with {server, base}. */
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

/**
 * Starts Chromium on the page at PIPELAB_URL (set by scripts/test.sh), or on the
 * repository served here. `contextOptions` go to browser.newContext (after a
 * 1360×900 viewport). Returns {browser, context, base, close}.
 */
export async function launch(contextOptions = {}) {
  let server = null;
  let base = process.env.PIPELAB_URL;
  if (!base) ({ server, base } = await startServer());
  mkdirSync(RESULTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, ...contextOptions });
  const close = async () => {
    await browser.close();
    server?.kill();
  };
  return { browser, context, base, close };
}

/**
 * Opens the page in `context` and waits until it is ready. Page errors and
 * console errors are pushed to `errors`; dialogs (there must be none) are
 * dismissed and their text pushed to `dialogs`.
 */
export async function openPage(context, base, errors = [], dialogs = []) {
  const p = await context.newPage();
  p.on('pageerror', (e) => errors.push(String(e)));
  p.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  p.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await p.goto(base);
  await p.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return p;
}
