// The page's start-up and wiring. Each area of the page is a module that sets itself
// up and talks to the others only through the state store (www/store.js: values and
// named events, listed at its top); the worker's session (the WorkerClient, restarts,
// the current model) is www/session.js. The page never touches the wasm module itself
// (see protocol.js) and never puts user data into HTML.
//
// To add an area: write www/<area>.js with a setup function that reads and listens to
// the store, import it here and call it below (and add a modulepreload line to index.html) —
// or, when the first result does not need it, add it to `lateAreas` (no preload line).
import { $, showError } from './dom.js';
import { store } from './store.js';
import { client, setBusy, recoverIfFatal } from './session.js';
import { setupData, EXAMPLES } from './data.js';
import { setupPipeline } from './pipeline.js';
import { setupTrain } from './train.js';
import { setupResults } from './results.js';
import { setupShare } from './share.js';
import { setupDiagram, updateDiagram, resetDiagram } from './diagram.js';
import { setMetricCatalog } from './metric_direction.js';
import { emit } from './events.js';
import { setupExercises } from './exercises.js';
import { setupExplanations } from './explain.js';

async function main() {
  // Inert (no click lands on a control without its handler) until lateAreas has set them up.
  const late = LATE.map((sel) => $(sel)).filter((n) => n && !n.inert);
  for (const n of late) n.inert = true;
  store.on('status-changed', (text) => {
    $('#status').textContent = text;
  });
  // Areas in page order: listeners of one event run in this order too (the pipeline
  // follows new data before the search card builds its block from the pipeline).
  setupData();
  setupPipeline();
  setupTrain();
  setupResults();
  // The run history (runs.js, set up late) records the runs that finished before it.
  store.hold('run-finished');
  // The diagram and the leakage lab keep their own small contexts, fed from the store.
  store.on('catalog-changed', (catalog) => setMetricCatalog(catalog));
  setupDiagram({
    client,
    box: $('#pipeline-diagram'),
    getState: () => ({ summary: store.get('data')?.summary ?? null, catalog: store.get('catalog'), dataName: store.get('data')?.name ?? '' }),
  });
  store.on('data-changed', () => resetDiagram());
  store.on('spec-changed', (v) => {
    if (v?.spec) updateDiagram(v.spec);
  });
  // The Exercises panel listens to events.js's page events; these come from the store.
  setupExercises();
  store.on('catalog-changed', (catalog) => setupExplanations(catalog));
  store.on('spec-changed', (v) => {
    if (v?.spec) emit('spec', { spec: v.spec, summary: store.get('data')?.summary });
  });
  store.on('result-changed', (r) => {
    if (r?.kind === 'cv') emit('cv-done', { spec: JSON.parse(r.spec), summary: store.get('data')?.summary, report: r.report });
  });
  try {
    const { catalog, version } = await client.init();
    $('#version').textContent = version;
    await store.set('catalog', catalog);
    store.set('status', 'ready');
    // share.js keeps its own small context (what a link needs of the page), read from the store.
    await setupShare({
      state: {
        get catalog() {
          return store.get('catalog');
        },
        get dataName() {
          return store.get('data')?.name ?? '';
        },
        get summary() {
          return store.get('data')?.summary ?? null;
        },
        loading: false,
      },
      openSpec: (spec) => store.emit('open-spec', spec, { scroll: true }),
      loadExample: (name) => store.emit('load-example', name),
      examples: EXAMPLES.map(([f]) => f),
    });
    document.body.dataset.ready = 'true';
  } catch (e) {
    store.set('status', 'failed to start');
    showError($('#data-error'), `pipelab could not start its WebAssembly worker: ${e.message}`);
  }
  await lateTime();
  await lateAreas(late);
}

// The areas the path to a first result (load → train → result) does not use, imported after it
// instead of at start-up: 10 of the 36 modules the page fetched before it could start (on HTTP/1.1,
// six at a time, they also delayed the worker's glue and wasm; bench/HISTORY.md Session 12).
// Imported right after the page was ready, their fetch, compile and set-up fell between the clicks
// of a quick first run, so they come at the first result or LATE_AFTER_MS after start-up, whichever
// is first (a person's first result takes longer: they are there by then). Their controls are
// inert until set up; `store.catchUp` gives them the values and runs they missed;
// `body[data-areas="ready"]` says every area is set up. Test hook: `window.pipelabAreasAtOnce`.
const LATE = ['#search-section', '#leakage-section', '#predict-section', '#monitor-section', '#runs-section', '#code-details', '#download-onnx'];
const LATE_AFTER_MS = 2000;

/** Resolves at the first result, or LATE_AFTER_MS from now, whichever comes first. */
function lateTime() {
  if (globalThis.pipelabAreasAtOnce) return Promise.resolve();
  return new Promise((resolve) => {
    let off = null;
    const go = () => {
      off?.();
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(go, LATE_AFTER_MS);
    off = store.on('result-changed', (r) => r && go());
  });
}

async function lateAreas(late) {
  try {
    const [{ setupPredict }, { setupSearch }, { setupMonitor }, { setupRuns }, { setupExport }, { setupCode }, { setupLeakage }] = await Promise.all([
      import('./predict.js'),
      import('./search.js'),
      import('./monitor.js'),
      import('./runs.js'),
      import('./export.js'),
      import('./code.js'),
      import('./leakage.js'),
    ]);
    // In page order, after the areas set up at start-up (listeners of one event run in that order).
    await store.catchUp(() => {
      setupPredict();
      setupSearch();
      setupMonitor();
      setupRuns();
      setupExport();
      setupCode();
      setupLeakage({
        client,
        buildSpec: () => {
          if (!store.get('data')) return null;
          const v = store.get('spec');
          if (!v?.spec) throw new Error(v?.error ?? 'the pipeline is not complete yet');
          return v.spec;
        },
        setBusy,
        recoverIfFatal,
      });
    });
    document.body.dataset.areas = 'ready';
  } catch (e) {
    showError($('#data-error'), `part of the page could not start: ${e.message}`);
  } finally {
    store.release();
    for (const n of late) n.inert = false;
  }
}

main();
