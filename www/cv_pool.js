// Cross-validation on every core: the folds of a CV are independent, so on data
// large enough to gain from it they run on the page's worker pool (www/pool.js;
// each pool worker holds its own copy of the data). The main worker gives the
// number of folds ('cv_plan'), the pool workers evaluate folds ('cv_fold', any
// order), and the main worker assembles the report ('cv_finish'), which becomes
// its session's last CV exactly as after 'cross_validate'. The report is the one
// the single worker gives (the same core code runs each fold; fold timings
// aside): tests/e2e/cv_pool.test.mjs and tests/cv_folds.rs check it.
import { defaultPoolSize, sharedPool } from './pool.js';

/** Rows × columns from which the pool is used (below it, starting workers costs more than it saves). */
export const POOL_MIN_CELLS = 200_000;
/** Files above this stay on the main worker: every pool worker would hold another copy. */
export const POOL_MAX_BYTES = 64 << 20;

/**
 * Whether (and with how many workers) the CV of the loaded data runs on the pool.
 * Test hook: `globalThis.pipelabCvPool` = 'always' | 'never' (default: decide by size).
 */
export function cvPoolSize(state, nFolds = Infinity) {
  const policy = globalThis.pipelabCvPool;
  if (policy === 'never' || !state.blob) return 0;
  const size = Math.min(defaultPoolSize(), nFolds);
  if (policy === 'always') return Math.max(2, Math.min(4, nFolds));
  const cells = (state.summary?.n_rows ?? 0) * (state.summary?.n_cols ?? 0);
  if (size < 2 || cells < POOL_MIN_CELLS || state.blob.size > POOL_MAX_BYTES) return 0;
  return size;
}

const hooked = new WeakSet();

/** The pool size for `n` parts of work on the loaded data: the running pool's when it holds that data, else `cvPoolSize`'s. */
export function poolSizeFor(pool, state, n) {
  const same = pool.size > 0 && pool.blob === state.blob && pool.options === state.options;
  return same ? pool.size : cvPoolSize(state, n);
}

/** The page's pool for work of `client`: its Cancel (a worker restart) stops the pool too. */
export function poolFor(client) {
  const pool = sharedPool();
  if (!hooked.has(client)) {
    hooked.add(client);
    client.onRestart(() => pool.terminate()); // Cancel stops the folds too
  }
  return pool;
}

/**
 * Cross-validates `spec` (JSON text) on the loaded data: on the pool when
 * `cvPoolSize` says so, else on the main worker. `onProgress(done, total)` per fold.
 * Resolves with the CV report; `globalThis.pipelabCvPoolLast` = {workers, report} says how it ran (e2e tests).
 */
export async function crossValidate(client, state, spec, onProgress) {
  if (!cvPoolSize(state)) {
    const report = await client.call('cross_validate', { spec }, onProgress);
    globalThis.pipelabCvPoolLast = { workers: 0, report };
    return report;
  }
  const pool = poolFor(client);
  const { n_folds: n } = await client.call('cv_plan', { spec });
  const size = poolSizeFor(pool, state, n);
  // The main worker may have moved to the full module for this spec (a model the core lacks):
  // the pool's workers then start on the full module too.
  await pool.ensure(state.blob, state.options, size, client.module === 'full' ? 'full' : 'core');
  let done = 0;
  onProgress?.(0, n);
  const folds = await pool.map(n, (f) => ['cv_fold', { spec, fold: f }], () => onProgress?.(++done, n));
  const report = await client.call('cv_finish', { spec, folds });
  globalThis.pipelabCvPoolLast = { workers: pool.size, report };
  return report;
}
