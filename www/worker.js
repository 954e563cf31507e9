// The module Web Worker that holds the wasm Session (the only importer of the
// wasm glue). Protocol: see protocol.js.
import init, { Session, version } from './pkg/pipelab.js';

let session = null;
const ready = init().then(() => {
  session = new Session();
});

function message(e) {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  return String(e);
}

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
  predict_csv: (m) => session.predict_csv(m.bytes),
  // Hyperparameter search (www/search.js): plan and finish on the main worker, evaluate on pool workers.
  search_plan: (m) => session.search_plan(m.spec, m.history, m.elapsed_ms),
  search_evaluate: (m) => session.search_evaluate(m.spec, m.plan, m.params),
  search_finish: (m) => session.search_finish(m.spec, m.results),
};

self.onmessage = async (ev) => {
  const m = ev.data;
  try {
    await ready;
    const h = handlers[m.type];
    if (!h) throw new Error(`unknown request type ${JSON.stringify(m.type)}`);
    self.postMessage({ id: m.id, type: 'result', ok: true, result: h(m) });
  } catch (e) {
    // A wasm trap (a bug, never user data) leaves the module unusable: say so, and
    // let the page restart the worker and re-send its data.
    const fatal = e instanceof WebAssembly.RuntimeError;
    const text = fatal ? `internal error (please report it): ${message(e)}` : message(e);
    self.postMessage({ id: m.id, type: 'result', ok: false, error: text, fatal });
  }
};
