// Data formats other than CSV, on the worker side (issue 18). Imported by
// worker.js only when a dropped file is not CSV, so none of this (nor the wasm
// readers it loads) costs the first load.
//
// Parquet, Excel/ODS and JSON are converted by the lazily loaded wasm module
// (src/wasm/formats.rs, built with the `formats` cargo feature) into CSV text
// plus a `types` map; SQLite is read by sql.js in a nested classic worker
// (www/sqlite_worker.js) and its rows converted by the same module. The worker
// then reads the CSV with the first-load module exactly as a dropped CSV.

// The readers are in the lazily loaded module (scripts/build-web.sh: pipelab_full,
// built with the `formats` cargo feature); this worker gives them their own instance.
const GLUE = ['./pkg/pipelab_full.js'];

let formats = null;
let instances = 0;

async function loadFormats() {
  if (formats) return formats;
  let last = null;
  for (const url of GLUE) {
    try {
      // A fresh instance (own memory) each time one is dropped after a trap.
      const m = await import(`${url}?instance=${instances}`);
      if (typeof m.formats_convert !== 'function') continue;
      await m.default();
      formats = m;
      return m;
    } catch (e) {
      last = e;
    }
  }
  throw new Error(`this build of the page has no reader for Parquet, Excel or JSON (the formats module is missing${last ? `: ${last.message}` : ''})`);
}

/** Runs `f` on the formats module; a trap (malformed input reaching a reader's panic) drops the instance. */
async function withFormats(label, f) {
  const m = await loadFormats();
  try {
    return f(m);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      formats = null;
      instances += 1;
      throw new Error(`${label}: the file is corrupt (the reader failed on its content)`);
    }
    throw e;
  }
}

const LABEL = { parquet: 'Parquet', excel: 'Excel', json: 'JSON', sqlite: 'SQLite' };

/**
 * m: {blob, name, source: {sheet?, table?, query?, header?}}. Returns
 * {format: 'csv'} for CSV; {format, parts, needs_choice: true} when a sheet or
 * table must be chosen; else {format, csv, types, parts, part, n_rows}.
 */
export async function convertData(m, detectFormat) {
  const head = new Uint8Array(await m.blob.slice(0, 16).arrayBuffer());
  const format = detectFormat(head, m.name);
  if (format === 'csv') return { format };
  const bytes = new Uint8Array(await m.blob.arrayBuffer());
  const source = m.source ?? {};
  if (format === 'sqlite') return readSqlite(bytes, source);
  return withFormats(LABEL[format], (f) => {
    if (!source.sheet) {
      const parts = f.formats_parts(bytes, m.name);
      if (parts.length > 1) return { format, parts, needs_choice: true };
    }
    return f.formats_convert(bytes, m.name, JSON.stringify(source));
  });
}

function sqliteWorker(request) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./sqlite_worker.js', import.meta.url));
    const done = () => w.terminate();
    w.onmessage = (ev) => {
      done();
      if (ev.data.ok) resolve(ev.data);
      else reject(new Error(ev.data.error));
    };
    w.onerror = (ev) => {
      done();
      ev.preventDefault?.();
      reject(new Error(`SQLite: the reader (sql.js) could not start: ${ev.message || 'www/vendor/sql-wasm.js is missing'}`));
    };
    w.postMessage(request, [request.bytes.buffer]);
  });
}

async function readSqlite(bytes, source) {
  if (source.query) await withFormats('SQLite', (f) => f.formats_check_select(source.query));
  const r = await sqliteWorker({ bytes, table: source.table ?? null, query: source.query ?? null });
  if (r.needs_choice) return { format: 'sqlite', parts: r.tables, needs_choice: true };
  // Blobs cannot be read: the core names their row and column.
  const json = JSON.stringify({ columns: r.columns, rows: r.rows }, (_, v) => (v instanceof Uint8Array || (v && v.__blob) ? { blob: true } : v));
  const c = await withFormats('SQLite', (f) => f.formats_rows(json, r.part));
  c.parts = r.tables;
  return c;
}
