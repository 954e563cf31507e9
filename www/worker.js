// The module Web Worker that holds the wasm Session (the only importer of the
// wasm glue). Protocol: see protocol.js.
//
// The page ships two wasm modules (scripts/build-web.sh): `pipelab_core` (load →
// profile → CV → fit → predict, fetched at page load) and `pipelab_full` (every
// area). A worker runs one of them: `worker.js` the core, `worker.js?module=full`
// the full one. A request the core lacks (a method, or a model family such as the forests:
// Cargo feature `full-components`) is answered with `need_full`; the client
// (protocol.js) then asks this worker for its state ('handoff'), stops it, and
// gives the state to a full worker ('adopt'), which re-reads the table from the
// same File/Blob or bytes. After the first result the core worker compiles the
// full module while idle, so the switch does not wait for it.

const MODULE = new URL(self.location.href).searchParams.get('module') === 'full' ? 'full' : 'core';
const GLUE = { core: './pkg/pipelab_core.js', full: './pkg/pipelab_full.js' };
const WASM = { core: new URL('./pkg/pipelab_core_bg.wasm', import.meta.url), full: new URL('./pkg/pipelab_full_bg.wasm', import.meta.url) };
const FULL_WASM = WASM.full;
// The catalogue (steps, models, parameter schemas, explanations, metrics) is a file written by
// scripts/build-web.sh from the full module: the first module does not carry it. Fetched once
// per worker, the core worker's beside its module at start-up.
const CATALOG = new URL('./pkg/catalog.json', import.meta.url);
let catalog = null;
function fetchCatalog() {
  catalog ??= fetch(CATALOG).then((r) => {
    if (!r.ok) throw new Error(`the catalogue (${CATALOG.pathname}) could not be fetched: HTTP ${r.status}`);
    return r.json();
  });
  return catalog;
}

let wasm = null; // the glue module's namespace: Session, CsvStream, version, wasm_memory_bytes
let session = null;
/** What a full worker needs to take over: the table's source, the model's text, the last CV. */
const held = { source: null, modelText: null, lastCv: null };
let fullModule = null; // the compiled full module (core worker, compiled while idle)

// The core worker starts at once (index.html creates it before the page's scripts
// load); a full worker waits for its first request, which may bring the full
// module already compiled by the core worker ('adopt').
let ready = null;
function start(compiled) {
  ready ??= (async () => {
    performance.mark('worker-start');
    // The module is fetched and compiled while the glue is imported, not after it (the glue
    // is one more request, which waits behind the page's own at page load). A failed
    // compile here (e.g. a server sending the wasm with another MIME type) leaves the
    // fetch and compile to the glue, which falls back to compiling from bytes.
    const module = compiled ?? WebAssembly.compileStreaming(fetch(WASM[MODULE])).catch(() => undefined);
    wasm = await import(GLUE[MODULE]);
    performance.mark('worker-glue');
    const m = await module;
    performance.mark('worker-compiled');
    await wasm.default(m ? { module_or_path: m } : undefined);
    session = new wasm.Session();
    performance.mark('worker-ready');
  })();
  return ready;
}
if (MODULE === 'core') {
  start();
  fetchCatalog().catch(() => {}); // init reports a failure
}

function message(e) {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  return String(e);
}

/** Thrown when the request needs a Session method this module does not have. */
class NeedFull extends Error {}

/** Calls a Session method, or asks for the full module when this one lacks it. */
function s(name, ...args) {
  const f = session[name];
  if (typeof f !== 'function') throw new NeedFull(name);
  return f.apply(session, args);
}

/**
 * A CV report the wasm gave as JSON text (src/wasm/mod.rs `report_to_js`): sent as the string with
 * `json: true`, and parsed by the client (www/protocol.js). A string crosses at copy speed; the
 * report as a JS object was 100,000 small arrays (out-of-fold probabilities) built element by
 * element in wasm and cloned to the page. A report with NaN comes as the object and goes as is.
 */
