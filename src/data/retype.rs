//! Column types set after reading: the spec's `types` field (SPEC.md) applied
//! to a table already in memory (the page reads the file before a spec
//! exists; the CLI also passes them to the reader). A column already of the
//! asked type is left as it is; a cell that cannot take the type is an error
//! naming its row and line.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::read::{as_boolean, parse_number};
use super::table::{format_number, CatData, ColumnData, ColumnType, Table, MISSING_CODE};
use crate::{Error, Result};

/// `table` with the columns named in `types` converted to their type (the
/// table itself when nothing changes). A name that is not a column is an error.
pub fn retype<'t>(table: &'t Table, types: &BTreeMap<String, ColumnType>) -> Result<Cow<'t, Table>> {
    let mut out: Option<Table> = None;
    for (name, &ty) in types {
        let j = table
            .column_index(name)
            .ok_or_else(|| Error::spec(format!("types.{name}"), format!("no column {name:?} in the data (columns: {})", table.names().join(", "))))?;
        let data = &table.columns[j].data;
        if data.column_type() == ty {
            continue;
        }
        let converted = convert(data, ty)
            .map_err(|(row, why)| table.locate_error(Error::column(name, format!("the spec's types set it to {} but row {} {why}", ty.as_str(), row + 1))))?;
        out.get_or_insert_with(|| table.clone()).columns[j].data = converted;
    }
    Ok(out.map_or(Cow::Borrowed(table), Cow::Owned))
}

/// The cells of `data` as type `ty`, or the first row that cannot be and why.
fn convert(data: &ColumnData, ty: ColumnType) -> std::result::Result<ColumnData, (usize, String)> {
    match (data, ty) {
        (ColumnData::Categorical(c), ColumnType::Numeric) => {
            let levels: Vec<Option<f64>> =
                c.levels.iter().map(|l| if l.trim().eq_ignore_ascii_case("nan") { Some(f64::NAN) } else { parse_number(l.trim()) }).collect();
            let mut v = Vec::with_capacity(c.codes.len());
            for (i, &k) in c.codes.iter().enumerate() {
                v.push(match k {
                    MISSING_CODE => f64::NAN,
                    k => levels[k as usize].ok_or_else(|| (i, format!("holds {:?}, not a number", c.levels[k as usize])))?,
                });
            }
            Ok(ColumnData::Numeric(v.into()))
        }
        (ColumnData::Boolean { values, .. }, ColumnType::Numeric) => Ok(ColumnData::Numeric(values.clone())),
        (ColumnData::Numeric(v), ColumnType::Categorical) => {
            let cells: Vec<Option<String>> = v.iter().map(|&x| (!x.is_nan()).then(|| format_number(x))).collect();
            Ok(ColumnData::Categorical(CatData::from_options(&cells)))
        }
        (ColumnData::Boolean { .. }, ColumnType::Categorical) => {
            let cells: Vec<Option<String>> = (0..data.len()).map(|i| data.display(i)).collect();
            Ok(ColumnData::Categorical(CatData::from_options(&cells)))
        }
        (ColumnData::Numeric(v), ColumnType::Boolean) => match v.iter().position(|&x| !x.is_nan() && x != 0.0 && x != 1.0) {
            Some(i) => Err((i, format!("holds {}, not 0 or 1", format_number(v[i])))),
            None => Ok(ColumnData::Boolean { values: v.clone(), tokens: ["0".into(), "1".into()] }),
        },
        (ColumnData::Categorical(c), ColumnType::Boolean) => as_boolean(c).ok_or_else(|| {
            let i = c.codes.iter().position(|&k| k != MISSING_CODE).unwrap_or(0);
            (i, format!("holds {:?} and the column's values are not one true/false vocabulary (true/false, yes/no, 1/0, ...)", c.get(i).unwrap_or("")))
        }),
        _ => Ok(data.clone()),
    }
}
