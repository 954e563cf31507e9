// The page ↔ worker protocol. The page never imports the wasm glue: it talks
// to a module Web Worker (www/worker.js) that owns the wasm Session.
//
// Request:  {id, type, ...payload}
// Replies:  {id, type: 'progress', done, total}        (cross_validate only, per fold)
//           {id, type: 'result', ok: true, result}
//           {id, type: 'result', ok: true, result: text, json: true} (a CV report as JSON text: the
//                                                     client resolves with JSON.parse(text))
//           {id, type: 'result', ok: false, error, fatal} (error = readable text; fatal = the
//                                                     worker must be restarted)
//           {id, type: 'result', ok: false, need_full: true} (the core module lacks the method:
//                                                     WorkerClient switches to the full module and re-sends)
//
// Two wasm modules (www/worker.js): a client starts on the core module (or the full
// one: `new WorkerClient({module: 'full'})`) and switches for good on the first request
// the core lacks: 'handoff' → state of the core worker (table source, model text, last
// CV, the full module if compiled), which is then stopped; 'adopt' {state} → the full
// worker re-reads the table and takes the model and CV over. The page sees one worker.
//
// Request types: 'init' → {catalog, version} (boot.js sends the first core worker's as id 0; see `init`)
//                'load_csv' {bytes, options} → table summary
//                'cross_validate' {spec} → CV report
//                'fit' {spec} → model file text
//                'load_model' {text} → model summary
//                'model_summary' → summary of the session's model
//                'predict_csv' {bytes, n_head?} → {n_rows, head_csv, warnings, performance?}: every row predicted, the CSV of the first n_head
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

//                'cv_plan' {spec} → {n_folds}; 'cv_fold' {spec, fold} → one fold's result (text: its JSON,
//                               non-finite numbers carried beside it; FoldResult::into_text in src/selection/cv.rs);
//                'cv_finish' {spec, folds} → CV report (as 'cross_validate'; see www/cv_pool.js)
//                'retrain_csv' {bytes, name, sha256, parent_sha256, now} → {model_text, lineage, cv_metrics}; progress per fold

export const WORKER_URL = new URL('./worker.js', import.meta.url);
const FULL_WORKER_URL = new URL('./worker.js?module=full', import.meta.url);

export class WorkerClient {
  /** `module`: 'core' (the default: the first module, switching to the full one when needed) or 'full'. */
  constructor({ module = 'core' } = {}) {
    this.nextId = 1;
    this.pending = new Map();
    this.worker = null;
    this.module = module;
    this.switching = null; // the promise of a switch to the full module, while it runs
    this.restartHooks = [];
    this.start();
    // Test hook: the page's clients, for the e2e tests' wasm-memory readings ('memory').
    (globalThis.pipelabClients ??= []).push(new WeakRef(this));
  }

  start() {
    // index.html starts the first (core) worker before the modules load (page-load time);
    // the first core client adopts it unless it already failed (then a new one reports why).
    const early = this.module === 'core' ? globalThis.pipelabEarlyWorker : null;
    if (early) globalThis.pipelabEarlyWorker = null;
    this.earlyInit = null;
    if (early && !early.failed) {
      this.worker = early;
      this.earlyInit = globalThis.pipelabEarlyInit ?? null; // the reply to boot.js's 'init'
    } else {
      early?.terminate();
      this.worker = new Worker(this.module === 'full' ? FULL_WORKER_URL : WORKER_URL, { type: 'module' });
    }
    this.worker.onmessage = (ev) => this.onMessage(ev.data);
    this.worker.onerror = (ev) => {
      ev.preventDefault?.();
      this.failAll(`the worker failed: ${ev.message || 'could not start (is www/pkg built? run scripts/serve.sh)'}`);
    };
    this.worker.onmessageerror = () => this.failAll('the worker sent a message that could not be read');
  }

  /** `hook()` runs on every restart (Cancel): a pool working for this client stops too. */
  onRestart(hook) {
    this.restartHooks.push(hook);
  }

  /** Stops whatever runs now (pending calls fail with 'cancelled') and starts a fresh worker. */
  restart() {
    this.worker.terminate();
    this.failAll('cancelled', true);
    this.switching = null;
    this.start();
    for (const h of this.restartHooks) h();
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
    if (!msg.ok && msg.need_full && this.module === 'core') {
      // Re-sent (same id) once the full worker holds the state.
      p.waiting = true;
      this.switchToFull().then(
        () => this.pending.has(msg.id) && this.post(msg.id, p),
        (e) => {
          this.pending.delete(msg.id);
          p.reject(e);
        },
      );
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.json ? JSON.parse(msg.result) : msg.result);
    else {
      const e = new Error(msg.error);
      e.fatal = !!msg.fatal;
      p.reject(e);
    }
  }

  post(id, p) {
    p.waiting = false;
    this.worker.postMessage({ id, type: p.type, ...p.payload });
  }

  /** Resolves when no call is running on the worker (calls waiting for the switch aside). */
  async drained() {
    // Polled: a running call ends either with its result or by joining the waiting ones.
    while ([...this.pending.values()].some((p) => !p.waiting && !p.internal)) await new Promise((r) => setTimeout(r, 10));
  }

  /** Moves the session to the full module (see the header); one switch at a time. */
  switchToFull() {
    if (this.module === 'full') return Promise.resolve();
    this.switching ??= (async () => {
      await this.drained();
      const state = await this.send('handoff', {}, null, true);
      this.worker.terminate();
      this.module = 'full';
      this.start();
      await this.send('adopt', { state }, null, true);
    })().finally(() => {
      this.switching = null;
    });
    return this.switching;
  }

  send(type, payload, onProgress, internal = false) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const p = { type, payload, onProgress, internal, resolve, reject };
      this.pending.set(id, p);
      this.post(id, p);
    });
  }

  /** 'init' → {catalog, version, module}: the answer to boot.js's early request when this client
   * adopted that worker (asked before the page's modules ran), else asked now. */
  async init() {
    const early = this.earlyInit;
    this.earlyInit = null;
    const reply = early ? await early : null;
    if (reply?.ok) return reply.result;
    if (early && !reply) {
      // The early worker failed to start (its 'error' event): a new one reports why.
      this.worker.terminate();
      this.start();
    }
    return this.call('init'); // none, or it failed: ask again, which reports why
  }

  /** Sends a request; resolves with its result, rejects with an Error whose message is readable. */
  async call(type, payload = {}, onProgress = null) {
    if (this.switching) await this.switching;
    // Test hook: `globalThis.pipelabPageMaxBytes` lowers the largest file the page reads
    // (tests/e2e/bigfile.test.mjs exercises the refusal with a small file).
    const max = globalThis.pipelabPageMaxBytes;
    if (type === 'load_stream' && max) payload = { ...payload, max_bytes: max };
    return this.send(type, payload, onProgress);
  }
}
