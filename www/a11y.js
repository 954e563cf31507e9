// Accessibility, page-wide (issue 15 §6). Loaded once by index.html; every rule
// here applies to panels added later without their code knowing about it:
//
// - A region dimmed with the class `disabled` is made `inert` (out of the tab
//   order and the accessibility tree, as it is out of use).
// - Scroll containers (`.scroll`, `.tree-scroll`, `.code-view`, `.profile-flags`)
//   are focusable, so a keyboard user can scroll them.
// - Every Chart.js chart gets a text alternative: the canvas is an image named by
//   its title and datasets, followed by a "Show the numbers" disclosure that
//   builds a table of its data when opened.
// - Long tasks: when the control that started one is disabled while it runs and
//   focus falls back to <body>, focus returns to it when it is enabled again.
// - Results are announced in one polite aria-live region (`announce(text)`),
//   fed by the status lines that end a task ("done …", "failed …").
// - Bidi embedding/override/isolate characters in any text shown are made visible.
import { el, showBidiControls } from './dom.js';

const SCROLLERS = '.scroll, .tree-scroll, .code-view, .profile-flags';
// Table headers that sort on click (runs, cv_results): reachable and usable with the keyboard.
const SORTABLE = 'th[data-sort], th[title="click to sort"], th[title="sort"]';
const MAX_TABLE_ROWS = 500;

let live = null;

/** Says `text` to screen-reader users (a polite live region; the last message stays readable). */
export function announce(text) {
  if (!live) return;
  // Re-setting the same text is not announced again: clear first.
  live.textContent = '';
  setTimeout(() => {
    live.textContent = text;
  }, 50);
}

// ---------------------------------------------------------------- inert regions, scrollers

const madeInert = new WeakSet();

function syncInert(node) {
  if (node.classList.contains('disabled')) {
    node.setAttribute('inert', '');
    madeInert.add(node);
  } else if (madeInert.has(node)) {
    node.removeAttribute('inert');
    madeInert.delete(node);
  }
}

function makeScrollerFocusable(node) {
  if (node.hasAttribute('tabindex')) return;
  node.setAttribute('tabindex', '0');
  // A named region for a plain box; a list or table keeps its own role (and a list its name).
  if (node.tagName !== 'DIV') return;
  if (!node.hasAttribute('role')) node.setAttribute('role', 'region');
  if (!node.hasAttribute('aria-label') && !node.hasAttribute('aria-labelledby')) {
    const table = node.querySelector('table[id], pre[id]');
    const label = node.closest('[aria-label]')?.getAttribute('aria-label') ?? node.previousElementSibling?.textContent?.trim() ?? '';
    node.setAttribute('aria-label', label ? `${label} (scrollable)` : table ? `${table.id.replace(/-/g, ' ')} (scrollable)` : 'scrollable area');
  }
}

function scan(root) {
  if (!(root instanceof Element)) return;
  if (root.matches(SCROLLERS)) makeScrollerFocusable(root);
  for (const n of root.querySelectorAll(SCROLLERS)) makeScrollerFocusable(n);
  for (const th of [root, ...root.querySelectorAll(SORTABLE)]) if (th.matches(SORTABLE) && !th.hasAttribute('tabindex')) th.setAttribute('tabindex', '0');
  if (root.classList.contains('disabled')) syncInert(root);
}

function sortWithKeys(e) {
  if ((e.key !== 'Enter' && e.key !== ' ') || !(e.target instanceof Element) || !e.target.matches(SORTABLE)) return;
  e.preventDefault();
  const th = e.target;
  const [table, index] = [th.closest('table'), th.cellIndex];
  th.click();
  // The table is drawn again: keep the focus on the same column's header.
  table?.querySelector('thead tr')?.cells[index]?.focus();
}

// ---------------------------------------------------------------- bidi controls, made visible

// Text from files (column names, class labels, file names) may hold bidi embedding,
// override or isolate characters that reorder what is shown ("\u202Egnp.exe" displays
// as "exe.png"). Wherever text enters the page, they are shown as "⟦U+202E⟧".
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;

