// The page ↔ worker protocol. The page never imports the wasm glue: it talks
// to a module Web Worker (www/worker.js) that owns the wasm Session.
//
// Request:  {id, type, ...payload}
// Replies:  {id, type: 'progress', done, total}        (cross_validate only, per fold)
//           {id, type: 'result', ok: true, result}
//           {id, type: 'result', ok: false, error, fatal} (error = readable text; fatal = the
//                                                     worker must be restarted)
//
// Request types: 'init' → {catalog, version}
//                'load_csv' {bytes, options} → table summary
//                'cross_validate' {spec} → CV report
//                'fit' {spec} → model file text
//                'load_model' {text} → model summary
//                'model_summary' → summary of the session's model
//                'predict_csv' {bytes, n_head?} → {n_rows, head_csv}: every row predicted, the CSV of the first n_head
//                'predict_loaded' {n_head?} → {n_rows, head_csv} for the loaded table (no second read of the file)
//                'predictions_csv' {bytes?} → the whole predictions CSV text (of bytes, or of the loaded table)
//                'load_stream' {blob, options} → table summary (+ read_ms, memory_bytes); progress
//                               replies carry bytes read / file size
//                'profile' → profile of the loaded table (see src/data/profile.rs)
//                'memory' → bytes of wasm memory (the session's peak so far)
//                'cv_diagnostics' → confusion / ROC / PR / regression points of the last CV
//                'learning_curve' {spec, params} → curve report (progress per fit)
//                'validation_curve' {spec, params} → curve report (progress per fit)
//                'search_plan' {spec, history, elapsed_ms} → next batch of candidates (see www/search.js)
//                'search_evaluate' {spec, plan, params} → one cv_results row
//                'search_finish' {spec, results} → {report, best_spec}
//                'drift_csv' {bytes, options?} → drift report of new data against the model (src/monitor/mod.rs)
//                'leakage' {spec} → the spec cross-validated the right way and the wrong way (progress per fold of both)
//                'leakage_demo' {params} → {params, spec, report}: the classic demo generated from a seed
//                'retrain_csv' {bytes, name, sha256, parent_sha256, now} → {model_text, lineage, cv_metrics}; progress per fold

export const WORKER_URL = new URL('./worker.js', import.meta.url);

export class WorkerClient {
  constructor() {
    this.nextId = 1;
    this.pending = new Map();
    this.worker = null;
    this.start();
  }

  start() {
    // index.html starts the first worker before the modules load (page-load time);
    // the first client adopts it unless it already failed (then a new one reports why).
    const early = globalThis.pipelabEarlyWorker;
    globalThis.pipelabEarlyWorker = null;
    if (early && !early.failed) this.worker = early;
    else {
      early?.terminate();
      this.worker = new Worker(WORKER_URL, { type: 'module' });
    }
    this.worker.onmessage = (ev) => this.onMessage(ev.data);
    this.worker.onerror = (ev) => {
      ev.preventDefault?.();
      this.failAll(`the worker failed: ${ev.message || 'could not start (is www/pkg built? run scripts/serve.sh)'}`);
    };
    this.worker.onmessageerror = () => this.failAll('the worker sent a message that could not be read');
  }

  /** Stops whatever runs now (pending calls fail with 'cancelled') and starts a fresh worker. */
  restart() {
    this.worker.terminate();
    this.failAll('cancelled', true);
    this.start();
  }

  failAll(message, cancelled = false) {
    for (const [, p] of this.pending) {
      const e = new Error(message);
      e.cancelled = cancelled;
      p.reject(e);
    }
    this.pending.clear();
  }

  onMessage(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.done, msg.total);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else {
      const e = new Error(msg.error);
      e.fatal = !!msg.fatal;
      p.reject(e);
    }
  }

  /** Sends a request; resolves with its result, rejects with an Error whose message is readable. */
  call(type, payload = {}, onProgress = null) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, type, ...payload });
    });
  }
}
