// Runs first (a classic script in <head>, before the modules): starts the
// WebAssembly worker in parallel with the page's modules, as it has the most to
// fetch and compile (www/protocol.js adopts it). A file rather than an inline
// script so the Content-Security-Policy needs no 'unsafe-inline'.
window.pipelabEarlyWorker = new Worker('www/worker.js', { type: 'module' });
window.pipelabEarlyWorker.addEventListener('error', () => {
  window.pipelabEarlyWorker.failed = true;
});

// Offline after the first visit (sw.js, next to index.html, caches the page). Registered
// once the page has loaded so it does not compete with the worker's first fetches.
if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('sw.js').catch((e) => console.warn(`pipelab: no offline cache (${e.message})`));
  });
}
