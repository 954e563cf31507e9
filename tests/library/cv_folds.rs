//! Cross-validation fold by fold (`cv::evaluate_fold` on any worker, in any
//! order, then `cv::finish_folds`; the page's worker pool, www/cv_pool.js) gives
//! the report `cv::cross_validate` gives (the CLI's and the single worker's
//! path), fold timings aside: regression and classification, with warnings and a
//! hold-out part; and a fold set that does not match the plan is refused.

use crate::support;

use pipelab::pipeline::PipelineSpec;
use pipelab::selection::cv::{self, CvHooks, CvReport};
use support::*;

fn strip(mut r: CvReport) -> CvReport {
    r.folds.iter_mut().for_each(|f| {
        f.fit_time_ms = 0.0;
        f.score_time_ms = 0.0;
    });
    r
}

fn check(data: &str, spec: &str) {
    let t = dataset(data);
    let spec = PipelineSpec::from_json(spec).unwrap();
    let whole = cv::cross_validate(&t, &spec, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).unwrap();
    let n = cv::n_folds(&t, &spec).unwrap();
    assert_eq!(n, whole.folds.len());
    // Folds evaluated last first (as pool workers may finish), each on its own.
    let folds: Vec<_> = (0..n).rev().map(|f| cv::evaluate_fold(&t, &spec, f, &|| 0.0).unwrap()).collect();
    // Through JSON, as the results cross from a pool worker to the main worker.
    let folds: Vec<cv::FoldResult> = folds.iter().map(|f| serde_json::from_str(&serde_json::to_string(f).unwrap()).unwrap()).collect();
    let pooled = cv::finish_folds(&t, &spec, folds).unwrap();
    assert_eq!(strip(pooled), strip(whole), "{data}");
}

#[test]
fn fold_by_fold_equals_cross_validate() {
    check("iris", r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{}},"cv":{"StratifiedKFold":{"n_splits":5}}}"#);
    check("diabetes", r#"{"target":"target","model":{"Ridge":{"alpha":1.0}},"cv":{"KFold":{"n_splits":4,"shuffle":true}},"random_state":7}"#);
    check(
        "titanic_like",
        r#"{"target":"survived","drop":["name","sex","embarked"],"steps":[{"SimpleImputer":{}}],"model":{"RandomForestClassifier":{"n_estimators":10}},"holdout":{"test_size":0.2},"scoring":["accuracy","roc_auc"],"random_state":1}"#,
    );
}

