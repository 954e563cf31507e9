//! The fixed parts of the exported scikit-learn script (Python source text).
//! `sklearn.rs` assembles them with the spec-dependent parts; each custom
//! class is included only when the spec uses it.

/// Reading the CSV with pipelab's type inference (src/data/read.rs).
pub const READ_DATA: &str = r#"# ---------------------------------------------------------------- reading the data as pipelab does

MISSING = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?", "-"}
BOOLEAN_WORDS = [("false", "true"), ("no", "yes"), ("f", "t")]
NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def parse_number(cell):
    """The number in a cell as pipelab reads it, or None: no thousands separators, units or spaces;
    a leading "+" is allowed; "inf" / "-inf" are numbers (and "nan" is a missing value)."""
    text = cell[1:] if cell.startswith("+") else cell
    if text.lower() in ("inf", "infinity", "-inf", "-infinity"):
        return float(text)
    return float(text) if NUMBER.fullmatch(text) else None


def read_column(name, cells, forced):
    """A column's pipelab type and values. Numbers (with missing tokens and "nan" as NaN) are
    "numeric", or "boolean" when the only tokens are 0 and 1; text is "categorical", or "boolean" when
    every value is one of true/false, yes/no or t/f (any case). Booleans become 0.0 / 1.0 (NaN when
    missing); missing categorical cells are NaN. `forced` is the spec's `types` entry, if any."""
    if forced != "categorical":
        numbers = []
        for cell in cells:
            x = parse_number(cell)
            if x is None and (cell in MISSING or cell.lower() == "nan"):
                x = np.nan
            if x is None:
                break
            numbers.append(x)
        else:
            tokens = {cell for cell in cells if parse_number(cell) is not None}
            if forced == "boolean" or (forced is None and tokens == {"0", "1"}):
                if not tokens <= {"0", "1"}:
                    raise ValueError(f"column {name!r} is set to boolean but holds numbers other than 0 and 1")
                return "boolean", np.array(numbers, dtype=float)
            return "numeric", np.array(numbers, dtype=float)
        if forced == "numeric":
            raise ValueError(f"column {name!r} is set to numeric but holds {cell!r}")
    present = {cell for cell in cells if cell not in MISSING}
    if forced != "categorical" and 0 < len(present) <= 4:
        lowered = {cell.lower() for cell in present}
        for false, true in BOOLEAN_WORDS:
            if lowered <= {false, true}:
                return "boolean", np.array([np.nan if c in MISSING else float(c.lower() == true) for c in cells])
    if forced == "boolean":
        raise ValueError(f"column {name!r} is set to boolean but holds text other than true/false, yes/no, t/f")
    return "categorical", np.array([np.nan if c in MISSING else c for c in cells], dtype=object)


def read_data(path, delimiter=","):
    """The CSV as a DataFrame (float columns for numeric and boolean data, object columns for
    categorical data) and each column's pipelab type."""
    options = dict(sep=delimiter, dtype=str, keep_default_na=False, na_filter=False)
    try:
        raw = pd.read_csv(path, encoding="utf-8-sig", **options)
    except UnicodeDecodeError:  # pipelab reads a file that is not UTF-8 as Windows-1252
        raw = pd.read_csv(path, encoding="cp1252", **options)
    columns, types = {}, {}
    for name in raw.columns:
        types[name], columns[name] = read_column(name, raw[name].tolist(), TYPES.get(name))
    return pd.DataFrame(columns, columns=list(raw.columns)), types


def prepare(data, types, notes):
    """Features X, target y and the sorted class labels, as pipelab prepares them: the target and
    DROP columns are not features; rows whose target is missing are left out."""
    if TARGET is None:
        return data.drop(columns=DROP), None, []
    if TARGET not in data:
        raise ValueError(f"the target column {TARGET!r} is not in the data")
    target = data[TARGET]
    keep = target.notna().to_numpy()
    if not keep.all():
        notes.append(f"{int((~keep).sum())} row(s) with a missing target '{TARGET}' were left out of training and scoring")
    X = data.drop(columns=[TARGET, *DROP])
    if TASK == "clustering":  # the target is only a reference labelling
        return X, target.to_numpy(), []
    X = X[keep].reset_index(drop=True)
    y = target[keep].to_numpy()
    if TASK == "regression":
        if types[TARGET] == "categorical":
            raise ValueError(f"the target {TARGET!r} is categorical but the model is a regressor")
        return X, y.astype(float), []
    if types[TARGET] != "categorical":
        y = y.astype(float)
        if not np.all(np.mod(y, 1) == 0):
            raise ValueError(f"the target {TARGET!r} holds continuous numbers but the model is a classifier")
    # Classes sorted as pipelab (and numpy) sort them: text by code point, numbers by value.
    return X, y, sorted(set(y.tolist()))
