// Drives bench/browser-worker.js for bench/bench.mjs (see bench/browser.html).
// One fresh module Worker per task, as the page runs its wasm (www/worker.js).
window.runTask = (req) =>
  new Promise((resolve) => {
    const w = new Worker(new URL('./browser-worker.js', import.meta.url), { type: 'module' });
    const done = (r) => {
      w.terminate();
      document.getElementById('log').textContent += `${req.op} ${req.dataUrl}: ${JSON.stringify(r)}\n`;
      resolve(r);
    };
    w.onmessage = (ev) => done(ev.data);
    w.onerror = (ev) => done({ ok: false, error: `worker error: ${ev.message ?? 'failed to start (is www/pkg built?)'}` });
    w.postMessage(req);
  });
document.body.dataset.ready = 'true';
