// The shared set-up of the end-to-end tests: the static server, Debian's
// Chromium driven by playwright-core, and a page that reports its errors.
// (Not a test file itself: `node --test tests/e2e/` runs the *.test.mjs files.)
//
// Every browser context made by `launch` is audited (issue 16 §4, issue 15 §6):
// Content-Security-Policy violations (`securitypolicyviolation` events in every
// document), requests that leave the page's origin, and the axe-core runs a test
// asks for with `checkAxe`. `close()` fails the test file if any CSP violation or
// off-origin request was seen (an MLflow test declares its server with
// `harness.allowOrigin(url)`), and writes the counts to test-results/audit/.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS = join(ROOT, 'test-results');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Serves `root` (default: the repository) on a free port; resolves with {server, base}. */
export function startServer(extraArgs = []) {
  const server = spawn(process.execPath, [join(ROOT, 'scripts', 'serve.mjs'), '--port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
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

const audits = new WeakMap();

/**
 * Starts recording CSP violations and off-origin requests in `context` (pages
 * opened on `base`). Idempotent. Returns the audit record:
 * {origin, csp: [...], offOrigin: [...], requests: n, allowed: Set, axe: {stage: n}}.
 */
export async function auditContext(context, base) {
  if (audits.has(context)) return audits.get(context);
  const audit = { origin: new URL(base).origin, csp: [], offOrigin: [], requests: 0, allowed: new Set(), axe: {} };
  audits.set(context, audit);
  await context.exposeBinding('__pipelabCspViolation', (source, v) => {
    audit.csp.push({ page: source.frame?.url?.() ?? '', ...v });
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__pipelabCspViolation?.({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: `${e.sourceFile}:${e.lineNumber}` });
    });
  });
  context.on('request', (r) => {
    audit.requests++;
    const url = r.url();
    if (/^(data|blob|about|chrome|chrome-extension|devtools):/.test(url)) return;
    let origin;
    try {
      origin = new URL(url).origin;
    } catch {
      origin = url;
    }
    if (origin !== audit.origin && !audit.allowed.has(origin)) audit.offOrigin.push(url);
  });
  return audit;
}

export const auditOf = (context) => audits.get(context);

/** The audit's findings as an Error message, or '' when clean. */
export function auditProblems(audit) {
  const out = [];
  if (audit.csp.length) out.push(`${audit.csp.length} Content-Security-Policy violation(s): ${JSON.stringify(audit.csp.slice(0, 5))}`);
  if (audit.offOrigin.length) out.push(`${audit.offOrigin.length} request(s) left the page's origin ${audit.origin}: ${audit.offOrigin.slice(0, 5).join(', ')}`);
  return out.join('\n');
}

/**
 * Starts Chromium on the page at PIPELAB_URL (set by scripts/test.sh), or on the
 * repository served here. `contextOptions` go to browser.newContext (after a
 * 1360×900 viewport). Returns {browser, context, base, audit, allowOrigin, close}.
 */
export async function launch(contextOptions = {}) {
  let server = null;
  let base = process.env.PIPELAB_URL;
  if (!base) ({ server, base } = await startServer());
  mkdirSync(RESULTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, ...contextOptions });
  const audit = await auditContext(context, base);
  const close = async () => {
    await browser.close();
    server?.kill();
    writeAudit(audit);
    const problems = auditProblems(audit);
    if (problems) throw new Error(problems);
  };
  const allowOrigin = (url) => audit.allowed.add(new URL(url).origin);
  return { browser, context, base, audit, allowOrigin, close };
}

/** Writes the audit's counts to test-results/audit/<test file>.json (read by the report). */
export function writeAudit(audit, name = basename(process.argv[1] ?? 'e2e', '.test.mjs')) {
  const dir = join(RESULTS, 'audit');
  mkdirSync(dir, { recursive: true });
  const summary = { csp_violations: audit.csp.length, off_origin_requests: audit.offOrigin.length, requests: audit.requests, allowed: [...audit.allowed], axe: audit.axe, csp: audit.csp, offOrigin: audit.offOrigin };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
}

/**
 * Opens the page in `context` and waits until it is ready. Page errors and
 * console errors are pushed to `errors`; dialogs (there must be none) are
 * dismissed and their text pushed to `dialogs`.
 */
export async function openPage(context, base, errors = [], dialogs = []) {
  await auditContext(context, base);
  const p = await context.newPage();
  p.on('pageerror', (e) => errors.push(String(e)));
  p.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  p.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  // The areas the first result does not use are set up at once, not after it (app.js `lateTime`).
  await p.addInitScript(() => {
    window.pipelabAreasAtOnce = true;
  });
  await p.goto(base);
  // data-ready: load → train works; data-areas: every area is set up (app.js `lateAreas`).
  await p.waitForSelector('body[data-ready="true"][data-areas="ready"]', { timeout: 60_000 });
  return p;
}

/**
 * axe-core's violations on `page` now (every rule axe runs by default: WCAG 2.x A/AA and best
 * practices), on the whole page or only inside the `include` selector (axe on a page holding a
 * 31-column profile takes ~100 s on a loaded 2-core machine: the flows check the area they show).
 */
export async function axeViolations(page, include = null) {
  const b = new AxeBuilder({ page });
  if (include) b.include(include);
  const r = await b.analyze();
  return r.violations;
}

/** A readable one-line-per-rule summary of axe violations. */
export const axeSummary = (violations) =>
  violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length} node(s)): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`).join('\n');

/**
 * Runs axe-core on `page` (or inside `include`) at a named stage of a flow, records
 * the count in the context's audit and fails when there is any violation.
 */
export async function checkAxe(page, stage, include = null) {
  const violations = await axeViolations(page, include);
  const audit = audits.get(page.context());
  if (audit) audit.axe[stage] = violations.reduce((n, v) => n + v.nodes.length, 0);
  if (violations.length) throw new Error(`axe-core at "${stage}": ${violations.length} rule(s) violated\n${axeSummary(violations)}`);
}
