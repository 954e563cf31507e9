#!/usr/bin/env python3
"""scikit-learn side of the pipelab benchmark (issue 7). Optional: bench/bench.mjs
runs it when a Python with scikit-learn is there.

    python3 bench/sklearn_bench.py --plan PLAN.json --task ID --threads 1|default

PLAN.json is written by bench/bench.mjs: {"tasks": [{"id", "op", "data" (CSV path),
"spec" (the pipelab spec object, or null), "reps"}]}. One task per process, so
the peak RSS (ru_maxrss) is that task's. Prints one JSON object on stdout:
{median_ms, min_ms, max_ms, reps, times_ms, cpu_ms, peak_rss_kb, impl, versions, threadpools}
or {"error": "..."} (exit code 0 either way; exit 2 for usage errors).

The pipelab spec is translated literally: step and model names are scikit-learn
class names and parameters are scikit-learn's names, so they are passed as
keyword arguments. Estimators that take `random_state` get the spec's seed
(default 0) when the spec does not set one, as pipelab does.

--threads 1 limits every native thread pool (OpenMP, BLAS) to one thread with
threadpoolctl; bench.mjs also sets OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 for
that run. --threads default leaves the libraries' defaults.
"""
import argparse
import io
import json
import resource
import statistics
import sys
import time


def fail(msg):
    print(json.dumps({"error": msg}))
    sys.exit(0)


def import_sklearn():
    try:
        import numpy  # noqa: F401
        import sklearn  # noqa: F401
    except Exception as e:  # ImportError, or a broken install
        fail(f"scikit-learn: not available ({e})")


def find_class(name):
    import importlib

    for mod in (
        "sklearn.preprocessing",
        "sklearn.decomposition",
        "sklearn.linear_model",
        "sklearn.ensemble",
        "sklearn.cluster",
        "sklearn.tree",
        "sklearn.neighbors",
        "sklearn.svm",
        "sklearn.naive_bayes",
        "sklearn.feature_selection",
        "sklearn.impute",
        "sklearn.discriminant_analysis",
    ):
        m = importlib.import_module(mod)
        if hasattr(m, name):
            return getattr(m, name)
    raise ValueError(f"no scikit-learn class named {name}")


def build(entry, seed):
    """{"Name": {params}} -> an estimator instance."""
    ((name, params),) = entry.items()
    cls = find_class(name)
    params = dict(params or {})
    if "random_state" in cls().get_params() and params.get("random_state") is None:
        params["random_state"] = seed
    return cls(**params)


def load_xy(path, spec, classify):
    import numpy as np

    try:
        import pandas as pd

        df = pd.read_csv(path)
        df = df.drop(columns=[c for c in spec.get("drop", []) if c in df.columns])
        names = list(df.columns)
        data = df.to_numpy(dtype=np.float64)
    except ImportError:
        with open(path) as f:
            names = f.readline().strip().split(",")
        data = np.loadtxt(path, delimiter=",", skiprows=1)
    target = spec.get("target")
    drop = set(spec.get("drop", []))
    feats = [j for j, n in enumerate(names) if n != target and n not in drop]
    x = np.ascontiguousarray(data[:, feats])
    y = data[:, names.index(target)] if target else None
    if y is not None and classify:
        y = y.astype(np.int64)
    return x, y


def splitter(spec, classifier):
    from sklearn import model_selection

    cv = spec.get("cv")
    if cv is None:
        return 5  # scikit-learn: StratifiedKFold(5) for classifiers, KFold(5) otherwise; as pipelab
    ((name, params),) = cv.items()
    if name not in ("KFold", "StratifiedKFold"):
        raise ValueError(f"the sklearn side supports KFold/StratifiedKFold only, not {name}")
    return getattr(model_selection, name)(**(params or {}))


SCORING = {"rmse": "neg_root_mean_squared_error", "mae": "neg_mean_absolute_error", "mse": "neg_mean_squared_error"}