"#;

/// Scorers by pipelab metric name.
pub const SCORING: &str = r#"# ---------------------------------------------------------------- metrics by pipelab name


def make_scoring(names, classes):
    """scikit-learn scorers for pipelab's metric names, and the sign that turns each score into the
    number pipelab reports: pipelab reports errors (rmse, log_loss, ...) as positive numbers, while
    scikit-learn's error scorers are negated. Binary precision / recall / f1 / average_precision /
    brier_score take the second class as positive; AUCs and average precision use predict_proba."""
    positive = classes[1] if len(classes) == 2 else None
    proba = dict(response_method="predict_proba")
    multiclass = len(classes) > 2
    table = {
        "accuracy": (make_scorer(accuracy_score), 1),
        "balanced_accuracy": (make_scorer(balanced_accuracy_score), 1),
        "matthews_corrcoef": (make_scorer(matthews_corrcoef), 1),
        "roc_auc": (make_scorer(roc_auc_score, multi_class="ovr", **proba), 1),
        "roc_auc_ovr": (make_scorer(roc_auc_score, multi_class="ovr", **proba), 1),
        "roc_auc_ovr_weighted": (make_scorer(roc_auc_score, multi_class="ovr", average="weighted", **proba), 1),
        "roc_auc_ovo": (make_scorer(roc_auc_score, multi_class="ovo", **proba), 1),
        "average_precision": (make_scorer(average_precision_score, pos_label=positive, **proba), 1),
        "log_loss": (make_scorer(log_loss, greater_is_better=False, labels=classes, **proba), -1),
        "brier_score": (make_scorer(brier_score_loss, greater_is_better=False, pos_label=positive, **proba), -1),
        "mse": (make_scorer(mean_squared_error, greater_is_better=False), -1),
        "rmse": (make_scorer(root_mean_squared_error, greater_is_better=False), -1),
        "mae": (make_scorer(mean_absolute_error, greater_is_better=False), -1),
        "median_ae": (make_scorer(median_absolute_error, greater_is_better=False), -1),
        "mape": (make_scorer(mean_absolute_percentage_error, greater_is_better=False), -1),
        "max_error": (make_scorer(max_error, greater_is_better=False), -1),
        "r2": (make_scorer(r2_score), 1),
        "explained_variance": (make_scorer(explained_variance_score), 1),
    }
    for metric, function in [("precision", precision_score), ("recall", recall_score), ("f1", f1_score)]:
        table[metric] = (make_scorer(function, pos_label=positive, zero_division=0), 1)
        for average in ("micro", "macro", "weighted"):
            # pos_label is ignored when averaging, but must be a valid label (its default is 1).
            table[f"{metric}_{average}"] = (make_scorer(function, average=average, pos_label=positive, zero_division=0), 1)
    if multiclass:
        for metric in ("precision", "recall", "f1", "average_precision", "brier_score"):
            del table[metric]  # pipelab refuses these binary metrics with more than two classes
    unknown = [name for name in names if name not in table]
    if unknown:
        raise ValueError(f"metric(s) {unknown} are not available for this target")
    return {name: table[name][0] for name in names}, {name: table[name][1] for name in names}
"#;

/// Cross-validation and the JSON `pipelab cv` prints.
pub const MAIN: &str = r#"# ---------------------------------------------------------------- cross-validation, printed as `pipelab cv` prints it


def summary(values):
    """Per-fold values, their mean and population standard deviation (pipelab's MetricSummary)."""
    values = [float(v) for v in values]
    return {"folds": values, "mean": float(np.mean(values)), "std": float(np.std(values))}


def n_features_out(estimator):
    """The number of columns that reach the model."""
    while True:
        if isinstance(estimator, Pipeline):
            estimator = estimator[-1]
        elif hasattr(estimator, "n_features_in_"):
            return int(estimator.n_features_in_)
        else:  # OutlierRemover: the pipeline it wraps
            estimator = estimator.estimator_


