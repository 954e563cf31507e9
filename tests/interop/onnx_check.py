"""Runs an ONNX model in the Python onnxruntime on the given columns and prints every
output as JSON, like onnx_check.mjs (same arguments and output). Test-only; driven by
tests/interop/export_onnx.rs with the interop venv's python (PIPELAB_PYTHON)."""
import json
import math
import sys

import numpy as np
import onnxruntime as ort

model_path, inputs_path = sys.argv[1], sys.argv[2]
spec = json.load(open(inputs_path))
n = spec["n_rows"]
feeds = {}
for c in spec["columns"]:
    if c["type"] == "string":
        feeds[c["name"]] = np.array(["" if v is None else str(v) for v in c["values"]], dtype=object).reshape(n, 1)
    else:
        feeds[c["name"]] = np.array([math.nan if v is None else v for v in c["values"]], dtype=np.float64).reshape(n, 1)
opts = ort.SessionOptions()
opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
sess = ort.InferenceSession(model_path, opts, providers=["CPUExecutionProvider"])
names = [o.name for o in sess.get_outputs()]
results = sess.run(names, feeds)
outputs = {}
for name, arr in zip(names, results):
    flat = arr.reshape(-1).tolist()
    data = [None if isinstance(v, float) and not math.isfinite(v) else v for v in flat]
    outputs[name] = {"dims": list(arr.shape), "type": str(arr.dtype), "data": data}
print(json.dumps({"outputs": outputs, "input_names": [i.name for i in sess.get_inputs()], "output_names": names, "ort_version": ort.__version__}))
