//! Integration tests of the API and pages, in one test binary (each separate binary would link
//! DataFusion again).

mod api;
mod browser;
mod fuzz_api;
