// Runs an ONNX model in onnxruntime-node (the real ONNX Runtime, CPU) on the given
// columns and prints every output as JSON. Driven by tests/interop/export_onnx.rs.
//
//   node tests/interop/onnx_check.mjs MODEL.onnx INPUTS.json
//
// INPUTS.json: {"n_rows": N, "columns": [{"name": ..., "type": "double"|"string", "values": [...]}]}
// (a null double is NaN). Output on stdout: {"outputs": {name: {"dims": [...], "type": ..., "data": [...]}}}
// (NaN written as null, int64 as numbers).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  console.error(`onnxruntime-node is not installed (npm ci; see DEVELOPERS.md): ${e.message}`);
  process.exit(3);
}

const [modelPath, inputsPath] = process.argv.slice(2);
if (!modelPath || !inputsPath) {
  console.error('usage: node tests/interop/onnx_check.mjs MODEL.onnx INPUTS.json');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(inputsPath, 'utf8'));
const n = spec.n_rows;
const feeds = {};
for (const c of spec.columns) {
  if (c.type === 'string') {
    feeds[c.name] = new ort.Tensor('string', c.values.map((v) => (v === null ? '' : String(v))), [n, 1]);
  } else {
    feeds[c.name] = new ort.Tensor('float64', Float64Array.from(c.values, (v) => (v === null ? NaN : v)), [n, 1]);
  }
}
const session = await ort.InferenceSession.create(readFileSync(modelPath), { graphOptimizationLevel: 'disabled' });
const results = await session.run(feeds);
const outputs = {};
for (const [name, t] of Object.entries(results)) {
  const data = t.type === 'int64' ? Array.from(t.data, (v) => Number(v)) : Array.from(t.data, (v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  outputs[name] = { dims: t.dims.map(Number), type: t.type, data };
}
process.stdout.write(JSON.stringify({ outputs, input_names: session.inputNames, output_names: session.outputNames }));
