//! Integration tests of dyad-core's readers and validation, in one test binary.

mod bad_input;
mod fuzz_inputs;
mod prop_csv;
