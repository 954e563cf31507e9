// The worker's session as the page sees it: the one WorkerClient (protocol.js),
// getting the data and the model back after a worker restart, and the current
// model (store value `model`) — the one Predict, Export and Monitor use.
//
// "The model just trained is the current model": a cross-validation keeps no model,
// so its spec is kept as `pending` and fitted on all rows at its first use
// (ensureModel: Predict, Monitor), so "Predict the loaded data" works right after
// training, with no download round-trip. A model adopted later (a file loaded, the
// best of a search, a retrain) replaces it.
import { WorkerClient } from './protocol.js';
import { fitOnPool } from './fit_pool.js';
import { store } from './store.js';
import { $, showError } from './dom.js';

export const client = new WorkerClient();

let pending = null; // spec (JSON text) trained after the current model was set, not fitted yet

store.on('result-changed', (r) => {
  // A clustering run's model is the session's model already (fit_clustering).
  pending = r?.kind === 'cv' ? r.spec : null;
});
store.on('data-changed', () => {
  pending = null;
});

export function setBusy(busy) {
  store.set('busy', busy);
}

export function setStatus(text) {
  store.set('status', text);
}

/**
 * Runs `fn` (async) as follow-up work: the page's own work after a result, which holds the
 * worker but was not asked for by the user (store value `follow-up`; data.js waits for it).
 */
export async function followUp(fn) {
  store.set('follow-up', true);
  try {
    return await fn();
  } finally {
    store.set('follow-up', false);
  }
}

/** Resolves when the page is no longer busy (at once if it is not). */
export function whenNotBusy() {
  if (!store.get('busy')) return Promise.resolve();
  return new Promise((resolve) => {
    const off = store.on('busy-changed', (busy) => {
      if (busy) return;
      off();
      resolve();
    });
  });
}

/** Whether buttons that start work in the worker should be off now. */
export function workerBusy() {
  return store.get('busy') || store.get('restoring');
}

// A worker restart (Cancel, or an internal error) loses the wasm session:
// give the new one the data and the model back, so the user keeps both.
export async function restoreWorker() {
  store.set('restoring', true);
  try {
    await client.call('init');
    const data = store.get('data');
    if (data) await client.call('load_stream', { blob: data.blob, options: data.options });
    const model = store.get('model');
    if (model) await client.call('load_model', { text: model.text });
  } finally {
    store.set('restoring', false);
  }
}

/** Restarts the worker now (Cancel) and gets the data and model back. */
export async function restartWorker() {
  client.restart();
  await restoreWorker();
}

/** After a failed call: a trapped worker is restarted with the data and model. */
export async function recoverIfFatal(e) {
  if (!e?.fatal) return;
  try {
    await restartWorker();
  } catch (e2) {
    showError($('#data-error'), `restarting the worker failed: ${e2.message}`);
  }
}

/**
 * The session's model becomes `text` (already loaded in the worker: fitted, refitted or
 * loaded there). `spec` is the JSON text it was fitted from, when known; `fitMs` how long
 * the fit took.
 */
export async function adoptModel(text, source, spec = null, fitMs = null, refitAll = false) {
  pending = null;
  const summary = await client.call('model_summary');
  await store.set('model', { text, spec, source, summary, fitMs, refitAll });
  return text;
}

/** Fits a spec (JSON text) on all rows; it becomes the session's model. Returns the model file text. */
export async function fitModel(spec, source = 'trained on this page', refitAll = false) {
  const t0 = performance.now();
  // With a hold-out part the core fits on the training part unless `refit_all` (the model file says which).
  // A forest's trees or KMeans' restarts on the worker pool when the data is large (www/fit_pool.js; the same file).
  const text = (await fitOnPool(client, store.get('data') ?? {}, spec)) ?? (await client.call('fit', { spec, refit_all: refitAll }));
  await adoptModel(text, source, spec, performance.now() - t0, refitAll);
  return text;
}

/** The current model's file text: the one trained last (fitted now if it was not yet), else the one loaded. */
export async function ensureModel() {
  if (pending) {
    // Busy while it fits (Cancel shows); the caller may be busy already (Monitor).
    const [wasBusy, wasStatus] = [store.get('busy'), store.get('status')];
    setStatus('fitting the pipeline just trained on all rows…');
    setBusy(true);
    try {
      await fitModel(pending);
    } finally {
      setBusy(wasBusy);
      setStatus(wasStatus);
    }
  }
  const model = store.get('model');
  if (model) return model.text;
  throw new Error('no model: train one (step 3) or load a model file (step 4) first');
}
