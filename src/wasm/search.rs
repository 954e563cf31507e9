//! Hyperparameter search on the page: the page asks the main worker for a
//! [`search::plan`] (the candidates that can run now), hands each candidate to a
//! pool worker (its own wasm Session with the same data) for
//! [`Session::search_evaluate`], collects the results in plan order and asks
//! again; [`Session::search_finish`] ranks them. The logic is the core's
//! (`crate::selection::search`), the same the CLI runs on threads, so the
//! results do not depend on the pool size.

use wasm_bindgen::prelude::*;

use super::{js_err, no_table, now_ms, to_js, Session};
use crate::api::{self, CandidateResult, ParamSet, Plan, SearchReport};
use crate::pipeline::PipelineSpec;
use crate::selection::cv::CvHooks;

fn from_js<T: serde::de::DeserializeOwned>(v: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(v).map_err(|e| js_sys::Error::new(&format!("internal: cannot read the {what} sent by the page: {e}")).into())
}

#[wasm_bindgen]
impl Session {
    /// The next batch of a search (the spec's `search` block) given the results
    /// so far (an array of `cv_results` rows, in plan order) and the time the
    /// search has run. An empty `candidates` list means the search is over.
    pub fn search_plan(&self, spec_json: &str, history: JsValue, elapsed_ms: f64) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let spec = PipelineSpec::from_json(spec_json).map_err(js_err)?;
        let history: Vec<CandidateResult> = if history.is_undefined() || history.is_null() { vec![] } else { from_js(history, "search history")? };
        to_js(&api::search_plan(&spec, table.n_rows, &history, elapsed_ms).map_err(js_err)?)
    }

    /// Cross-validates one candidate of a plan (`params`: path → value) and
    /// returns its `cv_results` row (fold scores, mean/std, fit time). A
    /// candidate that fails comes back with its `error`, it does not throw.
    pub fn search_evaluate(&self, spec_json: &str, plan: JsValue, params: JsValue) -> Result<JsValue, JsValue> {
        let (table, _) = self.table.as_ref().ok_or_else(no_table)?;
        let spec = PipelineSpec::from_json(spec_json).map_err(js_err)?;
        let plan: Plan = from_js(plan, "search plan")?;
        let params: ParamSet = from_js(params, "candidate")?;
        let r = api::search_evaluate(table, &spec, &params, &plan, CvHooks { threads: 1, now_ms: &now_ms, progress: &mut |_, _| true, stop: None });
        to_js(&r)
    }

    /// Ranks the results of a finished search: `{report, best_spec}` where
    /// `report` is what `pipelab search` prints and `best_spec` the pipeline
    /// spec (JSON text, without its search block) with the best parameters,
    /// ready to be fitted as the session's model.
    pub fn search_finish(&self, spec_json: &str, results: JsValue) -> Result<JsValue, JsValue> {
        let spec = PipelineSpec::from_json(spec_json).map_err(js_err)?;
        let results: Vec<CandidateResult> = from_js(results, "search results")?;
        let (report, best) = api::search_finish(&spec, results).map_err(js_err)?;
        let best_spec = serde_json::to_string_pretty(&best).map_err(|e| js_sys::Error::new(&format!("internal: {e}")))?;
        // A struct, not a serde_json::Value: failed candidates keep NaN scores (JSON would make them null).
        #[derive(serde::Serialize)]
        struct Finished<'a> {
            report: &'a SearchReport,
            best_spec: String,
        }
        to_js(&Finished { report: &report, best_spec })
    }
}
