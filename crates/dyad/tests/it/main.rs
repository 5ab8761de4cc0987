//! End-to-end tests of the `dyad` binary, one module per area, in one test binary (each
//! separate binary would link the whole CLI again). `support` holds what several modules use.

mod support;

mod analysis;
mod cluster;
mod crash;
mod docs;
mod gravity;
mod hostile;
mod ledger;
mod trade;
mod web;
