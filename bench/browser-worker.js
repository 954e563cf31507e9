// Benchmark worker: the production wasm build (www/pkg, from scripts/build-web.sh)
// inside a module Web Worker, exactly as the page's www/worker.js runs it.
// One worker per task (fresh memory); bench/browser.html drives it.
//
// Request:  { dataUrl, op: 'parse'|'cv'|'fit'|'fit_predict'|'transform', spec, reps }
// Reply:    { ok: true, times_ms, fit_ms?, predict_ms?, wasm_memory_bytes, ua_memory_bytes? }
//           { ok: false, error }
import init, { Session } from '/www/pkg/pipelab_full.js';

const ready = init();

function message(e) {
  if (e instanceof Error) return e.message;
  return String(e);
}

async function uaMemory() {
  // Needs cross-origin isolation (COOP/COEP headers), which the dev server does not send.
  if (!self.crossOriginIsolated || typeof performance.measureUserAgentSpecificMemory !== 'function') return null;
  try {
    return (await performance.measureUserAgentSpecificMemory()).bytes;
  } catch {
    return null;
  }
}

async function run(req) {
  const wasm = await ready;
  const res = await fetch(req.dataUrl);
  if (!res.ok) throw new Error(`cannot fetch ${req.dataUrl}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const session = new Session();
  const spec = req.spec ? JSON.stringify(req.spec) : '';
  const yes = () => true;
  if (req.op !== 'parse') session.load_csv(bytes, '');
  const fitMs = [];
  const predictMs = [];
  const once = () => {
    switch (req.op) {
      case 'parse':
        session.load_csv(bytes, '');
        break;
      case 'cv':
        session.cross_validate(spec, yes);
        break;
      case 'fit':
      case 'transform': // the Session API has no steps-only fit: the spec's cheap model is fitted too
        session.fit(spec);
        break;
      case 'fit_predict': {
        const t0 = performance.now();
        session.fit(spec);
        const t1 = performance.now();
        session.predict_loaded_summary(15); // every row predicted, as the page's "Predict the loaded data" (the CSV is written on download)
        fitMs.push(t1 - t0);
        predictMs.push(performance.now() - t1);
        break;
      }
      default:
        throw new Error(`unknown op ${req.op}`);
    }
  };
  once(); // warm-up
  fitMs.length = 0;
  predictMs.length = 0;
  const times = [];
  for (let i = 0; i < req.reps; i++) {
    const t0 = performance.now();
    once();
    times.push(performance.now() - t0);
  }
  const out = { ok: true, times_ms: times, wasm_memory_bytes: wasm.memory.buffer.byteLength, ua_memory_bytes: await uaMemory() };
  if (fitMs.length) {
    out.fit_ms = fitMs;
    out.predict_ms = predictMs;
  }
  session.free();
  return out;
}

self.onmessage = async (ev) => {
  try {
    self.postMessage(await run(ev.data));
  } catch (e) {
    const fatal = e instanceof WebAssembly.RuntimeError;
    self.postMessage({ ok: false, error: fatal ? `wasm trap: ${message(e)}` : message(e) });
  }
};
