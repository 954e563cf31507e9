// Runs first (a classic script at the top of <head>, before the stylesheet and the modules):
// starts the WebAssembly worker in parallel with the page's own files, as it has the most to
// fetch and compile (www/protocol.js adopts it). A file rather than an inline script so the
// Content-Security-Policy needs no 'unsafe-inline'.
window.pipelabEarlyWorker = new Worker('www/worker.js', { type: 'module' });
window.pipelabEarlyWorker.addEventListener('error', () => {
  window.pipelabEarlyWorker.failed = true;
});
// Its 'init' (the catalogue) is asked at once, so the worker answers as soon as its module is
// ready instead of when the page's modules have run: the reply (id 0, which the page's own
// requests never use) waits here for the client that adopts this worker (protocol.js `init`).
window.pipelabEarlyInit = new Promise((resolve) => {
  const w = window.pipelabEarlyWorker;
  const onReply = (e) => {
    if (e.data?.id !== 0 || e.data.type !== 'result') return;
    w.removeEventListener('message', onReply);
    resolve(e.data);
  };
  w.addEventListener('message', onReply);
  w.addEventListener('error', () => resolve(null));
  w.postMessage({ id: 0, type: 'init', warm: true }); // warm: see www/worker.js `warmUp`
});

// Offline after the first visit (sw.js, next to index.html, caches the page). Its install
// downloads every file of the build (the full module too): registered at the load event, it
// competed with the first load and cross-validation (≈ 0.5 s later first result,
// bench/HISTORY.md Session 11), so it waits for the first result, or 5 s after the load event.
if ('serviceWorker' in navigator) {
  let registered = false;
  const register = () => {
    if (registered) return;
    registered = true;
    navigator.serviceWorker.register('sw.js').catch((e) => console.warn(`pipelab: no offline cache (${e.message})`));
  };
  const whenIdle = (fn) => (window.requestIdleCallback ? requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(fn, 500));
  document.addEventListener('pipelab:cv-done', () => whenIdle(register), { once: true });
  window.addEventListener('load', () => setTimeout(() => whenIdle(register), 5000), { once: true });
}
