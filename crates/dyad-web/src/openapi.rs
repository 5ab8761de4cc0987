//! The OpenAPI 3.1 description of the API, served at `/api/openapi.json`.
//!
//! Written by hand next to the handlers rather than generated: the API is small, and the tests
//! (`tests/it/api.rs`) call every path listed here with its example parameters and check each
//! JSON answer against its schema, including `additionalProperties: false`, so the document
//! cannot drift from what the server really sends. The parameters' schemas say exactly what the
//! server accepts (`.ci/schemathesis.sh` generates requests from them and checks the answers).
//! The trade examples name data that a home with a small ingested store holds (the tests build
//! one), so their answers are not empty.

use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{json, Value};

/// `GET /api/openapi.json`.
pub async fn document() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        spec().to_string(),
    )
}

/// A query parameter taking any non-empty text (the API refuses every empty value).
fn param(name: &str, required: bool, description: &str, example: &str) -> Value {
    typed_param(
        name,
        required,
        description,
        example,
        json!({"type": "string", "minLength": 1}),
    )
}

/// A query parameter with its own schema: the server accepts exactly what the schema allows,
/// so that an API tester generating from this document finds no disagreement.
fn typed_param(
    name: &str,
    required: bool,
    description: &str,
    example: &str,
    schema: Value,
) -> Value {
    json!({
        "name": name, "in": "query", "required": required, "description": description,
        "schema": schema, "example": example,
    })
}

/// A day, as `params::Params::day` reads it.
fn day_param(name: &str, required: bool, description: &str, example: &str) -> Value {
    typed_param(
        name,
        required,
        description,
        example,
        json!({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}),
    )
}

/// An actor code (ISO 3166-1 alpha-3, or `UN`, `EU`); an unknown one is a 404.
const ACTOR_PATTERN: &str = "^[A-Z]{2,3}$";
/// An authority id such as `AFG-IEA` or `PRC`; an unknown one is a 404.
const AUTHORITY_PATTERN: &str = "^[A-Z0-9]+(-[A-Z0-9]+)*$";
/// A country in the trade endpoints: ISO alpha-3 in any case, or an area number; an unknown one
/// is a 404.
const COUNTRY_PATTERN: &str = "^([A-Za-z]{3}|[0-9]{1,3})$";
/// A year as the trade endpoints take it (1900 to 2100).
const YEAR: &str = "(19[0-9]{2}|20[0-9]{2}|2100)";

fn pattern(p: &str) -> Value {
    json!({"type": "string", "pattern": p})
}

fn country_param(name: &str, description: &str, example: &str) -> Value {
    typed_param(name, true, description, example, pattern(COUNTRY_PATTERN))
}

fn format_param() -> Value {
    json!({
        "name": "format", "in": "query", "required": false,
        "description": "json (default) or csv",
        "schema": {"type": "string", "enum": ["json", "csv"]},
    })
}

fn authority_param() -> Value {
    typed_param(
        "authority",
        true,
        "Authority id",
        "AFG-IEA",
        pattern(AUTHORITY_PATTERN),
    )
}
fn actor_param() -> Value {
    typed_param(
        "actor",
        true,
        "Actor: ISO 3166-1 alpha-3 code, or UN",
        "KAZ",
        pattern(ACTOR_PATTERN),
    )
}
fn on_param() -> Value {
    day_param(
        "on",
        false,
        "Day to answer for, YYYY-MM-DD (default, when left out: today, UTC)",
        "2023-04-18",
    )
}
fn known_on_param() -> Value {
    day_param(
        "known_on",
        false,
        "Answer as the ledger stood at the end of this day (YYYY-MM-DD)",
        "2026-12-31",
    )
}

