// The module Web Worker that holds the wasm Session (the only importer of the
// wasm glue). Protocol: see protocol.js.
import init, { Session, CsvStream, version, wasm_memory_bytes, detect_format } from './pkg/pipelab.js';

let session = null;
const ready = init().then(() => {
  session = new Session();
});

function message(e) {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  return String(e);
}

const progressOf = (m) => (done, total) => {
  self.postMessage({ id: m.id, type: 'progress', done, total });
  return true;
};

const handlers = {
  init: () => ({ catalog: session.catalog(), version: version() }),
  load_csv: (m) => session.load_csv(m.bytes, m.options ?? ''),
  cross_validate: (m) =>
    session.cross_validate(m.spec, (done, total) => {
      self.postMessage({ id: m.id, type: 'progress', done, total });
      return true;
    }),
  fit: (m) => session.fit(m.spec),
  load_model: (m) => session.load_model(m.text),
  model_summary: () => session.model_summary(),
  // Predicting returns the row count and the first rows; the whole CSV (every input
  // column again) is written only for a download.
  predict_csv: (m) => session.predict_csv_summary(m.bytes, m.n_head ?? 15),
  predict_loaded: (m) => session.predict_loaded_summary(m.n_head ?? 15),
  predictions_csv: (m) => (m.bytes ? session.predict_csv(m.bytes) : session.predict_loaded()),
  // Data area (page-data): streaming read of a File/Blob, and the profile.
  load_stream: (m) => loadStream(m),
  profile: () => session.profile(),
  // Formats other than CSV (issue 18): converted to CSV text + types by the lazily loaded module.
  convert_data: async (m) => (await import('./formats_worker.js')).convertData(m, detect_format),
  memory: () => wasm_memory_bytes(),
  preview: (m) => session.preview(m.spec, m.n_rows ?? 12),
  // Models area (www/model_view.js, www/cluster_view.js).
  fit_clustering: (m) => session.fit_clustering(m.spec),
  inspect_fit: (m) => session.inspect_fit(m.spec),
  inspect_model: () => session.inspect_model(),
  // Export area (www/export.js): the session's model as ONNX bytes.
  export_onnx: () => session.export_onnx(),
  // Evaluation (issue 6): pictures of the last CV, learning and validation curves.
  cv_diagnostics: () => session.cv_diagnostics(),
  learning_curve: (m) => session.learning_curve(m.spec, m.params ?? '', progressOf(m)),
  validation_curve: (m) => session.validation_curve(m.spec, m.params ?? '', progressOf(m)),
  // Hyperparameter search (www/search.js): plan and finish on the main worker, evaluate on pool workers.
  search_plan: (m) => session.search_plan(m.spec, m.history, m.elapsed_ms),
  search_evaluate: (m) => session.search_evaluate(m.spec, m.plan, m.params),
  search_finish: (m) => session.search_finish(m.spec, m.results),
  // Monitor area (www/monitor.js): drift of new data, retraining with lineage.
  drift_csv: (m) => session.drift_csv(m.bytes, m.options ?? ''),
  retrain_csv: (m) => session.retrain_csv(m.bytes, m.name, m.sha256, m.parent_sha256, m.now, progressOf(m)),

  // Run history and MLflow (www/runs.js): parameters by the search's paths, as the CLI logs them.
  track_params: (m) => session.track_params(m.spec, m.candidates ?? null),

  // "Show the code" (www/code.js): the spec as a scikit-learn script.
  export_sklearn: (m) => session.export_sklearn(m.spec),
};

// Reads a Blob in chunks into the core's chunked CSV reader: progress is
// {done: bytes parsed, total: file size}. A file the tab cannot hold is refused
// by the CsvStream constructor before anything is read.
const CHUNK = 4 << 20;
async function loadStream(m) {
  const blob = m.blob;
  const total = blob.size;
  const t0 = performance.now();
  const stream = new CsvStream(m.options ?? '', total);
  try {
    let lastPost = 0;
    for (let at = 0; at < total; at += CHUNK) {
      const buf = new Uint8Array(await blob.slice(at, Math.min(total, at + CHUNK)).arrayBuffer());
      stream.feed(buf);
      const now = performance.now();
      if (now - lastPost > 50) {
        lastPost = now;
        self.postMessage({ id: m.id, type: 'progress', done: at + buf.length, total });
      }
    }
    self.postMessage({ id: m.id, type: 'progress', done: total, total });
    const summary = session.load_stream(stream);
    summary.read_ms = performance.now() - t0;
    summary.memory_bytes = wasm_memory_bytes();
    return summary;
  } finally {
    stream.free();
  }
}

self.onmessage = async (ev) => {
  const m = ev.data;
  try {
    await ready;
    const h = handlers[m.type];
    if (!h) throw new Error(`unknown request type ${JSON.stringify(m.type)}`);
    self.postMessage({ id: m.id, type: 'result', ok: true, result: await h(m) });
  } catch (e) {
    // A wasm trap (a bug, never user data) leaves the module unusable: say so, and
    // let the page restart the worker and re-send its data.
    const fatal = e instanceof WebAssembly.RuntimeError;
    const text = fatal ? `internal error (please report it): ${message(e)}` : message(e);
    self.postMessage({ id: m.id, type: 'result', ok: false, error: text, fatal });
  }
};