def evaluate(X, y, classes, column_types, groups, notes):
    """Cross-validates the pipeline (on the training part when the spec holds a test part out)."""
    global SCORING
    if ROC_AUC_IF_BINARY and len(classes) == 2:
        SCORING = SCORING + ["roc_auc"]  # pipelab's default metrics add roc_auc for two classes
    scorers, signs = make_scoring(SCORING, classes)
    rows = np.arange(len(X))
    holdout = None
    if HOLDOUT is not None:
        stratify = y if HOLDOUT["stratify"] else None
        seed = HOLDOUT["random_state"] if HOLDOUT["shuffle"] else None
        train, test = train_test_split(rows, test_size=HOLDOUT["test_size"], shuffle=HOLDOUT["shuffle"], stratify=stratify, random_state=seed)
        train, test = np.sort(train), np.sort(test)
        final = make_pipeline(column_types).fit(X.iloc[train], y[train])
        scores = {name: signs[name] * scorers[name](final, X.iloc[test], y[test]) for name in SCORING}
        holdout = {"n_train": len(train), "n_test": len(test), "scores": scores}
        rows = train
    X_cv, y_cv = X.iloc[rows].reset_index(drop=True), y[rows]
    groups_cv = None if groups is None else groups[rows]
    cv = make_cv()
    result = cross_validate(
        make_pipeline(column_types), X_cv, y_cv, groups=groups_cv, cv=cv, scoring=scorers,
        return_train_score=True, return_estimator=True, error_score="raise",
    )
    return {
        "metrics": {name: summary(signs[name] * result[f"test_{name}"]) for name in SCORING},
        "train_metrics": {name: summary(signs[name] * result[f"train_{name}"]) for name in SCORING},
        "n_rows": len(rows),
        "n_features_out": n_features_out(result["estimator"][-1]),
        "cv": f"{type(cv).__name__}(n_splits={cv.get_n_splits(X_cv, y_cv, groups_cv)})",
        "holdout": holdout,
        "warnings": notes,
    }


def cluster(X, reference, column_types, notes):
    """Fits the clustering pipeline on every row and scores it (what `pipelab fit` prints)."""
    model = make_pipeline(column_types).fit(X)
    labels = model[-1].labels_
    Xt = model[:-1].transform(X) if len(model) > 1 else X.to_numpy(dtype=float)
    metrics = {}
    for name, score in [("silhouette", silhouette_score), ("davies_bouldin", davies_bouldin_score), ("calinski_harabasz", calinski_harabasz_score)]:
        try:
            metrics[name] = float(score(Xt, labels))
        except ValueError as e:
            notes.append(f"{name} not computed: {e}")
    if hasattr(model[-1], "inertia_"):
        metrics["inertia"] = float(model[-1].inertia_)
    if reference is not None:
        known = pd.notna(reference)
        metrics["adjusted_rand"] = float(adjusted_rand_score(reference[known].astype(str), labels[known]))
        metrics["normalized_mutual_info"] = float(normalized_mutual_info_score(reference[known].astype(str), labels[known]))
    n_clusters = int(labels.max()) + 1 if len(labels) else 0
    out = {
        "metrics": metrics,
        "n_clusters": n_clusters,
        "cluster_sizes": [int((labels == k).sum()) for k in range(n_clusters)],
        "n_rows": len(X),
        "warnings": notes,
    }
    if isinstance(model[-1], DBSCAN):
        out["n_noise"] = int((labels < 0).sum())
    return out


