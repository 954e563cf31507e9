// A random forest's fit on every core: its trees are independent, so on data
// large enough for the pool (the cross-validation's rule, www/cv_pool.js) they
// are grown on the page's worker pool, each worker a range of them
// ('forest_trees'), and the page's worker joins the ranges ('fit_with_trees',
// 'inspect_fit_with_trees'). Tree i grows from the forest's i-th seed on any
// worker, so the model file is the one a single worker writes
// (src/pipeline/tree_parts.rs; tests/library/tree_parts.rs and
// tests/e2e/fit_pool.test.mjs check it).
import { cvPoolSize, poolFor, poolSizeFor } from './cv_pool.js';

/** Whether the spec's model is a random forest (only those are split; asked before the worker). */
function isForest(spec) {
  try {
    return Object.keys(JSON.parse(spec)?.model ?? {}).some((k) => k.startsWith('RandomForest'));
  } catch {
    return false;
  }
}

/**
 * Fits `spec` (JSON text) on all rows with the forest's trees grown on the pool.
 * `inspect`: the model view's inspection (the session's model is kept), else the
 * model file text (it becomes the worker's model, as after 'fit').
 * Resolves with null when the fit is not split (not a forest, out-of-bag score or
 * hold-out part, data too small for the pool): the caller fits on its worker.
 * `globalThis.pipelabFitPoolLast` = {workers, parts} says how the last one ran (e2e tests).
 */
export async function fitOnPool(client, state, spec, inspect = false) {
  if (!isForest(spec) || !cvPoolSize(state)) return null;
  const n = await client.call('forest_plan', { spec });
  if (!n || n < 2) return null;
  const pool = poolFor(client);
  await pool.ensure(state.blob, state.options, poolSizeFor(pool, state, n), 'full');
  // Even ranges in tree order, one per worker (the first ones one tree longer).
  const k = pool.size;
  const ranges = Array.from({ length: k }, (_, i) => {
    const q = Math.floor(n / k);
    const r = n % k;
    const from = i * q + Math.min(i, r);
    return [from, from + q + (i < r ? 1 : 0)];
  });
  const parts = await pool.map(k, (i) => ['forest_trees', { spec, from: ranges[i][0], to: ranges[i][1] }]);
  globalThis.pipelabFitPoolLast = { workers: k, parts: ranges };
  return client.call(inspect ? 'inspect_fit_with_trees' : 'fit_with_trees', { spec, parts });
}
