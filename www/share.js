// "Copy link" (issue 15 §5): the pipeline spec — and, when the data is one of the
// built-in examples, its name; never the user's data — in the URL fragment
// (#spec=<base64url JSON>&data=<example.csv>). The fragment never reaches a
// server. Opening such a link restores the pipeline (and loads the example) and
// runs nothing: the user clicks Train.
//
// A link is untrusted input: the spec is parsed as JSON and checked against the
// catalogue (unknown steps or models are refused by name, shown as text); its
// column names go into the page only as text (dom.js).
import { $, showError, clearError, showBidiControls } from './dom.js';

const MAX_SPEC_CHARS = 100_000;

let ctx = null; // {state, openSpec(spec), loadExample(name), examples: [name]}
let example = null; // the built-in example the loaded data came from, or null
let pending = null; // a linked spec waiting for data the link does not name

const b64url = {
  encode(text) {
    const bytes = new TextEncoder().encode(text);
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  },
  decode(s) {
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  },
};

/** The link for `specText` (and `exampleName` if any), on the page's own address. */
export function shareLink(specText, exampleName, base = location.href) {
  const url = new URL(base);
  const params = new URLSearchParams();
  params.set('spec', b64url.encode(JSON.stringify(JSON.parse(specText))));
  if (exampleName) params.set('data', exampleName);
  url.hash = params.toString();
  return url.href;
}

/** Reads a fragment: {spec, data} or null when it holds no spec; throws a readable Error when it is malformed. */
export function parseFragment(hash, examples) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const raw = params.get('spec');
  if (raw === null) return null;
  if (raw.length > MAX_SPEC_CHARS) throw new Error(`the link's spec is ${raw.length} characters long (at most ${MAX_SPEC_CHARS})`);
  let spec;
  try {
    spec = JSON.parse(b64url.decode(raw));
  } catch (e) {
    throw new Error(`the link's spec is not base64url-encoded JSON (${e.message})`);
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new Error('the link\'s spec is not a JSON object like {"target": …, "model": {…}}');
  const data = params.get('data');
  if (data !== null && !examples.includes(data)) throw new Error(`the link names the data set "${data}", which is not one of the built-in examples (${examples.join(', ')})`);
  return { spec, data };
}

/** Checks a linked spec's step and model names against the catalogue; returns the problems (strings). */
function checkAgainstCatalog(spec, catalog) {
  const problems = [];
  const steps = new Set(catalog.steps.map((s) => s.name));
  const models = new Set(catalog.models.map((m) => m.name));
  const one = (obj, where) => {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj) || Object.keys(obj).length !== 1) {
      problems.push(`${where}: expected {"Name": {parameters}}`);
      return null;
    }
    return Object.keys(obj)[0];
  };
  const m = one(spec.model, 'model');
  if (m !== null && !models.has(m)) problems.push(`unknown model "${m}"`);
  const stepList = (list, where) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) {
      problems.push(`${where}: expected a list of steps`);
      return;
    }
    list.forEach((s, i) => {
      const n = one(s, `${where}[${i}]`);
      if (n !== null && !steps.has(n)) problems.push(`unknown step "${n}" in ${where}`);
    });
  };
  stepList(spec.steps, 'steps');
  const tr = spec.preprocess?.transformers;
  if (spec.preprocess !== undefined && !Array.isArray(tr)) problems.push('preprocess: expected {"transformers": [...]}');
  for (const t of Array.isArray(tr) ? tr : []) stepList(t?.steps, `preprocess ${String(t?.name ?? '?').slice(0, 40)}`);
  for (const k of ['target', 'drop', 'scoring']) {
    const v = spec[k];
    if (v !== undefined && !(k === 'target' ? typeof v === 'string' : Array.isArray(v) && v.every((x) => typeof x === 'string'))) problems.push(`${k}: expected ${k === 'target' ? 'a column name' : 'a list of names'}`);
  }
  return problems;
}

function status(text) {
  $('#share-status').textContent = text;
}

/** A message about the link the page was opened with, at the top of the page. */
function notice(text) {
  const n = $('#share-notice');
  n.textContent = showBidiControls(text);
  n.hidden = !text;
}

async function restore(link) {
  const box = $('#share-error');
  clearError(box);
  const problems = checkAgainstCatalog(link.spec, ctx.state.catalog);
  if (problems.length) {
    showError(box, `This link's pipeline cannot be restored: ${problems.map((p) => p.slice(0, 300)).join('; ')}.`);
    return;
  }
  if (link.data) {
    if (ctx.state.dataName !== link.data || example !== link.data) {
      notice(`Loading the example ${link.data} named by the link…`);
      await ctx.loadExample(link.data);
      example = link.data;
    }
  } else if (!ctx.state.summary) {
    pending = link.spec;
    notice('This link holds a pipeline but no data (links never carry your data): load a CSV with the same columns to see it in the editor.');
    return;
  }
  await apply(link.spec);
}

/** Puts the link's pipeline into the editor (awaited: the editor refuses a spec it cannot hold, and that is shown). */
async function apply(spec) {
  const box = $('#share-error');
  pending = null;
  try {
    const s = structuredClone(spec);
    delete s.search; // the search form is not restored from a link (the spec view shows the pipeline)
    await ctx.openSpec(s);
    const missing = [spec.target, ...(spec.drop ?? [])].filter((c) => typeof c === 'string' && !ctx.state.summary.columns.some((x) => x.name === c));
    notice(`Pipeline restored from the link${missing.length ? ` (not in this data: ${missing.map((c) => JSON.stringify(c.slice(0, 80))).join(', ')})` : ''}. Nothing has run: click Train when ready.`);
  } catch (e) {
    showError(box, `This link's pipeline cannot be restored: ${e.message}`);
  }
}

/** Wires "Copy link" and opens a link the page was loaded with (call once the catalogue is in). */
export async function setupShare(context) {
  ctx = context;
  $('#load-example').addEventListener('click', () => {
    example = $('#example-select').value;
  });
  $('#csv-file').addEventListener('change', () => {
    example = null;
  });
  $('#drop-zone').addEventListener('drop', () => {
    example = null;
  });
  // Data the link did not name: restore the waiting pipeline once the user's data is in.
  new MutationObserver(() => {
    if (pending && ctx.state.summary && !ctx.state.loading) apply(pending);
  }).observe($('#data-info'), { childList: true, characterData: true, subtree: true });

  $('#share-copy').addEventListener('click', async () => {
    const text = $('#spec-json').value;
    let link;
    try {
      link = shareLink(text, example && ctx.state.dataName === example ? example : null);
    } catch {
      status('The pipeline is not complete yet (see the spec above): nothing to share.');
      return;
    }
    const out = $('#share-url');
    out.value = link;
    out.hidden = false;
    try {
      await navigator.clipboard.writeText(link);
      status(example ? `Link copied (the pipeline and the example ${example}).` : 'Link copied (the pipeline only: your data is never put in a link).');
    } catch {
      out.focus();
      out.select();
      status('Press Ctrl+C to copy the selected link.');
    }
  });

  if (location.hash) {
    try {
      const link = parseFragment(location.hash, ctx.examples);
      if (link) await restore(link);
    } catch (e) {
      showError($('#share-error'), `This link cannot be opened: ${e.message}`);
    }
  }
}