function defuseText(root) {
  if (root.nodeType === Node.TEXT_NODE) {
    if (BIDI.test(root.data)) root.data = showBidiControls(root.data);
    return;
  }
  if (!(root instanceof Element) || !BIDI.test(root.textContent)) return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (BIDI.test(n.data)) n.data = showBidiControls(n.data);
}

// ---------------------------------------------------------------- charts: a table on demand

function chartName(chart) {
  const title = chart.options?.plugins?.title;
  const t = title?.display && title.text ? [title.text].flat().join(' ') : '';
  const sets = (chart.data?.datasets ?? []).map((d) => d.label).filter(Boolean);
  const fig = chart.canvas.closest('figure')?.querySelector('figcaption, h4')?.textContent?.trim();
  const head = t || fig || chart.canvas.closest('[data-testid]')?.dataset.testid?.replace(/-/g, ' ') || 'chart';
  return `${head}${sets.length ? `: ${sets.join(', ')}` : ''} (${chart.config.type} chart; its numbers are in the table below it)`;
}

const cell = (v) => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return String(v);
};

/** The chart's data as a table: one row per label (or point), one column per dataset. */
function chartTable(chart) {
  const labels = chart.data?.labels ?? [];
  const sets = chart.data?.datasets ?? [];
  const xy = sets.some((d) => (d.data ?? []).some((p) => p !== null && typeof p === 'object'));
  const table = el('table', { class: 'chart-table' });
  const xTitle = chart.options?.scales?.x?.title?.text ?? (xy ? 'x' : '');
  const yTitle = chart.options?.scales?.y?.title?.text ?? 'y';
  let rows = 0;
  let total = 0;
  const body = el('tbody');
  if (xy) {
    table.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'series'), el('th', { scope: 'col' }, String(xTitle || 'x')), el('th', { scope: 'col' }, String(yTitle)))));
    for (const d of sets) {
      for (const [i, p] of (d.data ?? []).entries()) {
        total++;
        if (rows >= MAX_TABLE_ROWS) continue;
        const [x, y] = p !== null && typeof p === 'object' ? [p.x, p.y] : [labels[i], p];
        body.append(el('tr', {}, el('th', { scope: 'row' }, d.label || 'series'), el('td', { class: 'num' }, cell(x)), el('td', { class: 'num' }, cell(y))));
        rows++;
      }
    }
  } else {
    table.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, String(xTitle || 'label')), ...sets.map((d, k) => el('th', { scope: 'col', class: 'num' }, d.label || `series ${k + 1}`)))));
    for (const [i, l] of labels.entries()) {
      total++;
      if (rows >= MAX_TABLE_ROWS) continue;
      body.append(el('tr', {}, el('th', { scope: 'row' }, cell(Array.isArray(l) ? l.join(' ') : l) || '(blank)'), ...sets.map((d) => el('td', { class: 'num' }, cell(d.data?.[i])))));
      rows++;
    }
  }
  table.append(body);
  const note = total > rows ? el('p', { class: 'muted' }, `the first ${rows} of ${total} points`) : null;
  return [table, note];
}

const alternatives = new WeakMap(); // canvas → its <details>

function attachAlternative(chart) {
  const canvas = chart.canvas;
  if (!canvas?.isConnected) return;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', chartName(chart));
  let details = alternatives.get(canvas);
  if (!details || !details.isConnected) {
    details = el('details', { class: 'chart-numbers', 'data-testid': 'chart-numbers' }, el('summary', {}, 'Show the numbers'), el('div', { class: 'scroll chart-numbers-body' }));
    details.addEventListener('toggle', () => {
      if (details.open) fill(details);
    });
    // Chart.js needs the canvas alone in its sized box: the table goes after the box.
    const box = canvas.parentElement;
    const anchor = box && box.children.length === 1 && box !== document.body ? box : canvas;
    anchor.after(details);
    alternatives.set(canvas, details);
  }
  details.chart = chart;
  if (details.open) fill(details);
}

