// The pipeline, drawn (in the spirit of scikit-learn's HTML estimator view):
// data → ColumnTransformer branches (with the columns each takes) → steps →
// model. Each box is a button that scrolls to its form and focuses it; each
// arrow carries the table's shape there (rows × columns), from the core's
// preview (Session.preview: per-step shapes, computed in the worker). The
// boxes' one-line summaries come from the catalogue (`summary`). Everything
// user-supplied (column names) goes in as text; styling is by class only.
import { el, clear } from './dom.js';
import { on } from './events.js';

/** Tables up to this many cells get their shapes computed on every edit; larger ones on request. */
const AUTO_CELLS = 2_000_000;
const DEBOUNCE_MS = 200;
const MAX_LISTED_COLUMNS = 6;

let ctx = null; // { client, box, getState }
let latest = null; // spec text of the last drawing
let shapesFor = null; // spec text the cached shapes belong to
let shapes = null; // the preview report of shapesFor
let shapeError = null;
let timer = null;
let firstResult = false; // a CV result has been shown (the session then moves to the full module)

/**
 * Wires the diagram into `box`. `getState()` gives {summary, catalog, dataName}
 * (the loaded table's summary and the catalogue); `client` is the worker client.
 */
export function setupDiagram({ client, box, getState }) {
  ctx = { client, box, getState };
  // The shapes come from `preview`, a method of the full module only: asked on the first
  // module, it would move the session to the full one (fetch, compile, hand-off) between
  // Load and the user's first result, which issue 17 keeps on the first module. So the
  // arrows get their shapes after the first result (the page moves to the full module
  // then), at the user's click, or as soon as the session is on the full module for another reason.
  on('cv-done', () => {
    firstResult = true;
    if (latest && latest !== shapesFor) {
      clearTimeout(timer);
      const text = latest;
      timer = setTimeout(() => computeShapes(JSON.parse(text), text), DEBOUNCE_MS);
    }
  });
}

/** Forgets the cached shapes (new data). */
export function resetDiagram() {
  shapesFor = shapes = shapeError = null;
  const text = latest;
  latest = null;
  if (!ctx) return;
  clear(ctx.box);
  // The page's spec event can come before 'data-changed' (the same spec for the new
  // table): draw it again against the new table rather than leave an empty box.
  if (text) updateDiagram(JSON.parse(text));
}

/** Draws `spec` (the object the forms build) now, and asks the worker for its shapes. */
export function updateDiagram(spec) {
  if (!ctx) return;
  const text = spec ? JSON.stringify(spec) : null;
  latest = text;
  draw(spec);
  if (!spec || text === shapesFor) return;
  const { summary } = ctx.getState();
  if (!summary || summary.n_rows * summary.n_cols > AUTO_CELLS) return;
  clearTimeout(timer);
  timer = setTimeout(() => computeShapes(spec, text), DEBOUNCE_MS);
}

/** Before the first result on the first module, shapes wait for it or for a click (`asked`). */
const deferred = () => !firstResult && ctx.client.module !== 'full';

async function computeShapes(spec, text, asked = false) {
  if (text !== latest) return;
  if (!asked && deferred()) return; // asked again at 'cv-done' (setupDiagram)
  try {
    const report = await ctx.client.call('preview', { spec: text, n_rows: 0 });
    shapesFor = text;
    shapes = report;
    shapeError = null;
  } catch (e) {
    if (e.cancelled) return; // the worker restarted: the next edit asks again
    shapesFor = text;
    shapes = null;
    shapeError = e.message;
  }
  if (text === latest) draw(spec);
}

const times = (r, c) => `${r} × ${c}`;

/** The feature columns (summary entries) a spec leaves for the model: not the target, not dropped. */
function featureColumns(spec, summary) {
  const drop = new Set(spec.drop ?? []);
  return summary.columns.filter((c) => c.name !== spec.target && !drop.has(c.name));
}

/** The columns a ColumnTransformer branch takes (its selector resolved against the loaded table). */
function branchColumns(t, feats) {
  const sel = t.columns ?? {};
  if (sel.dtype) return feats.filter((c) => c.type === sel.dtype).map((c) => c.name);
  const names = sel.names ?? (Array.isArray(sel) ? sel : []);
  return names.filter((n) => feats.some((c) => c.name === n));
}

