//! Data ingestion: CSV bytes → a typed, column-wise [`Table`].
//!
//! - [`read`] parses CSV (the `csv` crate underneath), sniffs the delimiter,
//!   decodes non-UTF-8 input, makes header names unique and infers each
//!   column's [`ColumnType`].
//! - [`Table`] stores columns contiguously: numbers as `f64` (NaN = missing),
//!   categories dictionary-encoded ([`CatData`]).

mod read;
mod table;

pub use read::{read_csv, ReadOptions, ReadReport};
pub use table::{format_number, CatData, Column, ColumnData, ColumnType, Table, MISSING_CODE};
