"""The scikit-learn twin of SPEC.md's titanic pipeline, saved as an MLflow model,
for comparing `pipelab serve` with `mlflow models serve` (bench/serve_bench.sh --mlflow).

Usage: python bench/mlflow_model.py OUT_DIR   (run with the interop venv's python)
"""
import sys

import mlflow.sklearn
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

df = pd.read_csv("www/datasets/titanic_like.csv")
y = df.pop("survived")
num = ["pclass", "age", "sibsp", "parch", "fare"]
cat = ["sex", "embarked"]
pre = ColumnTransformer(
    [
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), num),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), cat),
        ("flags", "passthrough", ["has_cabin"]),
    ],
    remainder="drop",
)
model = make_pipeline(pre, PolynomialFeatures(degree=2, interaction_only=True), LogisticRegression(C=1.0, max_iter=1000))
model.fit(df, y)
mlflow.sklearn.save_model(model, sys.argv[1], skops_trusted_types=["numpy.dtype"])
print("saved", sys.argv[1])