class JsonText {
  constructor(text) {
    this.text = text;
  }
}
const jsonReply = (r) => (typeof r === 'string' ? new JsonText(r) : r);
/** The report as an object (a worker that adopts it, 'restore_cv'). */
const reportObject = (r) => (typeof r === 'string' ? JSON.parse(r) : r);

const progressOf = (m) => (done, total) => {
  self.postMessage({ id: m.id, type: 'progress', done, total });
  return true;
};

// The first read and cross-validation of a page run the wasm code for the first time, which
// V8 compiles then (lazily, function by function): 20–120 ms of a first iris result. The page's
// first worker (boot.js asks with `init {warm: true}`) runs that path once on a throwaway session
// right after answering — while the page waits for the user — so the user's first load and CV
// run compiled code. Nothing of it stays. Pool workers and restarted ones are not warmed.
const WARM_CSV = `sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
4.9,3.0,1.4,0.2,setosa
4.7,3.2,1.3,0.2,setosa
4.6,3.1,1.5,0.2,setosa
5.0,3.6,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.4,3.2,4.5,1.5,versicolor
6.9,3.1,4.9,1.5,versicolor
5.5,2.3,4.0,1.3,versicolor
6.5,2.8,4.6,1.5,versicolor
6.3,3.3,6.0,2.5,virginica
5.8,2.7,5.1,1.9,virginica
7.1,3.0,5.9,2.1,virginica
6.3,2.9,5.6,1.8,virginica
6.5,3.0,5.8,2.2,virginica
`;
const WARM_SPEC = JSON.stringify({
  target: 'species',
  preprocess: { transformers: [{ name: 'num', columns: { dtype: 'numeric' }, steps: [{ SimpleImputer: { strategy: 'median' } }, { StandardScaler: {} }] }], remainder: 'drop' },
  model: { LogisticRegression: {} },
  cv: { StratifiedKFold: { n_splits: 5 } },
  scoring: ['accuracy', 'f1_macro'],
});
let warmed = false;
function warmUp() {
  if (MODULE !== 'core' || warmed) return;
  warmed = true;
  const bytes = new TextEncoder().encode(WARM_CSV);
  const warm = new wasm.Session();
  const stream = new wasm.CsvStream('', bytes.length);
  try {
    stream.feed(bytes);
    warm.load_stream(stream);
    warm.profile();
    warm.cross_validate(WARM_SPEC, () => true);
  } catch (e) {
    console.warn(`pipelab: warm-up: ${message(e)}`); // the user's own calls report any real problem
  } finally {
    stream.free();
    warm.free();
    performance.mark('worker-warm');
  }
}