function summaryOf(kind, name) {
  const { catalog } = ctx.getState();
  return catalog?.[kind]?.find((x) => x.name === name)?.summary ?? '';
}

function draw(spec) {
  const box = clear(ctx.box);
  const { summary, dataName } = ctx.getState();
  if (!spec || !summary) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const ready = shapesFor === JSON.stringify(spec) && shapes;
  // What the preview says each step did, by place: 'num' / 'cat' / … / 'steps'.
  const traceAt = (place, index) => (ready ? shapes.steps.find((s) => (s.branch ?? 'steps') === place && s.index === index) : null);
  const feats = featureColumns(spec, summary);
  const nUsable = ready ? shapes.n_rows_in : null;
  const rows = (n) => n ?? '…';
  const chain = el('div', { class: 'dg-chain', role: 'group', 'aria-label': 'the pipeline, drawn: click a box to open its settings' });

  chain.append(node('data', 0, dataName || 'data', `${times(summary.n_rows, summary.n_cols)} table` + (spec.target ? ` · predicts ${spec.target}` : ''), 'data'));
  chain.append(arrow(times(rows(nUsable), feats.length), 'features'));

  let widthIn = feats.length;
  const pre = spec.preprocess;
  if (pre) {
    const ct = el('div', { class: 'dg-ct' });
    ct.append(button('preprocess', 'preprocess', 0, 'ColumnTransformer', 'each branch takes its own columns; the outputs are put side by side', 'dg-ct-head'));
    const branches = el('div', { class: 'dg-branches' });
    let out = 0;
    let known = true;
    for (const t of pre.transformers ?? []) {
      const cols = branchColumns(t, feats);
      const b = el('div', { class: 'dg-branch', dataset: { branch: t.name } });
      const listed = cols.slice(0, MAX_LISTED_COLUMNS).join(', ') + (cols.length > MAX_LISTED_COLUMNS ? `, … (${cols.length} columns)` : '');
      b.append(button('branch', t.name, 0, t.name, cols.length ? listed : 'no column of this kind', 'dg-branch-head'));
      b.append(arrow(times(rows(nUsable), cols.length)));
      let w = cols.length;
      (t.steps ?? []).forEach((s, k) => {
        const name = Object.keys(s)[0];
        b.append(button('step', t.name, k, name, summaryOf('steps', name)));
        const tr = traceAt(t.name, k);
        w = tr ? tr.n_features_out : null;
        b.append(arrow(tr ? times(tr.n_rows_out, tr.n_features_out) : times('…', '…')));
      });
      if (w === null) known = false;
      else out += w;
      branches.append(b);
    }
    if (pre.remainder === 'passthrough') {
      const used = new Set((pre.transformers ?? []).flatMap((t) => branchColumns(t, feats)));
      const rest = feats.filter((c) => !used.has(c.name)).map((c) => c.name);
      const b = el('div', { class: 'dg-branch', dataset: { branch: 'remainder' } });
      b.append(button('branch', 'remainder', 0, 'remainder', rest.length ? `passed through: ${rest.slice(0, MAX_LISTED_COLUMNS).join(', ')}${rest.length > MAX_LISTED_COLUMNS ? ', …' : ''}` : 'no other column'));
      b.append(arrow(times(rows(nUsable), rest.length)));
      out += rest.length;
      branches.append(b);
    }
    ct.append(branches);
    chain.append(ct);
    widthIn = known ? out : null;
    chain.append(arrow(times(rows(nUsable), widthIn ?? '…'), 'side by side'));
  }
  (spec.steps ?? []).forEach((s, k) => {
    const name = Object.keys(s)[0];
    chain.append(node('step', k, name, summaryOf('steps', name), 'steps'));
    const tr = traceAt('steps', k);
    chain.append(arrow(tr ? times(tr.n_rows_out, tr.n_features_out) : times('…', '…')));
  });
  const model = Object.keys(spec.model ?? {})[0] ?? '?';
  chain.append(node('model', 0, model, summaryOf('models', model), 'model'));
  box.append(chain);

  const note = el('p', { class: 'muted dg-note', dataset: { testid: 'diagram-note' } });
  if (shapeError && shapesFor === JSON.stringify(spec)) note.append(`Shapes unavailable: ${shapeError}`);
  else if (!ready && summary.n_rows * summary.n_cols > AUTO_CELLS) {
    note.append('Large table: shapes are computed on request. ',
      el('button', { type: 'button', dataset: { testid: 'diagram-shapes' }, onclick: () => computeShapes(spec, JSON.stringify(spec), true) }, 'Compute the shapes'));
  } else if (!ready && deferred()) {
    note.append('The shapes at each arrow come with the first result (Train), or now: ',
      el('button', { type: 'button', dataset: { testid: 'diagram-shapes' }, onclick: () => computeShapes(spec, JSON.stringify(spec), true) }, 'Compute the shapes'));
  } else if (!ready) note.append('computing the shapes…');
  else note.append(`Arrows: rows × columns at that point, the steps fitted on the ${shapes.n_rows_in} usable rows. Click a box to open its settings.`);
  box.append(note);
  box.dataset.ready = ready ? 'true' : 'false';
}

