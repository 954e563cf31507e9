//! Which column a table most likely wants predicted, and why.
//!
//! [`as_target`] says what task each column would make as the target (with the reason in
//! words); [`guess`] picks the column the page preselects and says whether to ask first. The
//! guess never silently turns a continuous last column into a regression target: unless the
//! column is named like a target, `ask` is set and the page asks "Which column do you want to
//! predict? (none = find clusters)" with the guess preselected and the reason shown.

use serde::Serialize;

use super::{Column, ColumnData};
use crate::estimator::Task;

/// What a column would make as the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AsTarget {
    pub task: Task,
    /// Why, in words naming the column (e.g. "species is text with 3 classes").
    pub reason: String,
    /// False for columns that make a poor target: a single value, or (nearly) a different value in every row.
    pub plausible: bool,
}

/// The column the page preselects as the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetGuess {
    /// `None`: no column (clustering).
    pub column: Option<String>,
    pub task: Task,
    /// Why this column and this task, in words.
    pub reason: String,
    /// True when the guess is uncertain (a continuous or implausible column chosen only for
    /// being last): the page asks before training.
    pub ask: bool,
}

/// Column names that say "I am the answer" (compared without case).
const TARGET_NAMES: &[&str] = &["target", "label", "class", "y", "outcome", "response"];

/// At most this many distinct whole numbers read as classes (and at most a fifth of the rows).
const MAX_INTEGER_CLASSES: usize = 10;

/// What column `col` (of a table with `n_rows` rows, `distinct` distinct non-missing values)
/// would make as the target: text and booleans are classes; whole numbers with few distinct
/// values (≤ 10 and ≤ a fifth of the rows) are classes; other numbers are a continuous quantity.
pub fn as_target(col: &Column, n_rows: usize, distinct: usize) -> AsTarget {
    let name = &col.name;
    let constant = distinct <= 1;
    // Text with a different value in most rows (the page's free-text rule: more than half) is an
    // identifier or free text, like titanic's names (712 of 891).
    let mostly_distinct = n_rows >= 20 && distinct * 2 > n_rows;
    match &col.data {
        ColumnData::Boolean { .. } => AsTarget { task: Task::Classification, reason: format!("{name} is true/false"), plausible: !constant },
        ColumnData::Categorical(_) => AsTarget {
            task: Task::Classification,
            reason: if mostly_distinct {
                format!("{name} is text with a different value in most rows ({distinct} of {n_rows}): an identifier or free text, a poor target")
            } else {
                format!("{name} is text with {distinct} classes")
            },
            plausible: !constant && !mostly_distinct,
        },
        ColumnData::Numeric(v) => {
            let whole = v.iter().filter(|x| !x.is_nan()).all(|x| x.fract() == 0.0);
            let few = distinct <= 2usize.max(MAX_INTEGER_CLASSES.min(n_rows / 5));
            if whole && few {
                AsTarget {
                    task: Task::Classification,
                    reason: format!("{name} holds {distinct} distinct whole numbers, read as classes"),
                    plausible: !constant,
                }
            } else {
                AsTarget {
                    task: Task::Regression,
                    reason: format!("{name} is a number with {distinct} distinct values (continuous)"),
                    plausible: !(constant || (whole && distinct == n_rows && n_rows >= 20)),
                }
            }
        }
    }
}