const handlers = {
  init: async (m) => {
    const reply = { catalog: await fetchCatalog(), version: wasm.version(), module: MODULE };
    if (m.warm) setTimeout(warmUp, 0); // after this reply is sent
    return reply;
  },
  load_csv: (m) => {
    const r = s('load_csv', m.bytes, m.options ?? '');
    held.source = { bytes: m.bytes, options: m.options ?? '' };
    held.lastCv = null;
    return r;
  },
  cross_validate: (m) => {
    const report = s('cross_validate', m.spec, progressOf(m));
    held.lastCv = { spec: m.spec, report };
    idleCompileFull();
    return jsonReply(report);
  },
  fit: (m) => {
    // With a hold-out part the model is fitted on the training part unless refit_all.
    const text = s('fit', m.spec, m.refit_all ?? false);
    held.modelText = text;
    return text;
  },
  load_model: (m) => {
    const r = s('load_model', m.text);
    held.modelText = m.text;
    return r;
  },
  model_summary: () => s('model_summary'),
  // Predicting returns the row count and the first rows; the whole CSV (every input
  // column again) is written only for a download.
  predict_csv: (m) => s('predict_csv_summary', m.bytes, m.n_head ?? 15),
  predict_loaded: (m) => s('predict_loaded_summary', m.n_head ?? 15),
  predictions_csv: (m) => (m.bytes ? s('predict_csv', m.bytes) : s('predict_loaded')),
  // Data area (page-data): streaming read of a File/Blob, and the profile.
  load_stream: (m) => loadStream(m),
  profile: () => s('profile'),
  memory: () => wasm.wasm_memory_bytes(),
  // Cross-validation fold by fold (www/cv_pool.js): the plan, one fold on a pool worker, the report.
  cv_plan: (m) => s('cv_plan', m.spec),
  cv_fold: (m) => s('cv_fold', m.spec, m.fold),
  cv_finish: (m) => {
    const report = s('cv_finish', m.spec, m.folds);
    held.lastCv = { spec: m.spec, report };
    idleCompileFull();
    return jsonReply(report);
  },
  // Formats other than CSV (issue 18): converted to CSV text + types by the full module's readers.
  convert_data: async (m) => (await import('./formats_worker.js')).convertData(m, wasm.detect_format),
  preview: (m) => s('preview', m.spec, m.n_rows ?? 12),
  // Models area (www/model_view.js, www/cluster_view.js).
  fit_clustering: (m) => {
    const r = s('fit_clustering', m.spec);
    held.modelText = r.model_text;
    return r;
  },
  inspect_fit: (m) => s('inspect_fit', m.spec),
  // A forest's trees or KMeans' restarts fitted on the worker pool (www/fit_pool.js): the plan, one part, the joins.
  split_plan: (m) => s('split_plan', m.spec) ?? null,
  fit_part: (m) => s('fit_part', m.spec, m.from, m.to),
  fit_with_parts: (m) => {
    const text = s('fit_with_parts', m.spec, m.parts);
    held.modelText = text;
    return text;
  },
  inspect_fit_with_parts: (m) => s('inspect_fit_with_parts', m.spec, m.parts),
  fit_clustering_with_parts: (m) => {
    const r = s('fit_clustering_with_parts', m.spec, m.parts);
    held.modelText = r.model_text;
    return r;
  },
  inspect_model: () => s('inspect_model'),
  // Export area (www/export.js): the session's model as ONNX bytes.
  export_onnx: () => s('export_onnx'),
  // Evaluation (issue 6): pictures of the last CV, learning and validation curves.
  cv_diagnostics: () => s('cv_diagnostics'),
  learning_curve: (m) => s('learning_curve', m.spec, m.params ?? '', progressOf(m)),
  validation_curve: (m) => s('validation_curve', m.spec, m.params ?? '', progressOf(m)),
  // Hyperparameter search (www/search.js): plan and finish on the main worker, evaluate on pool workers.
  search_plan: (m) => s('search_plan', m.spec, m.history, m.elapsed_ms),
  search_evaluate: (m) => s('search_evaluate', m.spec, m.plan, m.params),
  search_finish: (m) => s('search_finish', m.spec, m.results),
  // Monitor area (www/monitor.js): drift of new data, retraining with lineage.
  drift_csv: (m) => s('drift_csv', m.bytes, m.options ?? ''),
  retrain_csv: (m) => {
    const r = s('retrain_csv', m.bytes, m.name, m.sha256, m.parent_sha256, m.now, progressOf(m));
    held.modelText = r.model_text;
    return r;
  },

  // Run history and MLflow (www/runs.js): parameters by the search's paths, as the CLI logs them.
  track_params: (m) => s('track_params', m.spec, m.candidates ?? null),

  // "Show the code" (www/code.js): the spec as a scikit-learn script.
  export_sklearn: (m) => s('export_sklearn', m.spec),

  // Leakage lab (www/leakage.js): the spec cross-validated the right and the wrong way; the classic demo.
  leakage: (m) => s('leakage', m.spec, progressOf(m)),
  leakage_demo: (m) => s('leakage_demo', m.params ?? '', progressOf(m)),

  // Switching to the full module (protocol.js): this worker's state, then it is stopped.
  handoff: async () => {
    const module = await fullModule?.catch(() => null);
    // The page's copy of the last CV lacks its out-of-fold predictions (the page reads none of
    // them); the full module's evaluation pictures need them: the session's whole report goes.
    const lastCv = held.lastCv && { spec: held.lastCv.spec, report: s('last_cv_report') ?? held.lastCv.report };
    return { ...held, lastCv, module: module ?? null };
  },
  adopt: (m) => adopt(m.state),
};

