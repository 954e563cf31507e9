// The page's one state store: a plain object of named values and named events,
// no framework. The page's areas (data.js, pipeline.js, train.js, results.js,
// predict.js, search.js, monitor.js, runs.js, export.js, code.js) never call each
// other: they read and set values here and listen to each other's events.
//
//   store.get(key)            the value (treat objects as read-only: set a new one)
//   store.set(key, value)     stores it and emits `${key}-changed` with (value, previous)
//   store.on(event, fn)       fn(detail, previous) on every emit; returns a function that unsubscribes
//   store.emit(event, detail) calls every listener in the order they subscribed; returns a
//                             Promise of all their results (listeners may be async), which
//                             rejects if one throws, so an emitter can await the work it starts.
//
// Values (each emits `<key>-changed` when set):
//   catalog     the core's catalogue ({steps, models, metrics, default_metrics, ...}), set once at start-up
//   data        the loaded table: {blob, options, types, name, summary, profile, example} or null.
//               `blob` is the File/Blob itself (kept so a restarted worker gets it back), `example`
//               whether it is a built-in example data set (its name may go into a link or a run)
//   busy        true while a long call runs in the worker (buttons that start one are off)
//   follow-up   true while that call is the page's own work after a result (the out-of-fold pictures,
//               the model view's fit on all rows, which may move the session to the full module),
//               not a run the user asked for: a file picked or dropped then waits for it and loads
//   restoring   true while a restarted worker gets its data and model back
//   status      the one-line status in the header
//   spec        the pipeline the forms describe: {spec, error} (spec an object without the search
//               block, or null with error the reason in words); set on every edit of the forms
//   search-block  the search block the search card adds to the spec: {block, error} (block null = none)
//   spec-text   the spec JSON shown in the spec view (spec + search block, indented)
//   task        'classification' | 'regression' | 'clustering': the task of the chosen model
//   result      the last training run: {kind: 'cv', spec, report} or {kind: 'clustering', spec, view}
//               (spec as JSON text); null after new data
//   model       the session's current model (the one Predict, Export and Monitor use):
//               {text (the model file JSON), spec (JSON text it was fitted from, or null), source
//               (in words), summary (the worker's model_summary), fitMs (the fit's time, when fitted here)}
//               or null. A cross-validation keeps no model: session.js fits the one just trained at
//               its first use (ensureModel)
//
// Events (emit only):
//   open-spec      (spec, {scroll}) put a spec back into the pipeline editor; pipeline.js handles it
//                  and throws (the emit rejects) when it cannot, e.g. with no data loaded
//   load-example   (file name) load a built-in example data set; data.js handles it
//   run-finished   ({kind: 'cv' | 'search' | 'fit', ...}) a finished run for the run history (runs.js)
//   cancel         the user pressed the page's Cancel: the main worker restarts (search stops its pool)
//
// Areas set up after start-up (app.js: the ones the first result does not need, imported once the
// page is ready) catch up with `store.catchUp(setup)`: the value listeners `setup` adds are called with
// each value that is no longer its initial one (in the order of the list above), then with the events
// `store.hold(event)` kept since start-up, in order; `store.release()` ends the holding.

const values = {
  catalog: null,
  data: null,
  busy: false,
  'follow-up': false,
  restoring: false,
  status: '',
  spec: null,
  'search-block': null,
  'spec-text': '',
  task: null,
  result: null,
  model: null,
};

/** A store: the page uses the one exported below; tests make their own. */
export function createStore(initial = {}) {
  const vals = { ...initial };
  const subs = new Map();
  const held = new Map(); // event → [[detail, previous], …] kept for areas set up later (hold)
  const store = {
    get(key) {
      if (!(key in vals)) throw new Error(`store: unknown value ${JSON.stringify(key)}`);
      return vals[key];
    },
    set(key, value) {
      if (!(key in vals)) throw new Error(`store: unknown value ${JSON.stringify(key)}`);
      const previous = vals[key];
      vals[key] = value;
      return store.emit(`${key}-changed`, value, previous);
    },
    on(event, fn) {
      if (!subs.has(event)) subs.set(event, []);
      subs.get(event).push(fn);
      return () => {
        const list = subs.get(event);
        const i = list.indexOf(fn);
        if (i >= 0) list.splice(i, 1);
      };
    },
    emit(event, detail, previous) {
      held.get(event)?.push([detail, previous]);
      const results = [...(subs.get(event) ?? [])].map((fn) => {
        try {
          return fn(detail, previous);
        } catch (e) {
          return Promise.reject(e);
        }
      });
      return Promise.all(results);
    },
    /** Keeps every `event` emitted from now on, for the listeners a later `catchUp` adds. */
    hold(event) {
      if (!held.has(event)) held.set(event, []);
    },
    /** Stops keeping events (the areas set up late have caught up). */
    release() {
      held.clear();
    },
    /**
     * Runs `setup` (an area's set-up, after start-up) and calls the listeners it added with what
     * they missed: the values set since start-up, then the held events. Returns a Promise of
     * their results, as `emit`.
     */
    catchUp(setup) {
      const added = [];
      const on = store.on;
      store.on = (event, fn) => {
        added.push([event, fn]);
        return on(event, fn);
      };
      try {
        setup();
      } finally {
        store.on = on;
      }
      const calls = [];
      const call = (fn, ...args) => {
        try {
          calls.push(fn(...args));
        } catch (e) {
          calls.push(Promise.reject(e));
        }
      };
      for (const key of Object.keys(initial)) {
        if (vals[key] === initial[key]) continue;
        for (const [event, fn] of added) if (event === `${key}-changed`) call(fn, vals[key], initial[key]);
      }
      for (const [event, fn] of added) for (const [detail, previous] of held.get(event) ?? []) call(fn, detail, previous);
      return Promise.all(calls);
    },
  };
  return store;
}

export const store = createStore(values);
