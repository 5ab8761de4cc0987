//! Query parameters, checked by hand so that every mistake gets a message naming the parameter:
//! a missing one, a malformed date, an unknown authority, or a parameter the endpoint does not
//! take (a typo such as `date=` for `on=` would otherwise be silently ignored).

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use dyad_core::{Authority, Registry};
use time::Date;

use crate::error::ApiError;

/// The raw query string as name → value (the last value wins if one is repeated).
#[derive(Debug, Clone, Default)]
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(map) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))?;
        Ok(Params(map))
    }
}

/// How an answer is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (the default).
    Json,
    /// CSV with a header row.
    Csv,
}

impl Params {
    /// Fails if a parameter is not among `allowed` (`format` is always allowed).
    pub fn only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        let mut unknown: Vec<&str> = self
            .0
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "format" && !allowed.contains(k))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        unknown.sort_unstable();
        let mut expected = allowed.to_vec();
        expected.push("format");
        Err(ApiError::bad_request(format!(
            "unknown parameter{} `{}`; this endpoint takes: {}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join("`, `"),
            expected.join(", ")
        )))
    }

    /// As [`Params::only`], and no parameter may be given empty: the API's rule, so that its
    /// OpenAPI description can say exactly what is accepted (an empty `format=` or `on=` is a
    /// mistake, not a default). Pages use `only`, where an empty form field means "not given".
    pub fn strict(&self, allowed: &[&str]) -> Result<(), ApiError> {
        self.only(allowed)?;
        let mut empty: Vec<&str> = self
            .0
            .iter()
            .filter(|(_, v)| v.is_empty())
            .map(|(k, _)| k.as_str())
            .collect();
        empty.sort_unstable();
        match empty.first() {
            None => Ok(()),
            Some(name) => Err(ApiError::bad_request(format!(
                "parameter `{name}` is empty; give a value or leave it out"
            ))),
        }
    }

    /// An optional parameter; an empty value counts as absent (as an empty form field sends).
    /// Values are not trimmed: ` 2023-04-18` is not a day.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A required parameter.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .ok_or_else(|| ApiError::bad_request(format!("missing parameter `{name}`")))
    }

    /// An optional `YYYY-MM-DD` day.
    pub fn day(&self, name: &str) -> Result<Option<Date>, ApiError> {
        self.get(name)
            .map(|t| {
                dyad_core::date::parse_day(t).map_err(|e| {
                    // Core's syntax message lists YYYY-MM and YYYY, which acts may carry but
                    // a query day may not: say what is wanted here.
                    let why = match dyad_core::PartialDate::parse(t) {
                        Ok(_) => format!("`{t}` is not a full day: expected YYYY-MM-DD"),
                        Err(dyad_core::date::DateError::Syntax(_)) => {
                            format!("`{t}` is not a date: expected YYYY-MM-DD")
                        }
                        Err(_) => e.to_string(),
                    };
                    ApiError::bad_request(format!("parameter `{name}`: {why}"))
                })
            })
            .transpose()
    }

    /// A required `YYYY-MM-DD` day.
    pub fn required_day(&self, name: &str) -> Result<Date, ApiError> {
        self.required(name)?;
        Ok(self.day(name)?.expect("checked present"))
    }

    /// `format=json|csv`, JSON when absent.
    pub fn format(&self) -> Result<Format, ApiError> {
        match self.get("format") {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some(other) => Err(ApiError::bad_request(format!(
                "parameter `format`: `{other}` is not a format; use json or csv"
            ))),
        }
    }

    /// The authority named by parameter `name`, which must be known.
    pub fn authority<'r>(
        &self,
        registry: &'r Registry,
        name: &str,
    ) -> Result<&'r Authority, ApiError> {
        let id = self.required(name)?;
        find_authority(registry, id)
    }

    /// The actor named by parameter `name`, which must be known.
    pub fn actor<'p>(&'p self, registry: &Registry, name: &str) -> Result<&'p str, ApiError> {
        let code = self.required(name)?;
        check_actor(registry, code)?;
        Ok(code)
    }
}

/// An authority by id, or a 404 listing the known ones.
pub fn find_authority<'r>(registry: &'r Registry, id: &str) -> Result<&'r Authority, ApiError> {
    registry.authority(id).ok_or_else(|| {
        let known: Vec<&str> = registry.authorities().map(|a| a.id.as_str()).collect();
        ApiError::not_found(format!(
            "unknown authority `{id}`; known: {}",
            known.join(", ")
        ))
    })
}

/// Checks an actor code, or a 404 saying what a code looks like.
pub fn check_actor(registry: &Registry, code: &str) -> Result<(), ApiError> {
    if registry.state(code).is_none() {
        return Err(ApiError::not_found(format!(
            "unknown actor `{code}` (expected an ISO alpha-3 code such as KAZ, or UN)"
        )));
    }
    Ok(())
}

/// Today in UTC, the default day.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}
