// Drives bench/browser-worker.js for bench/bench.mjs (see bench/browser.html).
// One fresh module Worker per task, as the page runs its wasm (www/worker.js).
import { WorkerClient } from '/www/protocol.js';
import { crossValidate } from '/www/cv_pool.js';
import { fitOnPool } from '/www/fit_pool.js';
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
 * The page's every-core work (tasks 2b and 3b): the page's own modules —
 * www/protocol.js's WorkerClient on www/worker.js (the first module), the file
 * read by 'load_stream' as the page reads a dropped file, then www/cv_pool.js's
 * `crossValidate`, which runs the folds on the page's worker pool (one worker per
 * core, `navigator.hardwareConcurrency`) when the data is large enough, as a Train
 * click does; for a fit (`op: 'fit'`, a random forest), www/fit_pool.js `fitOnPool`,
 * which grows the trees on the pool and joins them on the page's worker, as the
 * Download button's fit does. The warm-up starts the pool (its workers read the
 * file); the timed repetitions reuse it, as the page's later work on the same data does.
 * Reply: { ok, times_ms, workers, wasm_memory_bytes (every worker's, summed) }.
 */
window.runPool = async (req) => {
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
    const once = async () => {
      if (req.op === 'cv') return crossValidate(client, state, spec);
      const text = await fitOnPool(client, state, spec);
      if (text === null) throw new Error('this fit is not split between the pool workers (www/fit_pool.js)');
      return text;
    };
    await once(); // warm-up: starts the pool
    const workers = (req.op === 'cv' ? globalThis.pipelabCvPoolLast : globalThis.pipelabFitPoolLast)?.workers ?? 0;
    const times = [];
    for (let i = 0; i < req.reps; i++) {
      const t0 = performance.now();
      await once();
      times.push(performance.now() - t0);
    }
    let memory = await client.call('memory');
    for (const c of pool.clients) memory += await c.call('memory');
    const r = { ok: true, times_ms: times, workers, wasm_memory_bytes: memory };
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
