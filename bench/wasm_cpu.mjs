#!/usr/bin/env node
// CPU time of one benchmark task in a wasm build, run by Node instead of Chromium
// (same V8 engine). For comparing two wasm builds (opt-level, wasm-opt flags) on a
// busy machine, where wall-clock times mean little: it reports the process's CPU
// time (user + system) per repetition. Run node with `--single-threaded` so that no
// background compiler or GC thread adds to the count, and `--no-liftoff` so that
// every function runs TurboFan code from the start (no tier-up during the timing).
//
//   node --single-threaded --no-liftoff bench/wasm_cpu.mjs --pkg www/pkg \
//        --data bench/out/data/F.csv --op cv --spec bench/specs/cv_logreg.json [--reps 3]
//
// --pkg: a wasm-bindgen `--target web` output directory (pipelab.js + pipelab_bg.wasm,
// or any NAME.js + NAME_bg.wasm). op: parse | cv | fit | fit_predict | transform, as in
// bench/browser-worker.js, or predict (the predict half of fit_predict alone: one untimed
// fit, then `predict_loaded_summary` timed). --fresh: the table is loaded again (untimed)
// before each timed run, so every fit builds the drift reference (the Session caches it). Prints one JSON object:
// {cpu_ms: [..], wall_ms: [..], median_cpu_ms, wasm_memory_bytes, wasm_bytes}.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const val = (f, d) => {
  const i = argv.indexOf(f);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d;
};
const pkg = resolve(val('--pkg', 'www/pkg'));
const op = val('--op', 'parse');
const data = val('--data');
const specFile = val('--spec');
const reps = Number(val('--reps', 3));
if (!data) {
  console.error('usage: node bench/wasm_cpu.mjs --pkg DIR --data F.csv --op OP [--spec S.json] [--reps N]');
  process.exit(2);
}

const js = readdirSync(pkg).find((f) => f.endsWith('.js') && readdirSync(pkg).includes(f.replace(/\.js$/, '_bg.wasm')));
if (!js) throw new Error(`no NAME.js + NAME_bg.wasm in ${pkg}`);
const glue = await import(pathToFileURL(join(pkg, js)).href);
const wasmBytes = readFileSync(join(pkg, js.replace(/\.js$/, '_bg.wasm')));
const wasm = glue.initSync({ module: wasmBytes });
const { Session } = glue;

const bytes = new Uint8Array(readFileSync(data));
const spec = specFile ? JSON.stringify(JSON.parse(readFileSync(specFile, 'utf8'))) : '';
const session = new Session();
if (op !== 'parse') session.load_csv(bytes, '');
if (op === 'predict') session.fit(spec);
const yes = () => true;
const once = () => {
  switch (op) {
    case 'parse':
      return session.load_csv(bytes, '');
    case 'cv': {
      // The report is JSON text (an object when it holds NaN): parsed, as the page does.
      const report = session.cross_validate(spec, yes);
      return typeof report === 'string' ? JSON.parse(report) : report;
    }
    case 'fit':
      return session.fit(spec);
    case 'transform':
      return session.preview(spec, 12);
    case 'fit_predict':
      session.fit(spec);
      return session.predict_loaded_summary(15);
    case 'predict':
      return session.predict_loaded_summary(15);
    default:
      throw new Error(`unknown op ${op}`);
  }
};
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
once(); // warm-up
const cpu = [];
const wall = [];
for (let i = 0; i < reps; i++) {
  if (argv.includes('--fresh')) session.load_csv(bytes, '');
  const c0 = cpuMs();
  const t0 = performance.now();
  once();
  wall.push(performance.now() - t0);
  cpu.push(cpuMs() - c0);
}
const sorted = [...cpu].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
console.log(
  JSON.stringify({
    op,
    pkg,
    cpu_ms: cpu.map((x) => +x.toFixed(1)),
    wall_ms: wall.map((x) => +x.toFixed(1)),
    median_cpu_ms: +median.toFixed(1),
    wasm_memory_bytes: wasm.memory.buffer.byteLength,
    wasm_bytes: wasmBytes.length,
  }),
);
