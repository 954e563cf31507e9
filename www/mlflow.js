// "Log runs to MLflow": sends a recorded run (www/runs_store.js) to an MLflow
// tracking server through its REST API, in the layout the CLI's `--mlflow` uses
// (src/cli/track.rs): params by the search's paths, `<metric>` per fold (step = fold
// index), `<metric>_mean` / `_std`, tags pipelab.version / data.*, the spec and the
// model file as artifacts through the server's artifact proxy, a search as a parent
// run with one child run per candidate (tag mlflow.parentRunId).
//
// The server must allow this page's origin: `mlflow server --cors-allowed-origins <origin>`
// (MLflow 3 allows localhost origins by default). Failures carry `kind`:
// 'unreachable' | 'cors' | 'http' | 'artifacts', and a message saying what to do.

const API = '/api/2.0/mlflow';
const MAX_PARAM_VALUE = 6000;

export class MlflowError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

function client(base, timeoutMs) {
  base = base.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(base)) throw new MlflowError('uri', `"${base}" is not an http(s):// tracking URI (e.g. http://127.0.0.1:5000)`);
  async function send(method, path, body, headers = {}) {
    const url = base + path;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    let res;
    try {
      res = await fetch(url, { method, body, headers, signal: ctl.signal, mode: 'cors' });
    } catch (e) {
      if (e.name === 'AbortError') throw new MlflowError('unreachable', `${base} did not answer within ${timeoutMs / 1000} s`);
      // fetch cannot tell "nothing there" from "refused by CORS": ask once without CORS.
      let reachable = false;
      try {
        await fetch(`${base}/health`, { mode: 'no-cors', signal: AbortSignal.timeout(5000) });
        reachable = true;
      } catch {
        /* nothing answered */
      }
      if (reachable) {
        throw new MlflowError('cors', `${base} answered but its CORS policy refuses this page (${location.origin}): start it with --cors-allowed-origins ${location.origin}`);
      }
      throw new MlflowError('unreachable', `${base} is unreachable (is \`mlflow server\` running there?)`);
    } finally {
      clearTimeout(timer);
    }
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      const code = json?.error_code ? ` ${json.error_code}` : '';
      const msg = json?.message ?? text.slice(0, 300);
      const err = new MlflowError('http', `HTTP ${res.status}${code}: ${msg}`);
      err.code = json?.error_code ?? '';
      throw err;
    }
    return json ?? {};
  }
  const post = (path, body) => send('POST', API + path, JSON.stringify(body), { 'Content-Type': 'application/json' });
  const get = (path) => send('GET', API + path);
  return { base, send, post, get };
}

const kv = (pairs) => pairs.map(([key, value]) => ({ key, value: String(value) }));

async function experimentId(c, name) {
  const find = async () => {
    try {
      return (await c.get(`/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`)).experiment.experiment_id;
    } catch (e) {
      if (e.code === 'RESOURCE_DOES_NOT_EXIST') return null;
      throw e;
    }
  };
  const found = await find();
  if (found) return found;
  try {
    return (await c.post('/experiments/create', { name })).experiment_id;
  } catch (e) {
    if (e.code === 'RESOURCE_ALREADY_EXISTS') return find();
    throw e;
  }
}

function metricList(cvMetrics, scalars) {
  const ts = Date.now();
  const out = [];
  const skipped = [];
  const push = (key, value, step) => {
    if (Number.isFinite(value)) out.push({ key, value, timestamp: ts, step });
    else skipped.push(key);
  };
  for (const [k, m] of Object.entries(cvMetrics ?? {})) {
    (m.folds ?? []).forEach((v, i) => push(k, v, i));
    push(`${k}_mean`, m.mean, 0);
    if (m.std !== null && m.std !== undefined) push(`${k}_std`, m.std, 0);
  }
  for (const [k, v] of Object.entries(scalars ?? {})) push(k, v, 0);
  return { metrics: out, skipped };
}

