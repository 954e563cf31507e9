//! Feature engineering steps: polynomial expansion (`poly`), binning
//! (`binning`), named functions (`function`), feature selection
//! (`selection`), and PCA / TruncatedSVD / LDA (`decomposition`).

pub mod binning;
pub mod decomposition;
pub mod function;
pub mod poly;
pub mod selection;