/// A read endpoint answering JSON (schema `schema`) or CSV, with the usual errors.
fn read(summary: &str, params: Vec<Value>, schema: &str) -> Value {
    let mut parameters = params;
    parameters.push(format_param());
    json!({"get": {
        "summary": summary,
        "parameters": parameters,
        "responses": {
            "200": {"description": "OK", "content": {
                "application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}},
                "text/csv": {"schema": {"type": "string"}},
            }},
            "400": error_response("A parameter is missing, empty, malformed or not taken by this endpoint"),
            "404": error_response("The authority, actor, country or act does not exist"),
        },
    }})
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// An object schema whose properties are all required and no others allowed.
fn object(properties: Value) -> Value {
    let required: Vec<&String> = properties
        .as_object()
        .expect("properties are an object")
        .keys()
        .collect();
    json!({"type": "object", "required": required, "properties": properties,
           "additionalProperties": false})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn array_of(item: Value) -> Value {
    json!({"type": "array", "items": item})
}

fn string() -> Value {
    json!({"type": "string"})
}

fn nullable_string() -> Value {
    json!({"type": ["string", "null"]})
}

fn strings() -> Value {
    array_of(string())
}

fn number() -> Value {
    json!({"type": "number"})
}

fn nullable_number() -> Value {
    json!({"type": ["number", "null"]})
}

fn store_rows() -> Value {
    json!({"type": "integer", "minimum": 0,
        "description": "Rows in the home's trade store; 0 when only the bundled reported figures are there"})
}

fn years_param(required: bool, example: &str) -> Value {
    typed_param(
        "years",
        required,
        "Years from 1900 to 2100: one (2022) or a range (2019-2023, inclusive; its ends in either order)",
        example,
        pattern(&format!("^{YEAR}(-{YEAR})?$")),
    )
}

fn source_param() -> Value {
    json!({
        "name": "source", "in": "query", "required": false,
        "description": "baci (default) or comtrade (the countries' own declarations)",
        "schema": {"type": "string", "enum": ["baci", "comtrade"]},
    })
}

/// The fields of an act as the API gives it (also flattened into timeline and cited acts).
fn act_properties() -> serde_json::Map<String, Value> {
    let v = json!({
        "id": string(),
        "date": {"type": "string", "description": "YYYY-MM-DD, YYYY-MM or YYYY"},
        "precision": {"type": "string", "enum": ["day", "month", "year"]},
        "actor": string(),
        "authority": string(),
        "act": string(),
        "level": {"type": ["integer", "null"], "minimum": 0, "maximum": 5},
        "detail": string(),
        "source_url": string(),
        "source_date": nullable_string(),
    });
    v.as_object().expect("object").clone()
}

fn with(mut props: serde_json::Map<String, Value>, extra: Value) -> Value {
    props.extend(extra.as_object().expect("object").clone());
    object(Value::Object(props))
}

/// The fields of a stance, wherever one is given (a list, a contest row, a why, a brief).
fn stance_properties() -> serde_json::Map<String, Value> {
    let v = json!({
        "actor": string(), "actor_name": string(),
        "level": {"type": "integer", "minimum": 0, "maximum": 5},
        "level_name": string(), "level_uncertain": {"type": "boolean"},
        "recognition": dimension(&["none", "de_jure"]),
        "envoys": dimension(&["none", "received", "below_ambassador", "ambassador"]),
        "mission": dimension(&["none", "closed", "open", "ambassador"]),
        "designation": dimension(&["not_recorded", "listed", "not_listed"]),
        "level_acts": strings(),
        "counted": {"type": "array", "items": string(), "description": "Every act counted by the day, oldest first"},
        "sources": {"type": "array", "items": reference("SourceAct"),
            "description": "The acts the stance cites, in ledger order, with their sources"},
    });
    v.as_object().expect("object").clone()
}

fn dimension(values: &[&str]) -> Value {
    object(json!({
        "value": {"type": "string", "enum": values},
        "acts": strings(),
        "pending": strings(),
    }))
}

/// Schemas of the trade and brief answers (kept apart from the ledger's: one `json!` that large
/// would pass the macro's recursion limit).
fn trade_schemas() -> serde_json::Map<String, Value> {
    let brief_block = json!({"oneOf": [
        object(json!({"kind": {"type": "string", "enum": ["paragraph"]}, "text": string()})),
        object(json!({"kind": {"type": "string", "enum": ["gap"]}, "text": string()})),
        object(json!({
            "kind": {"type": "string", "enum": ["table"]}, "headers": strings(),
            "rows": array_of(object(json!({
                "cells": strings(),
                "sources": array_of(json!({"type": "integer", "minimum": 1})),
            }))),
        })),
        object(json!({
            "kind": {"type": "string", "enum": ["chart"]}, "name": string(), "alt": string(),
            "svg": {"type": "string", "description": "An SVG document"},
        })),
    ]});
    let out = json!({
        "TradeFigure": object(json!({
            "year": {"type": "integer"},
            "exporter": nullable_string(), "importer": nullable_string(),
            "flow": {"type": "string", "enum": ["X", "M", "T", "RX", "RM"],
                "description": "X export, M import, T turnover (both ways), RX/RM re-exports/re-imports"},
            "value_usd": number(),
            "source": {"type": "string", "enum": ["baci", "comtrade", "reported"]},
            "classification": string(), "reporter": string(), "source_url": nullable_string(),
        })),
        "TradeSeries": object(json!({
            "a": string(), "b": string(), "years": nullable_string(), "store_rows": store_rows(),
            "rows": array_of(reference("TradeFigure")),
        })),
        "ProductRow": object(json!({
            "product": string(), "name": nullable_string(), "value_usd": number(),
            "share": nullable_number(), "classification": string(), "reporter": string(),
        })),
        "TradeProducts": object(json!({
            "exporter": string(), "importer": string(), "year": {"type": "integer"},
            "level": {"type": "integer", "enum": [2, 4, 6]},
            "source": {"type": "string", "enum": ["baci", "comtrade"]}, "store_rows": store_rows(),
            "rows": array_of(reference("ProductRow")),
        })),
        "PartnerRow": object(json!({
            "partner": string(), "name": nullable_string(), "value_usd": number(),
            "share": nullable_number(),
        })),
        "TradePartners": object(json!({
            "country": string(), "flow": {"type": "string", "enum": ["export", "import"]},
            "years": string(), "top": {"type": "integer", "minimum": 1},
            "source": {"type": "string", "enum": ["baci", "comtrade"]}, "store_rows": store_rows(),
            "rows": array_of(reference("PartnerRow")),
        })),
        "MirrorRow": object(json!({
            "year": {"type": "integer"}, "exports_reported": number(),
            "imports_reported": number(), "ratio": nullable_number(), "gap": number(),
            "baci": nullable_number(),
        })),
        "TradeMirror": object(json!({
            "exporter": string(), "importer": string(), "years": nullable_string(),
            "store_rows": store_rows(), "rows": array_of(reference("MirrorRow")),
        })),
        "PairFigure": object(json!({
            "year": {"type": "integer"}, "exporter": string(), "importer": string(),
            "flow": string(), "value_usd": number(),
            "source": {"type": "string", "enum": ["baci", "comtrade", "reported"]},
            "reporter": string(), "source_url": nullable_string(),
        })),
        "BriefBlock": brief_block,
        "BriefSection": object(json!({"title": string(), "blocks": array_of(reference("BriefBlock"))})),
        "Brief": object(json!({
            "actor": string(), "actor_name": string(), "authority": reference("Authority"),
            "on": string(), "title": string(), "subtitle": string(),
            "stance": reference("Stance"), "figures": array_of(reference("PairFigure")),
            "sections": array_of(reference("BriefSection")),
            "sources": array_of(object(json!({
                "number": {"type": "integer", "minimum": 1},
                "source": {"type": "string", "description": "A URL, or the name of a data set"},
            }))),
        })),
    });
    match out {
        Value::Object(map) => map,
        _ => unreachable!("json! of an object"),
    }
}

/// The whole document.
pub fn spec() -> Value {
    let mut schemas = json!({
        "Error": {"type": "object", "required": ["error"], "additionalProperties": false,
            "properties": {"error": string(), "problems": strings()}},
        "Authority": object(json!({
            "id": string(), "state": string(), "name": string(), "from": string(),
            "until": nullable_string(), "exile_from": nullable_string(),
            "contests": strings(), "source_url": string(), "note": string(),
        })),
        "Authorities": object(json!({"authorities": array_of(reference("Authority"))})),
        "State": object(json!({
            "code": string(), "numeric": {"type": ["integer", "null"]},
            "alpha2": nullable_string(), "name": string(),
            "un_status": string(),
            "kind": {"type": "string", "enum": ["state", "territory", "organisation"]},
        })),
        "States": object(json!({"states": array_of(reference("State"))})),
        "Stance": object(Value::Object(stance_properties())),
        "SourceAct": object(json!({
            "id": string(),
            "date": {"type": "string", "description": "YYYY-MM-DD, YYYY-MM or YYYY"},
            "act": string(), "detail": string(), "source_url": string(),
        })),
        "Stances": object(json!({
            "authority": reference("Authority"), "on": string(), "known_on": nullable_string(),
            "ended": {"type": ["string", "null"],
                "description": "The authority's last day, when `on` is after it: the stances are what its acts left behind"},
            "stances": array_of(reference("Stance")),
        })),
        "ContestSide": object(json!({
            "authority": reference("Authority"),
            "ended": {"type": ["string", "null"], "description": "The authority's last day, when `on` is after it"},
            "in_exile": {"type": "boolean"},
            "actors": {"type": "integer", "minimum": 0},
            "recognised_by": {"type": "integer", "minimum": 0},
            "envoys_received_by": {"type": "integer", "minimum": 0},
            "missions_open": {"type": "integer", "minimum": 0},
        })),
        "Contest": object(json!({
            "state": string(), "state_name": string(), "on": string(), "known_on": nullable_string(),
            "sides": array_of(reference("ContestSide")),
            "recognise_several": {"type": "integer", "minimum": 0},
            "actors": array_of(object(json!({
                "actor": string(), "actor_name": string(),
                "stances": {"type": "array", "description": "One per side, in the order of `sides`; null where the actor has no act toward it",
                    "items": {"oneOf": [reference("Stance"), {"type": "null"}]}},
            }))),
        })),
        "Act": object(Value::Object(act_properties())),
        "Acts": object(json!({"known_on": nullable_string(), "acts": array_of(reference("Act"))})),
        "CitedAct": with(act_properties(), json!({
            "status": {"type": "string", "enum": ["counted", "pending"]}})),
        "DimensionDetail": object(json!({
            "dimension": {"type": "string", "enum": ["recognition", "envoys", "mission", "designation"]},
            "value": string(), "uncertain": {"type": "boolean"},
            "acts": array_of(reference("CitedAct")),
        })),
        "Why": with(stance_properties(), json!({
            "authority": reference("Authority"),
            "on": string(), "known_on": nullable_string(),
            "ended": {"type": ["string", "null"], "description": "The authority's last day, when `on` is after it"},
            "dimensions": array_of(reference("DimensionDetail")),
        })),
        "TimelineEntry": with(act_properties(), json!({"level_after": {"type": "integer"}})),
        "Timeline": object(json!({
            "actor": string(), "actor_name": string(), "authority": reference("Authority"),
            "known_on": nullable_string(), "acts": array_of(reference("TimelineEntry")),
        })),
        "Change": object(json!({
            "actor": string(), "actor_name": string(),
            "dimension": {"type": "string", "enum": ["recognition", "envoys", "mission", "designation", "level"]},
            "from": string(), "to": string(), "acts": strings(),
        })),
        "Diff": object(json!({
            "authority": reference("Authority"), "from": string(), "to": string(),
            "known_on": nullable_string(), "changes": array_of(reference("Change")),
        })),
        "StoredAct": object(json!({
            "id": string(), "date": string(), "actor": string(), "authority": string(),
            "kind": string(), "level": {"type": ["integer", "null"]}, "detail": string(),
            "source_url": string(), "source_date": nullable_string(),
        })),
        "Version": object(json!({
            "act": reference("StoredAct"), "version": {"type": "integer"},
            "recorded_at": string(), "recorded_by": string(), "reason": string(),
            "superseded_at": nullable_string(),
        })),
        "History": object(json!({"id": string(), "versions": array_of(reference("Version"))})),
        "WriteReport": object(json!({
            "recorded_by": string(), "reason": string(),
            "authorities": {"type": "integer"}, "added": {"type": "integer"},
            "corrected": {"type": "integer"}, "unchanged": {"type": "integer"},
        })),
    });

    schemas
        .as_object_mut()
        .expect("object")
        .extend(trade_schemas());

    let mut acts = read(
        "The ledger's acts; as CSV, the format `dyad import` and POST /api/acts read",
        vec![
            typed_param(
                "authority",
                false,
                "Only acts toward this authority",
                "AFG-IEA",
                pattern(AUTHORITY_PATTERN),
            ),
            typed_param(
                "actor",
                false,
                "Only acts of this actor",
                "KAZ",
                pattern(ACTOR_PATTERN),
            ),
            known_on_param(),
        ],
        "Acts",
    );
    acts["post"] = json!({
        "summary": "Add or correct acts (curators): validated as `dyad import`, all or nothing, kept in the history",
        "security": [{"bearer": []}],
        "parameters": [param("reason", true, "Why; kept with every new version", "added 2026 items")],
        "requestBody": {"required": true, "content": {
            "text/csv": {"schema": {"type": "string"},
                "example": "date,actor,counterpart,act,detail,source_url\n2023-04-17,KAZ,AFG-IEA,envoy_accepted,...,https://...\n"},
            "application/json": {"schema": array_of(json!({
                "type": "object",
                "required": ["date", "actor", "act", "source_url"],
                "properties": {
                    "id": string(), "date": string(), "actor": string(),
                    "counterpart": string(), "authority": string(), "act": string(),
                    "level": {"type": ["integer", "string", "null"]}, "detail": string(),
                    "source_url": string(), "source_date": nullable_string(),
                },
                "additionalProperties": false,
            }))},
        }},
        "responses": {
            "200": {"description": "Written", "content": {"application/json": {
                "schema": reference("WriteReport")}}},
            "400": error_response("A parameter or the body is malformed"),
            "401": error_response("No bearer token"),
            "403": error_response("The token is unknown or revoked, or the server has no home"),
            "413": error_response("The body is larger than 1 MiB"),
            "415": error_response("The body is neither text/csv nor application/json"),
            "422": error_response("Acts failed validation; `problems` lists each, nothing was changed"),
        },
    });

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "dyad",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Who recognises whom, as of any date, with a source behind every fact; trade between the states concerned, each figure with its source; one-page briefs. Reads are public; writes need a curator token.",
        },
        "paths": {
            "/api/authorities": read("Every authority", vec![], "Authorities"),
            "/api/states": read("Every state, territory and organisation with its codes", vec![], "States"),
            "/api/stance": read(
                "The stance of every actor with acts toward an authority on a day",
                vec![authority_param(), on_param(), known_on_param()],
                "Stances",
            ),
            "/api/compare": read(
                "Chosen actors side by side on a day",
                vec![authority_param(), on_param(),
                     typed_param("actors", true, "Actor codes separated by commas (any case); an unknown one is a 404", "KAZ,CHN,RUS",
                        pattern("^[A-Za-z]{2,3}(,[A-Za-z]{2,3})*$")),
                     known_on_param()],
                "Stances",
            ),
            "/api/contest": read(
                "Every actor's stance toward each authority claiming a state, side by side, with how many actors recognise each (as `dyad contest`). 404 when no authority claims the state or none had begun by the day",
                vec![typed_param("state", true, "The contested state, ISO alpha-3", "VEN", pattern(ACTOR_PATTERN)),
                     on_param(), known_on_param()],
                "Contest",
            ),
            "/api/why": read(
                "Each dimension of one actor's stance, with its acts and sources",
                vec![actor_param(), authority_param(), on_param(), known_on_param()],
                "Why",
            ),
            "/api/timeline": read(
                "Every act of one actor toward an authority, with the level after each",
                vec![actor_param(), authority_param(), known_on_param()],
                "Timeline",
            ),
            "/api/diff": read(
                "Who moved between two days, dimension by dimension",
                vec![authority_param(),
                     day_param("from", true, "The day to compare from, YYYY-MM-DD", "2023-01-01"),
                     day_param("to", true, "The day to compare to, YYYY-MM-DD (earlier than `from` reads the changes backwards)", "2025-12-31"),
                     known_on_param()],
                "Diff",
            ),
            "/api/acts": acts,
            "/api/history": read(
                "Every stored version of an act: who, when, why",
                vec![param("id", true, "Act id", "KAZ/AFG-IEA/2023-04-17/envoy_accepted")],
                "History",
            ),
            "/api/trade/series": read(
                "Trade between two countries in both directions, by year, source and reporter (as `dyad trade series A B`)",
                vec![country_param("a", "One country: ISO alpha-3 code (or an area number such as 398)", "KAZ"),
                     country_param("b", "The other country", "AFG"),
                     years_param(false, "2017-2024")],
                "TradeSeries",
            ),
            "/api/trade/products": read(
                "What one country sold another in a year, by HS product, with names and shares (as `dyad trade products`)",
                vec![country_param("exporter", "Exporting country, ISO alpha-3", "KAZ"),
                     country_param("importer", "Importing country, ISO alpha-3", "AFG"),
                     typed_param("year", true, "The year", "2022",
                        json!({"type": "integer", "minimum": 1900, "maximum": 2100})),
                     json!({"name": "level", "in": "query", "required": false,
                            "description": "HS digits: 2 (chapters), 4 (headings) or 6 (subheadings, the default)",
                            "schema": {"type": "string", "enum": ["2", "4", "6"]}, "example": "4"}),
                     source_param()],
                "TradeProducts",
            ),
            "/api/trade/partners": read(
                "A country's main partners over some years, with their shares of its trade (as `dyad trade partners`)",
                vec![country_param("country", "The country, ISO alpha-3", "AFG"),
                     json!({"name": "flow", "in": "query", "required": false,
                            "description": "export (default: its exports by destination) or import (its imports by origin)",
                            "schema": {"type": "string", "enum": ["export", "import"]}, "example": "import"}),
                     years_param(true, "2022"),
                     typed_param("top", false, "How many partners, 1 to 300 (default 10)", "10",
                        json!({"type": "integer", "minimum": 1, "maximum": 300})),
                     source_param()],
                "TradePartners",
            ),
            "/api/trade/mirror": read(
                "Exporter-reported exports against importer-reported imports (UN Comtrade), by year where both exist (as `dyad trade mirror`)",
                vec![country_param("exporter", "Exporting country, ISO alpha-3", "KAZ"),
                     country_param("importer", "Importing country, ISO alpha-3", "AFG"),
                     years_param(false, "2017-2024")],
                "TradeMirror",
            ),
            "/api/brief": read(
                "The content of a one-page brief (as `dyad brief ACTOR AUTHORITY`): stance, trade figures with sources, and sections whose table rows cite numbered sources. CSV: one line per cell",
                vec![actor_param(), authority_param(), on_param()],
                "Brief",
            ),
            "/api/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": {"description": "OK", "content": {"application/json": {
                    "schema": {"type": "object"}}}}},
            }},
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                "description": "A curator token from `dyad token create NAME`"}},
        },
    })
}