def make_op(task):
    """Returns (impl name, a zero-argument callable running the timed operation)."""
    op, path, spec = task["op"], task["data"], task.get("spec") or {}
    if op == "parse":
        with open(path, "rb") as f:
            raw = f.read()  # read once, untimed: pipelab also parses bytes already in memory
        try:
            import pandas as pd

            return "pandas.read_csv", lambda: pd.read_csv(io.BytesIO(raw))
        except ImportError:
            import numpy as np

            return "numpy.loadtxt", lambda: np.loadtxt(io.BytesIO(raw), delimiter=",", skiprows=1)

    from sklearn.base import is_classifier
    from sklearn.pipeline import make_pipeline

    seed = spec.get("random_state") or 0
    if spec.get("preprocess"):
        raise ValueError("preprocess (ColumnTransformer) specs are not translated; use top-level steps")
    steps = [build(s, seed) for s in spec.get("steps", [])]
    model = build(spec["model"], seed)
    x, y = load_xy(path, spec, is_classifier(model))
    # "jobs": -1 in the suite: every core, scikit-learn's own way (folds through joblib, a forest's trees).
    n_jobs = task.get("jobs", 1)
    if n_jobs != 1 and op != "cv" and "n_jobs" in model.get_params():
        model.set_params(n_jobs=n_jobs)
    if op == "cv":
        from sklearn.model_selection import cross_validate

        pipe = make_pipeline(*steps, model)
        scoring = [SCORING.get(s, s) for s in spec.get("scoring", [])] or None
        cv = splitter(spec, is_classifier(model))
        # pipelab's cross-validation always scores the training folds too.
        return "cross_validate(return_train_score=True)", lambda: cross_validate(pipe, x, y, cv=cv, scoring=scoring, return_train_score=True, n_jobs=n_jobs if n_jobs != 1 else None)
    if op == "fit":
        pipe = make_pipeline(*steps, model)
        return "Pipeline.fit", lambda: pipe.fit(x, y)
    if op == "fit_predict":
        pipe = make_pipeline(*steps, model)
        return "Pipeline.fit + predict", lambda: pipe.fit(x, y).predict(x)
    if op == "transform":
        if not steps:
            raise ValueError("transform needs steps")
        pipe = make_pipeline(*steps)
        return "steps fit_transform", lambda: pipe.fit_transform(x, y)
    raise ValueError(f"unknown op {op}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plan", required=True)
    ap.add_argument("--task", required=True)
    ap.add_argument("--threads", choices=["1", "default"], default="1")
    a = ap.parse_args()
    with open(a.plan) as f:
        plan = json.load(f)
    tasks = [t for t in plan["tasks"] if t["id"] == a.task]
    if not tasks:
        print(f"sklearn_bench: no task {a.task!r} in {a.plan}", file=sys.stderr)
        sys.exit(2)
    task = tasks[0]
    import_sklearn()
    import contextlib

    import numpy
    import sklearn

    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        threadpool_info, threadpool_limits = (lambda: []), None
    if a.threads == "1" and threadpool_limits is not None:
        limiter = threadpool_limits(limits=1)
    else:
        limiter = contextlib.nullcontext()
    with limiter:
        try:
            impl, fn = make_op(task)
            fn()  # warm-up
            times = []
            cpu = []
            for _ in range(max(1, int(task["reps"]))):
                t0 = time.perf_counter()
                c0 = time.process_time()
                fn()
                cpu.append((time.process_time() - c0) * 1000.0)
                times.append((time.perf_counter() - t0) * 1000.0)
        except Exception as e:
            fail(f"{type(e).__name__}: {e}")
        pools = [{k: p.get(k) for k in ("internal_api", "num_threads", "architecture", "version")} for p in threadpool_info()]
    print(
        json.dumps(
            {
                "median_ms": statistics.median(times),
                "min_ms": min(times),
                "max_ms": max(times),
                "reps": len(times),
                "times_ms": times,
                # CPU time of the process (all threads) per repetition: on a busy
                # machine compare these, not the wall-clock times.
                "cpu_ms": cpu,
                "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "impl": impl,
                "threads": a.threads,
                "versions": {"sklearn": sklearn.__version__, "numpy": numpy.__version__, "python": sys.version.split()[0]},
                "threadpools": pools,
            }
        )
    )


if __name__ == "__main__":
    main()
