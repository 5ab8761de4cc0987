//! Fuzzing on stable Rust: the acts and authorities readers and the date parser, fed mutated
//! valid files (see `dyad_testkit::fuzz` for the mutations) and the corpus under `tests/corpus/`.
//! Every input must give rows or located errors (a line inside the file, a message), never a
//! panic. `DYAD_FUZZ_CASES=N` raises the number of cases per target.

use dyad_testkit::fuzz;

use std::sync::OnceLock;

use dyad_core::acts_csv::parse_acts;
use dyad_core::codes::parse_authorities;
use dyad_core::{InputErrors, PartialDate, Registry};
use proptest::prelude::*;

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::bundled)
}

/// Errors are located inside the input: a line from 1 to one past the last, a non-empty
/// message, and the file name first when printed.
fn located(file: &str, input: &[u8], e: &InputErrors) -> Result<(), String> {
    if e.0.is_empty() {
        return Err("an error without any problem in it".into());
    }
    let lines = input.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for err in &e.0 {
        if err.line < 1 || err.line > lines {
            return Err(format!("line {} outside 1..={lines}: {err}", err.line));
        }
        if err.message.is_empty() || !err.to_string().starts_with(&format!("{file}:")) {
            return Err(format!("unlocated or empty: {err}"));
        }
    }
    Ok(())
}

fn acts_target(input: &[u8]) -> Result<(), String> {
    match parse_acts("fuzz.csv", input, registry()) {
        Ok(_) => Ok(()),
        Err(e) => located("fuzz.csv", input, &e),
    }
}

fn authorities_target(input: &[u8]) -> Result<(), String> {
    match parse_authorities("fuzz.csv", input, registry()) {
        Ok(_) => Ok(()),
        Err(e) => located("fuzz.csv", input, &e),
    }
}

fn date_target(input: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(input);
    match PartialDate::parse(&text) {
        Ok(d) => {
            // What parses prints back as something that parses to the same date.
            let again = PartialDate::parse(&d.to_string()).map_err(|e| e.to_string())?;
            (again == d)
                .then_some(())
                .ok_or_else(|| format!("{text:?} -> {d} -> {again}"))
        }
        Err(e) if e.to_string().is_empty() => Err("empty message".into()),
        Err(_) => Ok(()),
    }
}

fn acts_seeds() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    // The bundled dataset is the largest real acts file; its first rows are enough.
    let bundled = include_str!("../../../dyad-ledger/data/afghanistan_iea_events.csv");
    seeds.push(
        bundled
            .lines()
            .take(12)
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes(),
    );
    seeds
}

fn authorities_seeds() -> Vec<Vec<u8>> {
    vec![include_bytes!("../../data/authorities.csv").to_vec()]
}

fn replay(target: &str, check: fn(&[u8]) -> Result<(), String>) {
    for (name, bytes) in fuzz::corpus(env!("CARGO_MANIFEST_DIR"), target) {
        check(&bytes).unwrap_or_else(|e| panic!("corpus {target}/{name}: {e}"));
    }
}

#[test]
fn the_corpus_replays_cleanly() {
    replay("acts_csv", acts_target);
    replay("authorities_csv", authorities_target);
    replay("date", date_target);
}

proptest! {
    #![proptest_config(fuzz::config(2000))]

    #[test]
    fn acts_csv_mutations(input in fuzz::mutated(acts_seeds())) {
        acts_target(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn authorities_csv_mutations(input in fuzz::mutated(authorities_seeds())) {
        authorities_target(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn dates_mutated_and_arbitrary(input in prop_oneof![
        fuzz::mutated(vec![b"2021-08-15".to_vec(), b"2023-02".to_vec(), b"2024".to_vec()]),
        prop::collection::vec(any::<u8>(), 0..16),
    ]) {
        date_target(&input).map_err(TestCaseError::fail)?;
    }
}
