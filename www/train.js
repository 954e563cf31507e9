// Training, at the foot of the pipeline area: "Train & cross-validate" (or fit a
// clustering), with progress and Cancel. A finished run becomes the store's
// `result` (results.js draws it) and a `run-finished` event (runs.js records it).
// The Cancel button is shown only while something runs in the main worker.
import { $, showError, clearError } from './dom.js';
import { store } from './store.js';
import { crossValidate } from './cv_pool.js';
import { fitOnPool } from './fit_pool.js';
import { client, setBusy, setStatus, workerBusy, restartWorker, recoverIfFatal, adoptModel } from './session.js';

const trainError = () => $('#train-error');

export function setupTrain() {
  $('#train').addEventListener('click', train);
  $('#cancel').addEventListener('click', cancel);
  const buttons = () => {
    const busy = store.get('busy');
    $('#train').disabled = workerBusy();
    $('#cancel').disabled = !busy;
    $('#cancel').hidden = !busy;
  };
  store.on('busy-changed', buttons);
  store.on('restoring-changed', buttons);
  buttons();
}

async function train() {
  clearError(trainError());
  const { spec: built, error } = store.get('spec') ?? {};
  if (!built) {
    showError(trainError(), error ?? 'load data first');
    return;
  }
  const spec = JSON.stringify(built, null, 2);
  if (store.get('task') === 'clustering') return trainClustering(spec);
  const progress = $('#progress');
  const text = $('#progress-text');
  progress.max = 1;
  progress.value = 0;
  text.textContent = 'starting…';
  setBusy(true);
  setStatus('training…');
  const t0 = performance.now();
  try {
    // Folds on the page's worker pool when the data is big enough (www/cv_pool.js): the same report.
    const report = await crossValidate(client, store.get('data') ?? {}, spec, (done, total) => {
      progress.max = total;
      progress.value = done;
      text.textContent = `fold ${done} / ${total} done`;
    });
    text.textContent = `done in ${((performance.now() - t0) / 1000).toFixed(2)} s`;
    store.emit('run-finished', { kind: 'cv', spec, report }); // the run history (www/runs.js); never throws
    // The results area draws the report, its out-of-fold pictures and the model view.
    await store.set('result', { kind: 'cv', spec, report });
    setStatus('trained');
  } catch (e) {
    await runFailed(e, text);
  } finally {
    setBusy(false);
  }
}

/** A failed or cancelled training run: the progress line says which, the error is shown, the worker recovers. */
async function runFailed(e, text) {
  if (e.cancelled) {
    text.textContent = 'cancelled';
  } else {
    text.textContent = 'failed';
    showError(trainError(), e.message);
    await recoverIfFatal(e);
  }
  setStatus('ready');
}

/** Fits a clustering on every row (no cross-validation: nothing to score against). */
async function trainClustering(spec) {
  const progress = $('#progress');
  const text = $('#progress-text');
  progress.max = 1;
  progress.value = 0;
  text.textContent = 'fitting the clustering on every row…';
  setBusy(true);
  setStatus('clustering…');
  const t0 = performance.now();
  try {
    // KMeans' restarts on the worker pool when the data is large (www/fit_pool.js; the same model).
    const res = (await fitOnPool(client, store.get('data') ?? {}, spec, 'clustering')) ?? (await client.call('fit_clustering', { spec }));
    progress.value = 1;
    text.textContent = `done in ${((performance.now() - t0) / 1000).toFixed(2)} s`;
    await store.set('result', { kind: 'clustering', spec, view: res.view });
    store.emit('run-finished', { kind: 'fit', spec, model_text: res.model_text, scalars: res.view.report.metrics, fit_time_ms: performance.now() - t0 });
    // The session now holds this clustering model: the Predict section uses it.
    await adoptModel(res.model_text, 'trained on this page', spec);
    setStatus('trained');
  } catch (e) {
    await runFailed(e, text);
  } finally {
    setBusy(false);
  }
}

async function cancel() {
  store.emit('cancel'); // a running search stops its pool too (search.js)
  $('#progress-text').textContent = 'cancelled — restarting the worker…';
  try {
    await restartWorker();
    $('#progress-text').textContent = 'cancelled; your data is still loaded';
  } catch (e) {
    showError(trainError(), `restarting the worker failed: ${e.message}`);
  }
}
