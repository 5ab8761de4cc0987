//! Integration tests of dyad-analysis's estimators and parsers, in one test binary.

mod closed_form;
mod fixest_trade;
mod fuzz_parsers;
mod politics;
