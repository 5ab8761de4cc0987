//! What the ledger commands say on standard error beside their answer: that an authority had
//! ended by the day asked about.

/// What every surface says of an authority asked about after its end: that it had ended, and
/// from when.
pub fn ended_note(authority: &dyad_core::Authority, until: time::Date, on: time::Date) -> String {
    format!(
        "note: {} ({}) had ended by {}: its last day was {} ({}); what is shown is what its acts \
         left behind, not a current stance",
        authority.id,
        authority.name,
        dyad_core::date::format_day(on),
        dyad_core::date::format_day(until),
        authority.period()
    )
}

/// Prints the ended note on standard error when `on` is after the authority's end.
pub fn warn_if_ended(authority: &dyad_core::Authority, on: time::Date) {
    if let Some(until) = authority.ended_by(on) {
        eprintln!("{}", ended_note(authority, until, on));
    }
}
