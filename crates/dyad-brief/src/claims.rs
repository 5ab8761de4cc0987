//! The bundled example claims (Kazakhstan and the Islamic Emirate) and their checking.

use dyad_analysis::claims::{check_claims, parse_claims, ClaimResult, ClaimsFile};
use dyad_core::{Act, Registry};
use dyad_trade::TradeDb;

use crate::figures::StoreFigures;
use crate::BriefError;

/// The example claims file checked by `dyad check-claims` with no file.
pub const BUNDLED: &str = include_str!("../data/claims_kaz_afg.toml");

/// Name of the bundled claims file in messages.
pub const BUNDLED_NAME: &str = "<bundled>/claims_kaz_afg.toml";

/// Parses a claims file (or the bundled one).
pub fn load(name: &str, text: &str, registry: &Registry) -> Result<ClaimsFile, BriefError> {
    parse_claims(name, text, registry).map_err(|e| BriefError::Invalid(e.to_string()))
}

/// Checks claims against the trade store and the ledger's acts. The figures of every pair the
/// claims name are read first ([`StoreFigures::read`]); the judging itself reads nothing.
pub async fn check(
    file: &ClaimsFile,
    db: &TradeDb,
    acts: &[Act],
    registry: &Registry,
) -> Vec<ClaimResult> {
    let figures = StoreFigures::read(db, file).await;
    check_claims(file, &figures, acts, registry)
}