#[test]
fn a_wrong_fold_set_is_refused() {
    let t = dataset("iris");
    let spec = PipelineSpec::from_json(r#"{"target":"species","model":{"LogisticRegression":{}},"cv":{"KFold":{"n_splits":3}}}"#).unwrap();
    let f0 = cv::evaluate_fold(&t, &spec, 0, &|| 0.0).unwrap();
    assert!(cv::finish_folds(&t, &spec, vec![f0.clone(), f0]).unwrap_err().to_string().contains("fold results"));
    assert!(cv::evaluate_fold(&t, &spec, 3, &|| 0.0).unwrap_err().to_string().contains("3 folds"));
}

/// The training rows scored from the fit's own input (`pipeline::fit_keeping`, what each fold
/// does) give exactly what predicting a table of those rows gives; specs whose steps transform
/// their training rows differently (cross fitting, dropped rows) keep nothing.
#[test]
fn training_rows_scored_from_the_fit_equal_predicting_them() {
    use pipelab::estimator::FitContext;
    use pipelab::pipeline::{fit_keeping, prepare};
    let cases = [
        // A matrix model, a column model (LinearRegression), preprocess branches.
        ("iris", r#"{"target":"species","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{}}}"#, true),
        ("diabetes", r#"{"target":"target","steps":[{"PCA":{"n_components":4}}],"model":{"LinearRegression":{}}}"#, true),
        (
            "titanic_like",
            r#"{"target":"survived","drop":["name"],"preprocess":{"transformers":[{"name":"cat","columns":{"names":["sex","embarked"]},"steps":[{"SimpleImputer":{"strategy":"most_frequent"}},{"OneHotEncoder":{"handle_unknown":"ignore"}}]},{"name":"num","columns":{"names":["age","fare"]},"steps":[{"SimpleImputer":{}},{"StandardScaler":{}}]}]},"model":{"DecisionTreeClassifier":{"max_depth":4}}}"#,
            true,
        ),
        ("diabetes", r#"{"target":"target","steps":[{"OutlierRemover":{}}],"model":{"Ridge":{}}}"#, false),
        (
            "titanic_like",
            r#"{"target":"survived","drop":["passenger_id","name"],"preprocess":{"transformers":[{"name":"cat","columns":{"dtype":"categorical"},"steps":[{"SimpleImputer":{"strategy":"most_frequent"}},{"TargetEncoder":{}}]},{"name":"num","columns":{"dtype":"numeric"},"steps":[{"SimpleImputer":{}}]}]},"model":{"LogisticRegression":{}}}"#,
            false,
        ),
    ];
    for (data, spec, kept) in cases {
        let t = dataset(data);
        let spec = PipelineSpec::from_json(spec).unwrap();
        let prep = prepare(&t, &spec).unwrap();
        // Every third row left out, as a fold's test rows.
        let rows: Vec<usize> = prep.rows.iter().copied().filter(|r| r % 3 != 0).collect();
        let (fitted, input) = fit_keeping(&t, &spec, &prep, &rows, &FitContext::new(0), true).unwrap();
        assert_eq!(input.is_some(), kept, "{data}: {spec:?}");
        if let Some(input) = input {
            let from_fit = fitted.predict_training(&input).unwrap();
            let again = fitted.predict(&t.select_rows(&rows)).unwrap();
            assert_eq!(from_fit.output, again.output, "{data}");
            assert_eq!(from_fit.classes, again.classes, "{data}");
        }
        assert!(fit_keeping(&t, &spec, &prep, &rows, &FitContext::new(0), false).unwrap().1.is_none());
        // The left-out rows gathered straight from the table (each fold's test rows): the same
        // predictions and unseen categories as predicting a table of them.
        let test: Vec<usize> = prep.rows.iter().copied().filter(|r| r % 3 == 0).collect();
        assert_eq!(fitted.predict_rows(&t, &test).unwrap(), fitted.predict(&t.select_rows(&test)).unwrap(), "{data}");
    }
}

/// A CV report crosses to the page as JSON text when every number is finite (`JSON.parse` of it
/// is the object the report converted to JS is); with NaN (a fold's undefined score) it does not.
#[test]
fn a_report_is_json_text_only_when_every_number_is_finite() {
    let t = dataset("iris");
    let spec = PipelineSpec::from_json(r#"{"target":"species","model":{"LogisticRegression":{}},"cv":{"KFold":{"n_splits":3}}}"#).unwrap();
    let mut r = cv::cross_validate(&t, &spec, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).unwrap();
    assert_eq!(r.json_text_if_finite().unwrap(), serde_json::to_string(&r).unwrap());
    r.oof.proba[7][1] = f64::NAN;
    assert_eq!(r.json_text_if_finite(), None);
    r.oof.proba[7][1] = 0.5;
    r.metrics.get_mut("accuracy").unwrap().std = f64::INFINITY;
    assert_eq!(r.json_text_if_finite(), None);
}

/// A final StandardScaler before a matrix model is written straight into the model's matrix
/// (`pipeline::fit_keeping`): the same model, bit for bit, as the scaler in a preprocess branch
/// (which builds the scaled frame), the same CV report, and the same error for a value that
/// becomes infinite or stays missing once scaled.
#[test]
fn a_final_scaler_written_into_the_matrix_is_the_scaled_frame() {
    use pipelab::pipeline::{fit_all, FittedModelEnum, ModelState};
    for (data, target) in [("breast_cancer", "diagnosis"), ("iris", "species")] {
        let t = dataset(data);
        let top = format!(
            r#"{{"target":"{target}","steps":[{{"StandardScaler":{{}}}}],"model":{{"LogisticRegression":{{}}}},"cv":{{"StratifiedKFold":{{"n_splits":5}}}}}}"#
        );
        let branch = format!(
            r#"{{"target":"{target}","preprocess":{{"transformers":[{{"name":"s","columns":{{"dtype":"numeric"}},"steps":[{{"StandardScaler":{{}}}}]}}]}},"model":{{"LogisticRegression":{{}}}},"cv":{{"StratifiedKFold":{{"n_splits":5}}}}}}"#
        );
        let (top, branch) = (PipelineSpec::from_json(&top).unwrap(), PipelineSpec::from_json(&branch).unwrap());
        let model = |s: &PipelineSpec| match fit_all(&t, s).unwrap().model {
            ModelState::Fitted(FittedModelEnum::LogisticRegression(m)) => m,
            _ => panic!("logistic"),
        };
        assert_eq!(model(&top), model(&branch), "{data}");
        let run = |s: &PipelineSpec| strip(cv::cross_validate(&t, s, CvHooks { threads: 1, now_ms: &|| 0.0, progress: &mut |_, _| true, stop: None }).unwrap());
        let (mut a, mut b) = (run(&top), run(&branch));
        assert_eq!(a.oof, b.oof, "{data}");
        a.feature_names.clear();
        b.feature_names.clear();
        assert_eq!(a, b, "{data}");
    }
    // Finite cells whose variance overflows (scale 1) and whose first cell minus the mean does:
    // infinite once scaled. A missing cell stays missing.
    let csv = "b,a,y\n1,1.7e308,0\n2,-1.7e308,1\n3,-1.7e308,0\n4,0,1\n5,0,0\n6,0,1\n";
    let (t, _) = pipelab::data::read_csv(csv.as_bytes(), &Default::default()).unwrap();
    let spec = PipelineSpec::from_json(r#"{"target":"y","steps":[{"StandardScaler":{}}],"model":{"LogisticRegression":{}}}"#).unwrap();
    let err = pipelab::pipeline::fit_all(&t, &spec).unwrap_err().to_string();
    assert!(err.contains("infinite value at row 1") && err.contains('a'), "{err}");
    let csv = "a,b,y\n1,1,0\n,2,1\n0,3,0\n1,4,1\n2,5,0\n3,6,1\n";
    let (t, _) = pipelab::data::read_csv(csv.as_bytes(), &Default::default()).unwrap();
    let err = pipelab::pipeline::fit_all(&t, &spec).unwrap_err().to_string();
    assert!(err.contains("missing value at row 2"), "{err}");
}

/// A fold crosses from a pool worker to the main worker as text (`FoldResult::into_text`): its
/// JSON when every number is finite, else with the non-finite numbers carried beside the JSON;
/// `from_text` gives the fold back bit for bit (NaN's payload and infinities' signs included).
#[test]
fn a_fold_crosses_as_text_bit_for_bit() {
    let t = dataset("iris");
    let spec = PipelineSpec::from_json(r#"{"target":"species","model":{"LogisticRegression":{}},"cv":{"KFold":{"n_splits":3}}}"#).unwrap();
    let mut f = cv::evaluate_fold(&t, &spec, 1, &|| 1.5).unwrap();
    let bits = |f: &cv::FoldResult| {
        format!(
            "{:?}",
            (
                f.test_scores.iter().map(|(m, s)| (m.clone(), s.to_bits())).collect::<Vec<_>>(),
                f.train_scores.iter().map(|(_, s)| s.to_bits()).collect::<Vec<_>>(),
                f.test_values.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                f.test_proba.iter().flatten().flatten().map(|x| x.to_bits()).collect::<Vec<_>>(),
                f.info.fit_time_ms.to_bits(),
                f.info.score_time_ms.to_bits(),
                &f.warnings,
                &f.feature_names,
                &f.test_labels,
                f.fold,
                f.info.n_train,
                f.info.n_test
            )
        )
    };
    let text = f.clone().into_text().unwrap();
    assert_eq!(text, serde_json::to_string(&f).unwrap());
    assert_eq!(bits(&cv::FoldResult::from_text(&text).unwrap()), bits(&f));
    f.test_scores[0].1 = f64::NAN;
    f.test_proba.as_mut().unwrap()[7][1] = f64::from_bits(0x7ff8_0000_0000_0abc);
    f.test_proba.as_mut().unwrap()[9][0] = f64::NEG_INFINITY;
    f.info.score_time_ms = f64::INFINITY;
    let text = f.clone().into_text().unwrap();
    assert!(text.starts_with('!'), "{}", &text[..40]);
    assert_eq!(bits(&cv::FoldResult::from_text(&text).unwrap()), bits(&f));
    assert!(cv::FoldResult::from_text("!zz:1\n{}").is_err());
    assert!(cv::FoldResult::from_text("!0:7ff8000000000000").is_err());
    let bad = text.replacen('!', "!ffff:7ff8000000000000,", 1);
    assert!(cv::FoldResult::from_text(&bad).is_err());
}