def finite(value):
    """JSON has no NaN: pipelab writes null for an undefined score."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def main():
    parser = argparse.ArgumentParser(description="Cross-validates the pipeline on a CSV file and prints the scores as JSON.")
    parser.add_argument("--data", required=True, help="the CSV file")
    parser.add_argument("--delimiter", default=",", help="the field delimiter (default ',')")
    args = parser.parse_args()
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data, types = read_data(args.data, args.delimiter)
        X, y, classes = prepare(data, types, notes)
        column_types = {name: types[name] for name in X.columns}
        if TASK == "clustering":
            result = cluster(X, y, column_types, notes)
        else:
            groups = None
            if GROUPS is not None:
                # Group ids in order of first appearance, as pipelab numbers them.
                groups = pd.factorize(data[GROUPS].astype(str))[0]
                if TARGET is not None:
                    groups = groups[data[TARGET].notna().to_numpy()]
            result = evaluate(X, y, classes, column_types, groups, notes)
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in notes:
            notes.append(text)
    print(json.dumps(finite(result), indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
"#;

/// pipelab's OutlierRemover as a meta-estimator around the rest of the pipeline.
pub const OUTLIER_REMOVER: &str = r#"class OutlierRemover(MetaEstimatorMixin, BaseEstimator):
    """pipelab's OutlierRemover (no scikit-learn class): drops the training rows that hold an outlying
    value in any column, while fitting only.

    A scikit-learn Pipeline cannot drop rows, so this step wraps the rest of the pipeline
    (`estimator`): fit() finds the outlying rows of X and fits `estimator` on the other rows only;
    predict() and predict_proba() pass every row on (test rows are always scored, as in pipelab).
    - method="iqr": outlying = outside [q1 - factor * iqr, q3 + factor * iqr] (numpy's linear
      percentiles of the column's non-missing values);
    - method="zscore": outlying = |x - mean| / std > threshold (population std; a constant column
      never flags a row).
    Missing values never flag a row.
    """

    def __init__(self, estimator, method="iqr", factor=1.5, threshold=3.0):
        self.estimator = estimator
        self.method = method
        self.factor = factor
        self.threshold = threshold

    def _kept_rows(self, X):
        X = np.asarray(X, dtype=float)
        keep = np.ones(X.shape[0], dtype=bool)
        for column in X.T:
            seen = column[~np.isnan(column)]
            if seen.size == 0:
                continue
            if self.method == "iqr":
                q1, q3 = np.percentile(seen, [25, 75])
                low, high = q1 - self.factor * (q3 - q1), q3 + self.factor * (q3 - q1)
                keep &= ~((column < low) | (column > high))
            else:
                std = seen.std()
                if std > 0:
                    keep &= ~(np.abs((column - seen.mean()) / std) > self.threshold)
        if not keep.any():
            raise ValueError("OutlierRemover would drop every training row; raise factor/threshold")
        return keep

    def fit(self, X, y=None):
        keep = self._kept_rows(X)
        self.n_dropped_ = int((~keep).sum())
        X_kept = X.iloc[keep] if hasattr(X, "iloc") else X[keep]
        y_kept = None if y is None else np.asarray(y)[keep]
        self.estimator_ = clone(self.estimator).fit(X_kept, y_kept)
        return self

    def predict(self, X):
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)

    def decision_function(self, X):
        return self.estimator_.decision_function(X)

    @property
    def classes_(self):
        return self.estimator_.classes_

    @property
    def _estimator_type(self):  # scikit-learn < 1.6: a classifier or regressor like the wrapped estimator
        return getattr(self.estimator, "_estimator_type", None)

    def __sklearn_tags__(self):  # scikit-learn >= 1.6: the wrapped estimator's tags
        return self.estimator.__sklearn_tags__()
"#;

/// pipelab's CorrelationFilter.
pub const CORRELATION_FILTER: &str = r#"class CorrelationFilter(TransformerMixin, BaseEstimator):
    """pipelab's CorrelationFilter (no scikit-learn class): drops near-duplicate columns. Columns are
    visited in order; one whose |Pearson correlation| on the training rows with a column already kept
    is above `threshold` is dropped (the later column of each highly correlated pair). Constant
    columns are kept."""

    def __init__(self, threshold=0.95):
        self.threshold = threshold

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        centred = X - X.mean(axis=0)
        norms = np.sqrt((centred * centred).sum(axis=0))
        unit = [centred[:, j] / norms[j] if norms[j] > 0 and np.isfinite(norms[j]) else None for j in range(X.shape[1])]
        self.keep_ = []
        for j, column in enumerate(unit):
            correlated = column is not None and any(
                unit[i] is not None and abs(np.clip(unit[i] @ column, -1.0, 1.0)) > self.threshold for i in self.keep_
            )
            if not correlated:
                self.keep_.append(j)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        return np.asarray(X, dtype=float)[:, self.keep_]
"#;

/// The domain-checked element-wise functions of pipelab's FunctionTransformer.
pub const CHECKED: &str = r#"def checked(function, X, domain):
    """pipelab's FunctionTransformer refuses a finite value whose result is not finite (log of 0,
    sqrt of -1, ...) instead of producing NaN or infinite cells; missing values stay missing."""
    X = np.asarray(X, dtype=float)
    with np.errstate(all="ignore"):
        out = function(X)
    if np.any(np.isfinite(X) & ~np.isfinite(out)):
        raise ValueError(f"FunctionTransformer: {domain}")
    return out
"#;

/// The scikit-learn version switch, for parameters newer than 1.5.
pub const SINCE: &str = r#"SKLEARN_VERSION = tuple(int(part) for part in re.findall(r"\d+", sklearn.__version__)[:2])


def since(version, **params):
    """`params` on scikit-learn >= `version`; nothing on older versions (see the NOTE where used)."""
    return params if SKLEARN_VERSION >= version else {}
"#;
