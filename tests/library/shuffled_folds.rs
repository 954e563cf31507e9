//! Shuffled splitters against numpy and scikit-learn (tests/fixtures/gen_shuffled_folds.py):
//! `NumpyRandomState` is numpy's `RandomState` (MT19937, `permutation`), so pipelab's shuffled
//! KFold, StratifiedKFold, their repeated forms, ShuffleSplit and the unstratified hold-out split
//! give scikit-learn's folds for the same `random_state`.

use pipelab::split::{train_test_split, CvSpec, NumpyRandomState};
use serde_json::Value;

const REFERENCE: &str = include_str!("../fixtures/shuffled_folds_reference.json");

fn uints(v: &Value) -> Vec<usize> {
    v.as_array().expect("an array").iter().map(|x| x.as_u64().expect("an index") as usize).collect()
}

/// The fixture's splits as (train, test) pairs.
fn splits(v: &Value) -> Vec<(Vec<usize>, Vec<usize>)> {
    v.as_array().expect("splits").iter().map(|s| (uints(&s["train"]), uints(&s["test"]))).collect()
}

fn cv(json: Value) -> CvSpec {
    serde_json::from_value(json).expect("a splitter")
}

#[test]
fn shuffled_splitters_give_scikit_learns_folds() {
    let reference: Value = serde_json::from_str(REFERENCE).expect("the fixture parses");
    let cases = reference["cases"].as_array().expect("cases");
    let mut kinds = std::collections::BTreeSet::new();
    for c in cases {
        let kind = c["kind"].as_str().expect("a kind");
        kinds.insert(kind);
        let seed = c["seed"].as_u64().expect("a seed");
        let n = c["n"].as_u64().map(|n| n as usize);
        let y = c.get("y").map(uints);
        let k = c.get("n_splits").and_then(Value::as_u64);
        let got: Vec<(Vec<usize>, Vec<usize>)> = match kind {
            "permutation" => {
                let want = uints(&c["want"]);
                assert_eq!(NumpyRandomState::new(seed).permutation(n.expect("n")), want, "permutation, seed {seed}");
                continue;
            }
            "train_test_split" => {
                let s = train_test_split(n.expect("n"), c["test_size"].as_f64().expect("test_size"), None, true, seed).expect("splits");
                vec![(s.train, s.test)]
            }
            _ => {
                let spec = match kind {
                    "KFold" | "StratifiedKFold" => cv(serde_json::json!({ kind: { "n_splits": k, "shuffle": true, "random_state": seed } })),
                    "RepeatedKFold" | "RepeatedStratifiedKFold" => {
                        cv(serde_json::json!({ kind: { "n_splits": k, "n_repeats": c["n_repeats"], "random_state": seed } }))
                    }
                    "ShuffleSplit" => {
                        cv(serde_json::json!({ kind: { "n_splits": k, "test_size": c["test_size"], "train_size": c.get("train_size"), "random_state": seed } }))
                    }
                    other => panic!("unknown case {other}"),
                };
                let rows = n.or(y.as_ref().map(Vec::len)).expect("rows");
                spec.split(rows, y.as_deref(), 0).expect("splits").into_iter().map(|s| (s.train, s.test)).collect()
            }
        };
        assert_eq!(got, splits(&c["want"]), "{kind}, seed {seed}");
    }
    assert_eq!(kinds.len(), 7, "{kinds:?}");
}
