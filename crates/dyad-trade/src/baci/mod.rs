//! CEPII BACI releases: yearly flow files, the country dictionary (both layouts) and the product
//! dictionary, exactly as `docs/FORMATS.md` section 1 describes them.
//!
//! - `release`: file names and finding a release's files in a folder or zip;
//! - `dictionary`: the country dictionary (both layouts), the ranked areas
//!   and the product dictionary;
//! - `flows`: yearly flow files. They are large (about 10M rows a year), so they are
//!   parsed in parallel chunks into a compact row (24 bytes) that the store sorts and writes.

use dyad_core::InputError;

mod dictionary;
mod flows;
mod release;

pub use dictionary::{
    normalise_product, parse_countries, parse_products, Areas, DictArea, Products,
};
pub use flows::{
    parse_line, read_flows, thousands_to_usd, FieldError, FileRows, Line, Row, FLOW_HEADER,
};
pub use release::{parse_name, BaciName, FlowFile, Release};

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn err(file: &str, line: u64, column: usize, field: Option<&str>, msg: String) -> InputError {
    InputError {
        file: file.to_string(),
        line,
        column,
        field: field.map(str::to_string),
        message: msg,
    }
}
