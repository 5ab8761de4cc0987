//! Fuzzing on stable Rust: the claims TOML reader, the gravity formula parser and the gravity
//! CSV reader, fed mutated valid inputs and the corpus under `tests/corpus/`. Every input must
//! parse or give an error that says where: a line (TOML and CSV), the claim's id, or the formula
//! and what is wrong with it; never a panic. `DYAD_FUZZ_CASES=N` raises the cases per target.

#[path = "../../dyad-core/tests/fuzz/mod.rs"]
mod fuzz;

use std::sync::OnceLock;

use dyad_analysis::claims::{parse_claims, ClaimsError};
use dyad_analysis::gravity::{parse_formula, Frame, GravityError};
use dyad_core::Registry;
use proptest::prelude::*;

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::bundled)
}

/// The number `N` in the first `line N` (or the csv crate's `line: N`) of a message, if any.
fn line_in(message: &str) -> Option<u64> {
    let rest = &message[message.find("line")? + 4..];
    let rest = rest.trim_start_matches(':').trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn claims_target(input: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(input);
    let lines = text.matches('\n').count() as u64 + 1;
    match parse_claims("claims.toml", &text, registry()) {
        Ok(_) => Ok(()),
        Err(ClaimsError::Parse { message, .. }) => match line_in(&message) {
            Some(l) if (1..=lines).contains(&l) => Ok(()),
            _ => Err(format!(
                "parse error without a line inside the file: {message}"
            )),
        },
        Err(ClaimsError::Invalid { id, message, .. }) => {
            // A claim is named by its id; an empty id would leave the message unplaced.
            if id.trim().is_empty() || message.is_empty() {
                Err(format!("invalid claim without an id: `{id}`: {message}"))
            } else {
                Ok(())
            }
        }
    }
}

fn formula_target(input: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(input);
    match parse_formula(&text) {
        Ok(_) => Ok(()),
        Err(GravityError::Formula { formula, reason }) if formula == text && !reason.is_empty() => {
            Ok(())
        }
        Err(e) => Err(format!("error that does not name the formula: {e}")),
    }
}

fn frame_target(input: &[u8]) -> Result<(), String> {
    let lines = input.iter().filter(|&&b| b == b'\n').count() as u64 + 2;
    match Frame::read_csv(input, &["trade", "dist"], &["exporter", "importer", "year"]) {
        Ok(_) => Ok(()),
        Err(GravityError::UnknownColumn { .. }) => Ok(()),
        Err(GravityError::Csv(message)) => match line_in(&message) {
            Some(l) if (1..=lines).contains(&l) => Ok(()),
            _ => Err(format!(
                "CSV error without a line inside the file: {message}"
            )),
        },
        Err(e) => Err(format!("unexpected error: {e}")),
    }
}

fn claims_seeds() -> Vec<Vec<u8>> {
    vec![include_bytes!("../../dyad-brief/data/claims_kaz_afg.toml").to_vec()]
}

fn formula_seeds() -> Vec<Vec<u8>> {
    [
        "trade ~ log(dist) + contig + rta | exporter^year + importer^year",
        "log(trade) ~ log(dist) + lang:colony | exporter + importer",
        "y ~ x1 + `odd name` | `fe one`^year",
        "trade ~ recognises_ab + hosts_envoys_ab + 1",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn frame_seeds() -> Vec<Vec<u8>> {
    vec![b"exporter,importer,year,trade,dist\nKAZ,AFG,2021,474000000,1400.5\nAFG,KAZ,2021,NA,1400.5\n\"UZB\",\"AFG\",2022,1e9,\n"
        .to_vec()]
}

type Target = fn(&[u8]) -> Result<(), String>;

const TARGETS: &[(&str, Target)] = &[
    ("claims_toml", claims_target),
    ("formula", formula_target),
    ("gravity_csv", frame_target),
];

#[test]
fn the_corpus_replays_cleanly() {
    for (target, check) in TARGETS {
        for (name, bytes) in fuzz::corpus(env!("CARGO_MANIFEST_DIR"), target) {
            check(&bytes).unwrap_or_else(|e| panic!("corpus {target}/{name}: {e}"));
        }
    }
}

proptest! {
    #![proptest_config(fuzz::config(2000))]

    #[test]
    fn claims_toml_mutations(input in fuzz::mutated(claims_seeds())) {
        claims_target(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn formula_mutations(input in prop_oneof![
        fuzz::mutated(formula_seeds()),
        "[a-z~|+^:()`0-9 *-]{0,40}".prop_map(String::into_bytes),
    ]) {
        formula_target(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn gravity_csv_mutations(input in fuzz::mutated(frame_seeds())) {
        frame_target(&input).map_err(TestCaseError::fail)?;
    }
}

/// A bad number on the row after a quoted field spanning two lines is reported on its own
/// line (4), not as "row count + 2" (3).
#[test]
fn a_bad_number_is_located_after_a_multi_line_field() {
    let input =
        b"exporter,importer,year,trade,dist\n\"KAZ\nstan\",AFG,2021,474,1\nAFG,KAZ,2021,x,1\n";
    let e = Frame::read_csv(&input[..], &["trade"], &["exporter"]).unwrap_err();
    assert!(e.to_string().contains("line 4, column `trade`"), "{e}");
}
