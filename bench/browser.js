// Drives bench/browser-worker.js for bench/bench.mjs (see bench/browser.html).
// One fresh module Worker per task, as the page runs its wasm (www/worker.js).
import { WorkerClient } from '/www/protocol.js';
import { crossValidate } from '/www/cv_pool.js';
import { sharedPool } from '/www/pool.js';

const log = (req, r) => {
  document.getElementById('log').textContent += `${req.op} ${req.dataUrl}: ${JSON.stringify(r)}\n`;
};

window.runTask = (req) =>
  new Promise((resolve) => {
    const w = new Worker(new URL('./browser-worker.js', import.meta.url), { type: 'module' });
    const done = (r) => {
      w.terminate();
      log(req, r);
      resolve(r);
    };
    w.onmessage = (ev) => done(ev.data);
    w.onerror = (ev) => done({ ok: false, error: `worker error: ${ev.message ?? 'failed to start (is www/pkg built?)'}` });
    w.postMessage(req);
  });

/**
 * The page's every-core cross-validation (task 2b): the page's own modules —
 * www/protocol.js's WorkerClient on www/worker.js (the first module), the file
 * read by 'load_stream' as the page reads a dropped file, then www/cv_pool.js's
 * `crossValidate`, which runs the folds on the page's worker pool (one worker per
 * core, `navigator.hardwareConcurrency`) when the data is large enough, as a Train
 * click does. The warm-up starts the pool (its workers read the file); the timed
 * repetitions reuse it, as the page's later CVs of the same data do.
 * Reply: { ok, times_ms, workers, wasm_memory_bytes (every worker's, summed), fold_check }.
 */
window.runPoolCv = async (req) => {
  const client = new WorkerClient({ module: 'core' });
  const pool = sharedPool();
  try {
    await client.call('init');
    const res = await fetch(req.dataUrl);
    if (!res.ok) throw new Error(`cannot fetch ${req.dataUrl}: HTTP ${res.status}`);
    const blob = await res.blob();
    const options = '';
    const summary = await client.call('load_stream', { blob, options });
    const state = { blob, options, summary };
    const spec = JSON.stringify(req.spec);
    const first = await crossValidate(client, state, spec); // warm-up: starts the pool
    const workers = globalThis.pipelabCvPoolLast?.workers ?? 0;
    const times = [];
    for (let i = 0; i < req.reps; i++) {
      const t0 = performance.now();
      await crossValidate(client, state, spec);
      times.push(performance.now() - t0);
    }
    let memory = await client.call('memory');
    for (const c of pool.clients) memory += await c.call('memory');
    const r = { ok: true, times_ms: times, workers, wasm_memory_bytes: memory, n_folds: first?.folds?.length ?? null };
    log(req, r);
    return r;
  } catch (e) {
    const r = { ok: false, error: e?.message ?? String(e) };
    log(req, r);
    return r;
  } finally {
    pool.terminate();
    client.worker.terminate();
  }
};
document.body.dataset.ready = 'true';
