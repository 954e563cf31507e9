// The run history's store: every cross-validation, search and fit of the page, in
// IndexedDB (through the vendored `idb` wrapper), so runs survive a reload.
//
// A run: {id, name, kind: 'cv' | 'search' | 'fit', time (ms since epoch),
//   data: {name, sha256, rows, cols, example}, spec (object), params: [[path, text], ...]
//   (the CLI's MLflow parameter names, from the wasm `spec_params`), metrics: {name: {folds, mean, std}},
//   fit_time_ms, warnings: [...], model_text (fits only), search (searches only: scoring, best_params,
//   candidates), mlflow: {status: 'logged' | 'failed', run_id, url, error, time}}.
import { openDB } from './vendor/idb.js';

const DB_NAME = 'pipelab-runs';
const STORE = 'runs';
export const EXPORT_FORMAT = 'pipelab-runs';
export const EXPORT_VERSION = 1;

let dbPromise = null;
function db() {
  dbPromise ??= openDB(DB_NAME, 1, {
    upgrade(d) {
      const s = d.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
      s.createIndex('time', 'time');
    },
  });
  return dbPromise;
}

/** Stores a new run; resolves with its id. */
export async function addRun(run) {
  const r = { ...run };
  delete r.id;
  return (await db()).add(STORE, r);
}

/** Every run, oldest first. */
export async function listRuns() {
  return (await db()).getAllFromIndex(STORE, 'time');
}

export async function getRun(id) {
  return (await db()).get(STORE, id);
}

/** Merges `patch` into the stored run (rename, MLflow status). */
export async function updateRun(id, patch) {
  const d = await db();
  const tx = d.transaction(STORE, 'readwrite');
  const run = await tx.store.get(id);
  if (!run) throw new Error(`run ${id} no longer exists`);
  await tx.store.put({ ...run, ...patch, id });
  await tx.done;
}

export async function deleteRun(id) {
  return (await db()).delete(STORE, id);
}

export async function clearRuns() {
  return (await db()).clear(STORE);
}

/** All runs as one JSON document (the export file). */
export async function exportRuns() {
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exported: new Date().toISOString(), runs: await listRuns() };
}

/**
 * Adds the runs of an export file (new ids; the file's runs are checked, not trusted).
 * Resolves with the number added.
 */
export async function importRuns(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`the file is not JSON: ${e.message}`);
  }
  if (doc?.format !== EXPORT_FORMAT) throw new Error(`not a pipelab runs file (format is ${JSON.stringify(doc?.format)}, expected "${EXPORT_FORMAT}")`);
  if (doc.version > EXPORT_VERSION) throw new Error(`runs file version ${doc.version} is newer than this page (${EXPORT_VERSION}): update pipelab`);
  if (!Array.isArray(doc.runs)) throw new Error('the file has no "runs" list');
  doc.runs.forEach((r, i) => {
    const bad = (what) => new Error(`runs[${i}]: ${what}`);
    if (typeof r !== 'object' || r === null) throw bad('is not an object');
    if (!['cv', 'search', 'fit'].includes(r.kind)) throw bad(`unknown kind ${JSON.stringify(r.kind)}`);
    if (!Number.isFinite(r.time)) throw bad('has no time');
    if (typeof r.spec !== 'object' || r.spec === null) throw bad('has no spec');
    if (typeof r.metrics !== 'object' || r.metrics === null) throw bad('has no metrics');
  });
  const d = await db();
  const tx = d.transaction(STORE, 'readwrite');
  for (const r of doc.runs) {
    const copy = { ...r };
    delete copy.id;
    tx.store.add(copy);
  }
  await tx.done;
  return doc.runs.length;
}

/** Hex SHA-256 of a Blob (WebCrypto; null where the page is not a secure context). */
export async function sha256Hex(blob) {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
