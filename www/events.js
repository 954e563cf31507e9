// Named page events, for the parts of the page that watch what the user does
// (the Exercises panel, www/exercises.js) without reaching into app.js's state.
// A minimal stand-in for www/store.js's named events: when that lands, `emit`
// and `on` forward to it and the callers stay as they are.
//
// Events: 'spec' {spec} (the editor's spec changed), 'cv-done' {spec, report},
// 'model-saved' {text}, 'model-loaded' {text, source}, 'predicted' {modelText, name, nRows},
// 'runs-compared' {n, differing}.

const PREFIX = 'pipelab:';

/** Announces `name` with `detail` to every listener. Never throws into the caller. */
export function emit(name, detail = {}) {
  try {
    document.dispatchEvent(new CustomEvent(PREFIX + name, { detail }));
  } catch (e) {
    console.warn(`pipelab: a listener of ${name} failed: ${e.message}`);
  }
}

/** Calls `fn(detail)` on each `name` event; returns a function that stops listening. */
export function on(name, fn) {
  const h = (ev) => fn(ev.detail);
  document.addEventListener(PREFIX + name, h);
  return () => document.removeEventListener(PREFIX + name, h);
}
