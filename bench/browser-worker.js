// Benchmark worker: the production wasm build (www/pkg, from scripts/build-web.sh)
// inside a module Web Worker, exactly as the page's www/worker.js runs it.
// One worker per task (fresh memory); bench/browser.html drives it.
//
// Request:  { dataUrl, op: 'parse'|'cv'|'fit'|'fit_predict'|'transform', spec, reps }
// Reply:    { ok: true, times_ms, first_ms?, fit_ms?, predict_ms?, wasm_memory_bytes, ua_memory_bytes? }
//
// first_ms (fit and fit_predict): the first run after the table is loaded again (untimed),
// i.e. a fit that builds the model file's drift reference; the Session keeps the reference's
// column distributions for later fits of the same table, so times_ms (the repetitions) do not.
//           { ok: false, error }
import init, * as pkg from '/www/pkg/pipelab_full.js';

const { Session } = pkg;

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

// The page's read path (www/worker.js loadStream): the file goes into the core's
// chunked CSV reader 4 MiB at a time, so wasm memory never holds the whole text.
const CHUNK = 4 << 20;
// The stream keeps only the bytes it has not parsed; true from feed/end: read again keeping them.
function loadLikePage(wasmMod, session, bytes) {
  let stream = new wasmMod.CsvStream('', bytes.length);
  const feedAll = () => {
    for (let at = 0; at < bytes.length; at += CHUNK) if (stream.feed(bytes.subarray(at, Math.min(bytes.length, at + CHUNK)))) return true;
    return stream.end();
  };
  try {
    if (feedAll()) {
      stream.free();
      stream = null;
      stream = wasmMod.CsvStream.retaining('', bytes.length);
      feedAll();
    }
    session.load_stream(stream);
  } finally {
    stream?.free();
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
  if (req.op !== 'parse') loadLikePage(pkg, session, bytes);
  const fitMs = [];
  const predictMs = [];
  const once = () => {
    switch (req.op) {
      case 'parse':
        loadLikePage(pkg, session, bytes);
        break;
      case 'cv': {
        // The report is JSON text (an object when it holds NaN): parsed, as the page does.
        const report = session.cross_validate(spec, yes);
        if (typeof report === 'string') JSON.parse(report);
        break;
      }
      case 'fit':
        session.fit(spec);
        break;
      case 'transform':
        // The steps' fit_transform without the model, as the page's Preview button
        // (the first rows, per-step shapes, a final PCA's projection of ≤ 5,000 points).
        session.preview(spec, 12);
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
  let firstMs = null;
  if (req.op === 'fit' || req.op === 'fit_predict') {
    loadLikePage(pkg, session, bytes); // a fresh table: its reference is not cached
    const t0 = performance.now();
    once();
    firstMs = performance.now() - t0;
  }
  fitMs.length = 0;
  predictMs.length = 0;
  const times = [];
  for (let i = 0; i < req.reps; i++) {
    const t0 = performance.now();
    once();
    times.push(performance.now() - t0);
  }
  const out = { ok: true, times_ms: times, wasm_memory_bytes: wasm.memory.buffer.byteLength, ua_memory_bytes: await uaMemory() };
  if (firstMs !== null) out.first_ms = firstMs;
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
