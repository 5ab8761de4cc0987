//! Integration tests of dyad-trade's readers, store and queries, in one test binary (each
//! separate binary would link DataFusion again).

mod comtrade_json;
mod fuzz_readers;
mod pair;
mod readers;