function fill(details) {
  const body = details.querySelector('.chart-numbers-body');
  if (!details.chart) return;
  body.replaceChildren(...chartTable(details.chart).filter(Boolean));
  makeScrollerFocusable(body);
}

function detachAlternative(chart) {
  const details = alternatives.get(chart.canvas);
  if (details && details.chart === chart) details.chart = null;
  // The canvas is usually removed with its chart; a canvas reused for the next chart keeps its disclosure.
  queueMicrotask(() => {
    if (details && !details.chart && !chart.canvas?.isConnected) details.remove();
  });
}

function registerChartPlugin() {
  const C = globalThis.Chart;
  if (!C?.register) return false;
  C.register({
    id: 'pipelabTextAlternative',
    afterInit: attachAlternative,
    afterUpdate: attachAlternative,
    afterDestroy: detachAlternative,
  });
  return true;
}

// ---------------------------------------------------------------- focus after long tasks

let lastFocused = null;

function restoreFocus(target) {
  // The cheap test first: this runs for every control enabled or shown (page start-up, each
  // render), and reading document.activeElement brings the page's style up to date.
  if (target !== lastFocused) return;
  const active = document.activeElement;
  if (active && active !== document.body) return;
  if (!target.isConnected || target.disabled || target.hidden || target.closest('[inert], [hidden]')) return;
  target.focus({ preventScroll: true });
}

// ---------------------------------------------------------------- announcements

// Status lines whose final text is worth announcing, and what to add to it.
const STATUS = [
  ['#progress-text', () => [document.querySelector('#results-info')?.textContent ?? '', ...[...document.querySelectorAll('#summary-table tbody tr')].map((tr) => `${tr.cells[0]?.textContent} ${tr.cells[1]?.textContent} ± ${tr.cells[2]?.textContent}`)].join('. ')],
  ['#search-progress-text', () => document.querySelector('#search-best')?.textContent ?? ''],
  ['#curve-status', () => ''],
  ['#data-info', () => ''],
  ['#monitor-status', () => document.querySelector('[data-testid="monitor-verdict"]')?.textContent ?? ''],
  ['#model-status', () => ''],
  ['#predictions-info', () => ''],
];
const FINAL = /^(done|failed|cancelled|error)|rows|predicted|saved|drift/i;

function watchStatus() {
  for (const [sel, extra] of STATUS) {
    const node = document.querySelector(sel);
    if (!node) continue;
    let last = '';
    new MutationObserver(() => {
      const text = node.textContent.trim();
      if (!text || text === last || !FINAL.test(text)) return;
      last = text;
      // Let the area render its results first.
      setTimeout(() => announce([text, extra()].filter(Boolean).join('. ')), 0);
    }).observe(node, { childList: true, characterData: true, subtree: true });
  }
  for (const box of document.querySelectorAll('.error[role="alert"]')) box.setAttribute('aria-live', 'assertive');
}

// ---------------------------------------------------------------- start

function start() {
  live = el('div', { id: 'announcer', class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', 'data-testid': 'announcer' });
  document.body.append(live);
  scan(document.body);
  defuseText(document.body);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'childList') {
        for (const n of r.addedNodes) {
          scan(n);
          defuseText(n);
        }
      } else if (r.type === 'characterData') defuseText(r.target);
      else if (r.attributeName === 'class' && r.target.classList) {
        syncInert(r.target);
      } else if (r.attributeName === 'disabled' || r.attributeName === 'hidden') {
        if (!r.target.disabled && !r.target.hidden) restoreFocus(r.target);
      }
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['class', 'disabled', 'hidden'] });
  document.addEventListener('keydown', sortWithKeys);
  document.addEventListener('focusin', (e) => {
    if (e.target !== document.body) lastFocused = e.target;
  });
  watchStatus();
  // Chart.js is a deferred script after this module (index.html): it has run by DOMContentLoaded.
  if (!registerChartPlugin()) document.addEventListener('DOMContentLoaded', registerChartPlugin, { once: true });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
