//! Briefs through dyad-brief's public API on the bundled ledger and reported figures: every
//! source a brief cites comes from its inputs, requests it cannot answer are refused in words,
//! and money is written for people.

use std::collections::BTreeSet;

use dyad_brief::brief::{build, usd, BriefRequest};
use dyad_brief::BriefError;
use dyad_ledger::Ledger;
use dyad_trade::datafusion::arrow::array::{Array, AsArray};
use dyad_trade::TradeDb;

fn request(actor: &str, authority: &str, on: &str) -> BriefRequest {
    BriefRequest {
        actor: actor.into(),
        authority: authority.into(),
        on: dyad_core::date::parse_day(on).unwrap(),
        png: false,
        claims: None,
    }
}

fn inputs() -> (Ledger, TradeDb) {
    let ledger = Ledger::bundled().unwrap();
    let db = TradeDb::open(None, ledger.registry()).unwrap();
    (ledger, db)
}

/// A brief cites nothing that its inputs do not hold: every source in its list is the source of
/// an act of the ledger or of a trade figure of the store (or names the ledger or store itself).
#[test]
fn every_source_a_brief_cites_is_one_of_its_inputs() {
    let (ledger, db) = inputs();
    let mut known: BTreeSet<String> = ledger
        .acts(None, None, None)
        .unwrap()
        .into_iter()
        .map(|a| a.source_url.clone())
        .collect();
    for batch in db.sql("SELECT DISTINCT source_url FROM flows").unwrap() {
        let col = batch.column(0).as_string::<i32>();
        known.extend(
            (0..col.len())
                .filter(|&i| col.is_valid(i))
                .map(|i| col.value(i).to_string()),
        );
    }
    let doc = build(&ledger, &db, &request("KAZ", "AFG-IEA", "2023-04-18")).unwrap();
    let cited: Vec<&String> = doc
        .sources
        .iter()
        .filter(|s| s.starts_with("http"))
        .collect();
    // Kazakhstan's accreditation of the envoys and the 2021-2022 turnover, both sourced.
    assert!(
        cited.iter().any(|u| u.contains("eurasianet.org")),
        "{cited:?}"
    );
    assert!(cited.iter().any(|u| u.contains("inform.kz")), "{cited:?}");
    let invented: Vec<&&String> = cited.iter().filter(|u| !known.contains(**u)).collect();
    assert!(
        invented.is_empty(),
        "cited but not in the inputs: {invented:?}"
    );
}

/// A brief on codes the registry does not know is refused with the code in the message, not
/// answered with an empty page.
#[test]
fn unknown_codes_are_refused_in_words() {
    let (ledger, db) = inputs();
    for (actor, authority, named) in [("KAZ", "AFG-XYZ", "AFG-XYZ"), ("XXX", "AFG-IEA", "XXX")] {
        match build(&ledger, &db, &request(actor, authority, "2023-04-18")) {
            Err(BriefError::Invalid(msg)) => assert!(msg.contains(named), "{msg}"),
            other => panic!("{actor} {authority}: {other:?}"),
        }
    }
}

/// Money for people: the examples in `usd`'s documentation, worked by hand, and the edges
/// between its units.
#[test]
fn dollars_are_written_for_people() {
    for (value, text) in [
        (987_900_000.0, "USD 987.9M"),
        (474_300_000.0, "USD 474.3M"),
        (9_100_000.0, "USD 9.1M"),
        (41_235.0, "USD 41,235"),
        (999.4, "USD 999"),
        (1_000.0, "USD 1,000"),
        (1_000_000.0, "USD 1.0M"),
        (2_500_000_000.0, "USD 2.50B"),
        (-41_235.0, "USD -41,235"),
        (0.0, "USD 0"),
    ] {
        assert_eq!(usd(value), text, "{value}");
    }
}
