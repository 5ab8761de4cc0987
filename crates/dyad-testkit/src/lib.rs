//! What the test suites of dyad's crates share. Integration tests of different crates cannot
//! share a module, so the pieces live in this crate, a dev-dependency only:
//!
//! - [`fuzz`]: the mutation strategy over valid inputs, case counts and the replayed corpus;
//! - [`chromium`], [`chromedriver`]: the browser, under one rule: on a developer's machine a
//!   missing browser is an explicit skip (a `SKIPPED` line naming what is missing and how to get
//!   it), and in CI — `DYAD_CI=1`, set by `.ci/run`, which installs it — a failure;
//! - [`shared_file`]: the workplace's `../shared` data, skipped with a message wherever it is
//!   absent (it cannot be installed, and a clone need not sit beside it).

pub mod fuzz;

use std::path::{Path, PathBuf};

/// Whether the tests run in CI (`DYAD_CI` set and not `0`), where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("DYAD_CI").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Skips the calling test with a message saying what is missing, or fails it in CI.
fn missing(what: &str, how: &str) {
    if in_ci() {
        panic!("{what} is missing and DYAD_CI is set, so this test may not be skipped: {how}");
    }
    eprintln!("SKIPPED: {what} is missing ({how}; CI runs this test)");
}

/// A file of the workplace's sourced data, `../shared/<relative>` beside the repository
/// (never copied in: some of it is GPL-3). `None`, after saying so, when it is absent.
pub fn shared_file(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(relative);
    if path.is_file() {
        return Some(path);
    }
    // Not `missing`: the project's rule for this data (GPL-3, never in the repository) is to
    // skip with a clear message where it is absent, CI included, since a clone need not sit
    // beside the workplace's folder.
    eprintln!(
        "SKIPPED: ../shared/{relative} is missing (the workplace's data folder sits beside the \
         repository; it is never copied in)"
    );
    None
}

/// The first of `candidates` that exists, or `None` after saying so.
fn program(name: &str, candidates: &[&str], package: &str) -> Option<PathBuf> {
    let found = candidates.iter().map(PathBuf::from).find(|p| p.exists());
    if found.is_none() {
        missing(name, &format!("apt-get install {package}"));
    }
    found
}

/// Debian's Chromium, for the tests that render pages in a real browser.
pub fn chromium() -> Option<PathBuf> {
    program(
        "chromium",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        "chromium",
    )
}

/// Debian's ChromeDriver, for the tests that drive the web UI over WebDriver.
pub fn chromedriver() -> Option<PathBuf> {
    program(
        "chromedriver",
        &["/usr/bin/chromedriver"],
        "chromium-driver",
    )
}
