// The model picker's task logic: which task a target column suggests, and the
// notes the page shows about a model (pure functions, no DOM state).

export const TASKS = ['classification', 'regression', 'clustering'];

/** Rows above which the page warns that RBF SVC gets slow (its kernel matrix is n × n). */
export const SVC_MAX_ROWS = 5000;

/**
 * The task a target column suggests, with the reason in words:
 * text or boolean → classification; numeric with few distinct whole-number values
 * (checked on the preview rows) → classification; other numbers → regression;
 * no target → clustering.
 */
export function inferTask(col, summary) {
  if (!col) return { task: 'clustering', reason: 'no target column' };
  // The core's reading of the column, on every row (src/data/target.rs).
  if (col.as_target) return { task: col.as_target.task, reason: col.as_target.reason };
  if (col.type === 'categorical' || col.type === 'boolean') {
    return { task: 'classification', reason: `${col.name} is ${col.type} with ${col.distinct} classes` };
  }
  const j = summary.columns.findIndex((c) => c.name === col.name);
  const shown = summary.preview.map((r) => r[j]).filter((v) => v !== null && v !== undefined && v !== '');
  const whole = shown.every((v) => Number.isInteger(Number(v)));
  const few = col.distinct <= Math.max(2, Math.min(10, Math.floor(summary.n_rows / 5)));
  if (whole && few) return { task: 'classification', reason: `${col.name} holds ${col.distinct} distinct whole numbers` };
  return { task: 'regression', reason: `${col.name} is numeric with ${col.distinct} distinct values` };
}

/** A note shown under the model's help text, or ''. */
export function modelNote(name, nRows) {
  if (name === 'SVC') {
    const big = nRows > SVC_MAX_ROWS ? ` This data has ${nRows} rows: expect a long wait, or pick LinearSVC.` : '';
    return `RBF-kernel SVC is meant for small data (≤ ${SVC_MAX_ROWS.toLocaleString('en')} rows): its time and memory grow with the square of the rows.${big}`;
  }
  if (name === 'AgglomerativeClustering') return 'Agglomerative clustering keeps a pairwise-distance matrix: meant for a few thousand rows.';
  return '';
}