/// The preselected target among `columns` (name, what it would make as the target), in file
/// order: a plausible column named like a target (`target`, `label`, `class`, `y`, `outcome`,
/// `response`), else the last column. `ask` unless the name said so and the column is plausible.
pub fn guess(columns: &[(&str, &AsTarget)]) -> TargetGuess {
    let named = columns.iter().find(|(n, a)| a.plausible && TARGET_NAMES.iter().any(|t| t.eq_ignore_ascii_case(n)));
    let Some((name, a)) = named.or(columns.last()) else {
        return TargetGuess { column: None, task: Task::Clustering, reason: "the table has no columns".into(), ask: false };
    };
    let task = match a.task {
        Task::Classification => "classification",
        Task::Regression => "regression",
        Task::Clustering => "clustering",
    };
    if named.is_some() {
        return TargetGuess {
            column: Some(name.to_string()),
            task: a.task,
            reason: format!("{name} is named like a target; {}: {task}", a.reason),
            ask: false,
        };
    }
    let ask = a.task == Task::Regression || !a.plausible;
    TargetGuess { column: Some(name.to_string()), task: a.task, reason: format!("{name} is the last column; {}: {task}", a.reason), ask }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{read_csv, ReadOptions, Table};

    fn table(csv: &str) -> Table {
        read_csv(csv.as_bytes(), &ReadOptions::default()).unwrap().0
    }

    fn distinct(c: &Column) -> usize {
        let mut seen: Vec<String> = (0..c.data.len()).filter_map(|i| c.data.display(i)).collect();
        crate::sorting::sort_by(&mut seen, &|a, b| a.cmp(b));
        seen.dedup();
        seen.len()
    }

    fn guess_of(t: &Table) -> TargetGuess {
        let a: Vec<AsTarget> = t.columns.iter().map(|c| as_target(c, t.n_rows, distinct(c))).collect();
        let cols: Vec<(&str, &AsTarget)> = t.columns.iter().map(|c| c.name.as_str()).zip(a.iter()).collect();
        guess(&cols)
    }

    fn rows(n: usize, f: impl Fn(usize) -> String) -> String {
        (0..n).map(|i| f(i) + "\n").collect()
    }

    #[test]
    fn a_text_last_column_is_classes_without_asking() {
        let t = table(&format!("a,b,species\n{}", rows(30, |i| format!("{i},{},{}", i % 7, ["x", "y", "z"][i % 3]))));
        let g = guess_of(&t);
        assert_eq!((g.column.as_deref(), g.task, g.ask), (Some("species"), Task::Classification, false));
        assert!(g.reason.contains("species is the last column; species is text with 3 classes: classification"), "{}", g.reason);
    }

    #[test]
    fn a_continuous_last_column_is_asked_about() {
        let t = table(&format!("a,b,c\n{}", rows(40, |i| format!("{i},{},{}.5", i % 3, i * 7))));
        let g = guess_of(&t);
        assert_eq!((g.column.as_deref(), g.task, g.ask), (Some("c"), Task::Regression, true));
        assert!(g.reason.contains("c is a number with 40 distinct values (continuous)"), "{}", g.reason);
    }

    #[test]
    fn a_column_named_target_wins_and_is_not_asked_about() {
        let t = table(&format!("target,b,c\n{}", rows(40, |i| format!("{}.25,{},{}", i, i % 3, i * 7))));
        let g = guess_of(&t);
        assert_eq!((g.column.as_deref(), g.task, g.ask), (Some("target"), Task::Regression, false));
        assert!(g.reason.starts_with("target is named like a target"), "{}", g.reason);
    }

    #[test]
    fn few_whole_numbers_are_classes_and_an_id_is_implausible() {
        let t = table(&format!("x,class\n{}", rows(50, |i| format!("{}.5,{}", i, i % 3))));
        assert_eq!(guess_of(&t).task, Task::Classification);
        let t = table(&format!("x,passenger_id\n{}", rows(50, |i| format!("{}.5,{}", i, i + 1))));
        let c = &t.columns[1];
        let a = as_target(c, t.n_rows, distinct(c));
        assert!(!a.plausible && a.task == Task::Regression);
        assert!(guess_of(&t).ask);
        let t = table(&format!("x,name\n{}", rows(50, |i| format!("{i},n{i}"))));
        let g = guess_of(&t);
        assert!(g.ask && g.reason.contains("an identifier or free text"), "{}", g.reason);
    }

    #[test]
    fn no_columns_means_clustering() {
        assert_eq!(guess(&[]).task, Task::Clustering);
    }
}
