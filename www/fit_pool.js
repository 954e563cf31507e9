// A fit's model on every core: a random forest's trees and KMeans' restarts
// are independent, so on data large enough for the pool (the cross-validation's
// rule, www/cv_pool.js) they are fitted on the page's worker pool, each worker a
// range of them ('fit_part'), and the page's worker joins the ranges
// ('fit_with_parts', 'inspect_fit_with_parts', 'fit_clustering_with_parts').
// Tree i grows from the forest's i-th seed on any worker; restart i starts from
// the i-th start of the one seed stream and the page's worker keeps the run the
// whole fit keeps — so the model file is the one a single worker writes
// (src/pipeline/model_parts.rs; tests/library/model_parts.rs and
// tests/e2e/fit_pool.test.mjs check it).
import { cvPoolSize, poolFor, poolSizeFor } from './cv_pool.js';

/**
 * Whether the spec's model may be split: a random forest, or KMeans with restarts
 * (random starts, or n_init ≥ 2). Asked before the worker, whose answer may need
 * the full module.
 */
function maySplit(spec) {
  try {
    const model = JSON.parse(spec)?.model ?? {};
    return Object.entries(model).some(([k, p]) => k.startsWith('RandomForest') || (k === 'KMeans' && (p?.init === 'random' || Number(p?.n_init) > 1)));
  } catch {
    return false;
  }
}

/** The worker method that joins the parts for each use. */
const JOIN = { fit: 'fit_with_parts', inspect: 'inspect_fit_with_parts', clustering: 'fit_clustering_with_parts' };

/**
 * Fits `spec` (JSON text) on all rows with the model's pieces fitted on the pool.
 * `use`: 'fit' (resolves with the model file text; it becomes the worker's model,
 * as after 'fit'), 'inspect' (the model view's inspection; the session's model is
 * kept) or 'clustering' (as 'fit_clustering': the view and the model text).
 * Resolves with null when the fit is not split (another model, out-of-bag score,
 * one restart, hold-out part, data too small for the pool): the caller fits on
 * its worker. `globalThis.pipelabFitPoolLast` = {workers, parts} says how the last
 * one ran (e2e tests).
 */
export async function fitOnPool(client, state, spec, use = 'fit') {
  if (!maySplit(spec) || !cvPoolSize(state)) return null;
  const n = await client.call('split_plan', { spec });
  if (!n || n < 2) return null;
  const pool = poolFor(client);
  await pool.ensure(state.blob, state.options, poolSizeFor(pool, state, n), 'full');
  // Even ranges in order, one per worker (the first ones one piece longer).
  const k = Math.min(pool.size, n);
  const ranges = Array.from({ length: k }, (_, i) => {
    const q = Math.floor(n / k);
    const r = n % k;
    const from = i * q + Math.min(i, r);
    return [from, from + q + (i < r ? 1 : 0)];
  });
  const parts = await pool.map(k, (i) => ['fit_part', { spec, from: ranges[i][0], to: ranges[i][1] }]);
  globalThis.pipelabFitPoolLast = { workers: k, parts: ranges };
  return client.call(JOIN[use], { spec, parts });
}
