//! ARCHITECTURE.md against the tree: its crate table names every crate under `crates/`, and its
//! module map names every source file, and nothing that is gone. The map is where the next
//! engineer looks for the room a change belongs in, so a file added without a line there (or
//! removed with its line left behind) fails here rather than misleading them later.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn architecture() -> String {
    std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md is readable")
}

/// The text of the `## TITLE` section, up to the next `## ` heading.
fn section<'a>(doc: &'a str, title: &str) -> &'a str {
    let head = format!("\n## {title}\n");
    let start = doc
        .find(&head)
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has no `## {title}` section"))
        + head.len();
    let rest = &doc[start..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

/// Every crate directory under `crates/`.
fn crates() -> BTreeSet<String> {
    std::fs::read_dir(root().join("crates"))
        .expect("crates/ is readable")
        .map(|e| e.expect("a directory entry"))
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Every `.rs` file under each crate's `src/`, as `CRATE/src/PATH`.
fn source_files() -> BTreeSet<String> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("a source directory is readable") {
            let entry = entry.expect("a directory entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                walk(&path, &format!("{prefix}{name}/"), out);
            } else if name.ends_with(".rs") {
                out.insert(format!("{prefix}{name}"));
            }
        }
    }
    let mut out = BTreeSet::new();
    for krate in crates() {
        let src = root().join("crates").join(&krate).join("src");
        walk(&src, &format!("{krate}/src/"), &mut out);
    }
    out
}

/// The first cell of each table row, when it is a backquoted path.
fn first_cells(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_crate_table_names_every_crate() {
    let doc = architecture();
    let table = section(&doc, "Crates (`crates/`)");
    let named = first_cells(table);
    let all = crates();
    let missing: Vec<_> = all.difference(&named).collect();
    let stale: Vec<_> = named.difference(&all).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "ARCHITECTURE.md's crate table: crates without a row {missing:?}, rows without a crate {stale:?}"
    );
}

#[test]
fn the_module_map_names_every_source_file() {
    let doc = architecture();
    let named = first_cells(section(&doc, "Module map"));
    let all = source_files();
    assert!(all.len() > 100, "found only {} source files", all.len());
    let missing: Vec<_> = all.difference(&named).collect();
    let stale: Vec<_> = named.difference(&all).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "ARCHITECTURE.md's module map: files without a line {missing:#?}, lines naming no file {stale:#?}"
    );
}