async function logBatch(c, runId, params, metrics) {
  const p = params.map(([key, value]) => ({ key, value: String(value).slice(0, MAX_PARAM_VALUE) }));
  for (let i = 0; i < p.length; i += 100) await c.post('/runs/log-batch', { run_id: runId, params: p.slice(i, i + 100) });
  for (let i = 0; i < metrics.length; i += 1000) await c.post('/runs/log-batch', { run_id: runId, metrics: metrics.slice(i, i + 1000) });
}

async function createRun(c, experiment_id, run_name, tags) {
  const body = { experiment_id, start_time: Date.now(), tags: kv(tags) };
  if (run_name) body.run_name = run_name;
  return (await c.post('/runs/create', body)).run.info;
}

async function upload(c, artifactUri, path, text, type) {
  const m = /^mlflow-artifacts:(?:\/\/[^/]+)?\/(.*)$/.exec(artifactUri ?? '');
  if (!m) throw new MlflowError('artifacts', `the run's artifact location ${JSON.stringify(artifactUri)} is not served by the tracking server (start it with --artifacts-destination)`);
  await c.send('PUT', `/api/2.0/mlflow-artifacts/artifacts/${m[1].replace(/\/+$/, '')}/${path}`, text, { 'Content-Type': type });
}

/**
 * Logs one recorded run. `run.params` etc. as in runs_store.js; `children`: for a
 * search, [{params, metrics, tags}] per candidate. Resolves with
 * {run_id, experiment_id, url, children}; rejects with an MlflowError.
 */
export async function logRun(settings, run, { version = '', children = [], timeoutMs = 15000 } = {}) {
  const c = client(settings.uri, timeoutMs);
  const expName = settings.experiment || 'Default';
  const experiment_id = await experimentId(c, expName);
  const baseTags = [
    ['pipelab.version', version],
    ['pipelab.command', run.kind],
    ['data.name', run.data?.name ?? ''],
    ['data.sha256', run.data?.sha256 ?? ''],
    ['data.rows', run.data?.rows ?? ''],
    ['mlflow.source.name', 'pipelab'],
    ['mlflow.source.type', 'LOCAL'],
  ];
  const info = await createRun(c, experiment_id, run.name, baseTags);
  const runId = info.run_id;
  try {
    const scalars = { ...(run.scalars ?? {}) };
    // As the CLI names them: mean fold fit time for a CV, the final fit's time for a fit.
    const timeKey = { cv: 'fit_time_ms_mean', fit: 'fit_time_ms', search: 'search_time_ms' }[run.kind] ?? 'fit_time_ms';
    if (Number.isFinite(run.fit_time_ms)) scalars[timeKey] = run.fit_time_ms;
    const { metrics } = metricList(run.metrics, scalars);
    await logBatch(c, runId, run.params ?? [], metrics);
    await upload(c, info.artifact_uri, 'spec.json', JSON.stringify(run.spec, null, 2), 'application/json');
    if (run.model_text) await upload(c, info.artifact_uri, 'model/model.json', run.model_text, 'application/json');
    if (run.search) await upload(c, info.artifact_uri, 'search_results.json', JSON.stringify(run.search, null, 2), 'application/json');
    let i = 0;
    for (const ch of children) {
      const ci = await createRun(c, experiment_id, `${info.run_name}-${i}`, [...baseTags, ['mlflow.parentRunId', runId], ...ch.tags]);
      const { metrics: cm } = metricList(ch.metrics, ch.scalars);
      await logBatch(c, ci.run_id, ch.params, cm);
      await c.post('/runs/update', { run_id: ci.run_id, status: 'FINISHED', end_time: Date.now() });
      i++;
    }
    await c.post('/runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
  } catch (e) {
    await c.post('/runs/update', { run_id: runId, status: 'FAILED', end_time: Date.now() }).catch(() => {});
    e.message = `run ${runId} is incomplete (marked FAILED): ${e.message}`;
    throw e;
  }
  return { run_id: runId, experiment_id, url: `${c.base}/#/experiments/${experiment_id}/runs/${runId}`, children: children.length };
}
