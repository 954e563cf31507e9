//! Data ingestion: CSV bytes → a typed, column-wise [`Table`].
//!
//! - [`read`] parses CSV (the `csv` crate underneath), sniffs the delimiter,
//!   decodes non-UTF-8 input, makes header names unique and infers each
//!   column's [`ColumnType`].
//! - [`Table`] stores columns contiguously: numbers as `f64` (NaN = missing),
//!   categories dictionary-encoded ([`CatData`]).

pub mod formats;
mod origin;
mod read;
pub mod records;
mod retype;
#[doc(hidden)]
pub mod robustness;
pub mod scan;
pub mod stream;
mod table;
pub mod target;

pub use origin::RowOrigin;
pub use read::{check_size, parse_number, read_csv, CellRef, CsvChunkReader, InfiniteValues, ReadOptions, ReadReport, StrayValues, DEFAULT_MISSING};
pub use retype::retype;
pub use table::{every_row, format_number, CatData, Column, ColumnData, ColumnType, Nums, Table, MISSING_CODE};
pub mod profile;
pub use profile::{histogram_auto, percentile_sorted, profile, CategoryCount, ColumnProfile, Flag, FlagKind, Histogram, NumericStats, Profile, TopCategories};
