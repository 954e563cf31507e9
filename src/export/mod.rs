//! Exports of a pipeline to formats other tools run.
//!
//! - [`sklearn`]: the spec as a readable, runnable scikit-learn Python script
//!   (`pipelab export --format sklearn`, the page's "Show the code").
//!
//! Layering: this module sits beside `pipeline` / `persist` and uses them (the
//! spec, the registries' parameter schemas, the splitter a spec defaults to);
//! it never imports `api` or `selection` beyond the splitter types the spec
//! itself holds. Pure string generation: no I/O.

pub mod sklearn;
mod sklearn_py;