/** Takes over a core worker's state: the table (re-read from its source), the model, the last CV. */
async function adopt(st) {
  if (st.source?.blob) await loadStream({ id: 0, blob: st.source.blob, options: st.source.options, quiet: true });
  else if (st.source?.bytes) handlers.load_csv({ bytes: st.source.bytes, options: st.source.options });
  if (st.modelText) handlers.load_model({ text: st.modelText });
  if (st.lastCv) {
    s('restore_cv', st.lastCv.spec, reportObject(st.lastCv.report));
    held.lastCv = st.lastCv;
  }
  return { module: MODULE };
}

/** After the first result, compile the full module while the page is idle (the core worker only). */
function idleCompileFull() {
  if (MODULE !== 'core' || fullModule) return;
  fullModule = new Promise((resolve) => setTimeout(resolve, 0)).then(() => WebAssembly.compileStreaming(fetch(FULL_WASM)));
  fullModule.catch(() => {}); // a failed prefetch is retried by the full worker itself
}

// Reads a Blob in chunks into the core's chunked CSV reader: progress is
// {done: bytes parsed, total: file size}. A file the tab cannot hold is refused
// by the CsvStream constructor before anything is read.
const CHUNK = 4 << 20;
async function loadStream(m) {
  const blob = m.blob;
  const total = blob.size;
  const t0 = performance.now();
  let options = m.options ?? '';
  if (m.max_bytes) options = JSON.stringify({ ...(options ? JSON.parse(options) : {}), max_bytes: m.max_bytes });
  // The stream keeps only the bytes it has not parsed; `feed` or `end` returning true
  // (a column turned to text after numbers whose bytes it dropped) means: read the
  // file again into a stream that keeps every byte (src/wasm/data.rs).
  let stream = new wasm.CsvStream(options, total);
  const post = (done) => {
    if (!m.quiet) self.postMessage({ id: m.id, type: 'progress', done, total });
  };
  const feedAll = async () => {
    let lastPost = 0;
    for (let at = 0; at < total; at += CHUNK) {
      const buf = new Uint8Array(await blob.slice(at, Math.min(total, at + CHUNK)).arrayBuffer());
      if (stream.feed(buf)) return true;
      const now = performance.now();
      if (now - lastPost > 50) {
        lastPost = now;
        post(at + buf.length);
      }
    }
    return stream.end();
  };
  try {
    if (await feedAll()) {
      stream.free();
      stream = null;
      stream = wasm.CsvStream.retaining(options, total);
      await feedAll();
    }
    post(total);
    const summary = s('load_stream', stream);
    held.source = { blob, options: m.options ?? '' };
    held.lastCv = null;
    summary.read_ms = performance.now() - t0;
    summary.memory_bytes = wasm.wasm_memory_bytes();
    return summary;
  } finally {
    stream?.free();
  }
}

self.onmessage = async (ev) => {
  const m = ev.data;
  try {
    await start(m.type === 'adopt' ? m.state?.module : null);
    const h = handlers[m.type];
    if (!h) throw new Error(`unknown request type ${JSON.stringify(m.type)}`);
    const result = await h(m);
    if (result instanceof JsonText) self.postMessage({ id: m.id, type: 'result', ok: true, result: result.text, json: true });
    else self.postMessage({ id: m.id, type: 'result', ok: true, result });
  } catch (e) {
    // A Session method the core lacks, or a spec naming a model it leaves to the full module
    // (the wasm error named 'NeedFull', src/wasm/mod.rs `js_err`).
    if (e instanceof NeedFull || e?.name === 'NeedFull') {
      const error = e instanceof NeedFull ? `${e.message} is in the full module` : e.message;
      self.postMessage({ id: m.id, type: 'result', ok: false, need_full: true, error });
      return;
    }
    // A wasm trap (a bug, never user data) leaves the module unusable: say so, and
    // let the page restart the worker and re-send its data.
    const fatal = e instanceof WebAssembly.RuntimeError;
    const text = fatal ? `internal error (please report it): ${message(e)}` : message(e);
    self.postMessage({ id: m.id, type: 'result', ok: false, error: text, fatal });
  }
};
