// A pool of module Web Workers for hyperparameter search and cross-validation
// folds (www/cv_pool.js). Each pool worker is another instance of www/worker.js
// (its own wasm Session) that is given the loaded CSV (the File/Blob, streamed in)
// and read options; the page's main worker is never part of the pool, so
// terminating the pool (Cancel) leaves the user's data untouched. The page has one
// pool (`sharedPool()`): the search and cross-validation reuse its workers.
import { WorkerClient } from './protocol.js';

/** The default pool size: one worker per logical core (at most 16). */
export function defaultPoolSize() {
  const n = Number(globalThis.navigator?.hardwareConcurrency) || 2;
  return Math.max(1, Math.min(16, n));
}

export class Pool {
  constructor() {
    this.clients = [];
    this.blob = null;
    this.options = null;
    this.module = null;
  }

  get size() {
    return this.clients.length;
  }

  /** Starts `size` workers holding the data (`blob`: the loaded File/Blob, streamed into each
   * worker as the main worker reads it), kept across searches while the data and size stay the same.
   * `module`: the wasm module the work needs ('full' for the search; 'core' for CV folds, which
   * full workers also run). */
  async ensure(blob, options, size, module = 'full') {
    const fits = this.module === 'full' || this.module === module;
    if (this.clients.length === size && this.blob === blob && this.options === options && fits) return false;
    this.terminate();
    const clients = Array.from({ length: size }, () => new WorkerClient({ module }));
    this.clients = clients;
    try {
      await Promise.all(clients.map(async (c) => {
        await c.call('init');
        await c.call('load_stream', { blob, options });
      }));
    } catch (e) {
      if (this.clients === clients) this.terminate();
      throw e;
    }
    this.blob = blob;
    this.options = options;
    this.module = module;
    return true;
  }

  /** Stops every pool worker now: their pending calls reject with `cancelled`. */
  terminate() {
    for (const c of this.clients) {
      c.worker.terminate();
      c.failAll('cancelled', true);
    }
    this.clients = [];
    this.blob = null;
    this.options = null;
    this.module = null;
  }

  /**
   * Runs `n` independent requests across the workers (each takes the next
   * index when it is free). `request(i)` gives [type, payload]; `onResult(i, r)`
   * is called as each one arrives. Resolves with the results in index order,
   * whatever order the workers finish in.
   */
  async map(n, request, onResult) {
    if (!this.clients.length) throw new Error('the worker pool is not running');
    const out = new Array(n);
    let next = 0;
    const clients = this.clients;
    await Promise.all(clients.map(async (c) => {
      while (next < n) {
        const i = next++;
        const [type, payload] = request(i);
        out[i] = await c.call(type, payload);
        onResult?.(i, out[i]);
      }
    }));
    return out;
  }
}

let shared = null;
/** The page's one pool (search and cross-validation share its workers and their copies of the data). */
export function sharedPool() {
  shared ??= new Pool();
  return shared;
}
