//! Feature engineering steps: polynomial expansion (and, later, binning,
//! selection, PCA, LDA).

pub mod binning;
pub mod function;
pub mod decomposition;
pub mod poly;
pub mod selection;
