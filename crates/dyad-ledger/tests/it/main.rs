//! Integration tests of the ledger store, in one test binary.

mod bundled;
mod import_atomic;
mod migrate;
