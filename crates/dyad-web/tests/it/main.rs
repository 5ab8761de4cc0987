//! Integration tests of the API and pages, in one test binary (each separate binary would link
//! DataFusion again).

mod support;

mod browser;
mod curator;
mod fuzz_api;
mod openapi;
mod reads;
mod trade;
