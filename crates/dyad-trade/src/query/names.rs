//! Product names for the fast path's answers.

use std::fs::File;
use std::path::PathBuf;

use datafusion::arrow::array::{Array, AsArray, StringArray};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use foldhash::HashMap;

use crate::error::{io, Result, TradeError};

/// Product names by classification, then code (looked up by `&str`, without building a key).
/// foldhash rather than SipHash: the keys are short codes from the store, not from an adversary,
/// and SipHash was most of the time of looking them up.
pub(crate) type Names = HashMap<String, HashMap<String, String>>;

/// Product names by (classification, code): the largest description where a code has several,
/// as the SQL path's `max(description)`.
pub(crate) fn load_names(files: &[PathBuf]) -> Result<Names> {
    let mut out = Names::default();
    for path in files {
        let file = File::open(path).map_err(io(path))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.build())
            .map_err(|e| TradeError::Other(format!("{}: {e}", path.display())))?;
        for batch in reader {
            let batch = batch?;
            let get = |name: &str| -> Result<&StringArray> {
                batch
                    .column_by_name(name)
                    .and_then(|a| a.as_string_opt::<i32>())
                    .ok_or_else(|| {
                        TradeError::Other(format!("{}: no text column {name}", path.display()))
                    })
            };
            let (c, k, d) = (get("classification")?, get("code")?, get("description")?);
            for i in 0..batch.num_rows() {
                if c.is_null(i) || k.is_null(i) || d.is_null(i) {
                    continue;
                }
                let (c, k, d) = (c.value(i), k.value(i), d.value(i));
                if !out.contains_key(c) {
                    out.insert(c.to_string(), HashMap::default());
                }
                let codes = out.get_mut(c).expect("inserted above");
                // As the SQL path's `max(description)` when a code has several names.
                match codes.get_mut(k) {
                    Some(old) if old.as_str() >= d => {}
                    Some(old) => *old = d.to_string(),
                    None => {
                        codes.insert(k.to_string(), d.to_string());
                    }
                }
            }
        }
    }
    Ok(out)
}
