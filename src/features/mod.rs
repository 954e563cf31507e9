//! Feature engineering steps: polynomial expansion (and, later, binning,
//! selection, PCA, LDA).

pub mod decomposition;
pub mod poly;
pub mod selection;