/** An arrow with the table's shape on it. */
function arrow(shape, what = '') {
  return el('div', { class: 'dg-arrow' },
    el('span', { class: 'dg-shape', dataset: { testid: 'diagram-shape' } }, shape),
    what ? el('span', { class: 'dg-what' }, ` ${what}`) : null);
}

function node(kind, index, name, summary, place) {
  return el('div', { class: 'dg-item' }, button(kind, place, index, name, summary));
}

/** A box: a button with the component's name and its one-line summary, that shows its form. */
function button(kind, place, index, name, summary, extra = '') {
  return el('button', {
    type: 'button',
    class: `dg-box dg-${kind} ${extra}`.trim(),
    dataset: { testid: 'diagram-box', kind, place, index: String(index), name },
    title: `${name}: show its settings`,
    onclick: () => reveal(kind, place, index),
  }, el('span', { class: 'dg-name' }, name), summary ? el('span', { class: 'dg-summary' }, summary) : null);
}

// ---------------------------------------------------------------- box → form

/** The form controls of the built-in ColumnTransformer steps, in the order the page writes them. */
function builtins(place) {
  const q = (id) => document.getElementById(id);
  if (place === 'num') return [q('num-imputer')?.value ? q('num-imputer') : null, q('num-scaler')?.checked ? q('num-scaler') : null].filter(Boolean);
  if (place === 'cat') return [q('cat-imputer')?.value ? q('cat-imputer') : null, q('cat-onehot')?.value ? q('cat-onehot') : null].filter(Boolean);
  return [];
}

function target(kind, place, index) {
  const q = (sel) => document.querySelector(sel);
  if (kind === 'data') return q('#data-section');
  if (kind === 'model') return q('#model-select');
  if (kind === 'preprocess') return q('#use-preprocess');
  if (kind === 'branch') return place === 'num' || place === 'cat' ? q(`#${place}-steps-list`)?.closest('.branch-steps') ?? q('#preprocess-options') : q('#remainder');
  if (place === 'steps') return q(`#steps-list > [data-testid="step-${index}"]`);
  const b = builtins(place);
  if (index < b.length) return b[index];
  return q(`#${place}-steps-list > [data-testid="${place}-step-${index - b.length}"]`) ?? q('#use-preprocess');
}

/** Scrolls to a box's form, focuses its first control and flashes it. */
function reveal(kind, place, index) {
  const t = target(kind, place, index);
  if (!t) return;
  t.closest('details')?.setAttribute('open', '');
  t.scrollIntoView({ block: 'center' });
  const focusable = t.matches('input, select, button, textarea') ? t : t.querySelector('input, select, textarea, button');
  focusable?.focus({ preventScroll: true });
  const flash = t.closest('li, .param, fieldset, section') ?? t;
  flash.classList.remove('dg-flash');
  void flash.offsetWidth; // restart the animation
  flash.classList.add('dg-flash');
}
