// Which way each metric is better, from the core's catalogue
// (`metric_greater_is_better`): captions, chart axes and search traces say
// "lower is better" for errors (RMSE, MAE, MSE, log loss…). No second list here.

let greater = {};

/** Takes the directions from the catalogue the worker returned at start-up. */
export function setMetricCatalog(catalog) {
  greater = catalog?.metric_greater_is_better ?? {};
}

/** Whether a larger value of `metric` is better (true for a metric the catalogue does not list). */
export function greaterIsBetter(metric) {
  return greater[metric] ?? true;
}

/** "higher is better" or "lower is better". */
export function betterText(metric) {
  return greaterIsBetter(metric) ? 'higher is better' : 'lower is better';
}

/** An axis title: `rmse (lower is better)`. */
export function axisTitle(metric) {
  return metric ? `${metric} (${betterText(metric)})` : 'score';
}
