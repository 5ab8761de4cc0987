//! Claims: statements such as "KAZ–AFG turnover in 2022 ≈ 2 × 2021" checked against data.
//!
//! A claims file is TOML with one `[[claim]]` table per statement (see `data/claims_kaz_afg.toml`
//! in the CLI crate for a worked example). Each claim is judged:
//! - `supported`: every figure that bears on it agrees within the tolerance;
//! - `contradicted`: none agrees;
//! - `mixed`: sources disagree, some agree and some do not (all are listed);
//! - `not_enough_data`: no figure bears on it.
//!
//! Tolerances are relative: a figure agrees when |observed / expected − 1| ≤ tolerance.

use serde::{Deserialize, Serialize};

use dyad_core::stance::{Envoys, Recognition};
use dyad_core::{Act, Registry};

use crate::series::Period;

/// A claims file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsFile {
    /// The claims, in file order.
    #[serde(rename = "claim")]
    pub claims: Vec<Claim>,
}

/// Which trade figures a numeric claim is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Exports from `exporter` to `importer`.
    Flow,
    /// Trade both ways between the two countries.
    Turnover,
}

/// One statement to check.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Claim {
    /// A value in one period is about `expected` times the value in another.
    Ratio {
        /// Short identifier.
        id: String,
        /// The statement, in words.
        text: String,
        /// Who made it, or where (optional).
        #[serde(default)]
        said_by: Option<String>,
        /// Exporting country (ISO3).
        exporter: String,
        /// Importing country (ISO3).
        importer: String,
        /// Flow or turnover.
        measure: Measure,
        /// The later period (`2022`).
        numerator: String,
        /// The earlier period (`2021`).
        denominator: String,
        /// The stated ratio.
        expected: f64,
        /// Relative tolerance.
        tolerance: f64,
    },
    /// The value is about `expected` in each period.
    Level {
        /// Short identifier.
        id: String,
        /// The statement, in words.
        text: String,
        /// Who made it, or where (optional).
        #[serde(default)]
        said_by: Option<String>,
        /// Exporting country (ISO3).
        exporter: String,
        /// Importing country (ISO3).
        importer: String,
        /// Flow or turnover.
        measure: Measure,
        /// Periods the statement covers; empty means every period with data.
        #[serde(default)]
        periods: Vec<String>,
        /// The stated value, in USD.
        expected: f64,
        /// Relative tolerance.
        tolerance: f64,
    },
    /// On a day, the actors stand toward the authority as stated.
    Stance {
        /// Short identifier.
        id: String,
        /// The statement, in words.
        text: String,
        /// Who made it, or where (optional).
        #[serde(default)]
        said_by: Option<String>,
        /// The day (YYYY-MM-DD).
        on: String,
        /// The authority (`AFG-IEA`).
        authority: String,
        /// The actors (ISO3).
        actors: Vec<String>,
        /// Required recognition value (`none`, `de_jure`).
        #[serde(default)]
        recognition: Option<String>,
        /// Envoys received at least at this rank (`received`, `below_ambassador`, `ambassador`).
        #[serde(default)]
        envoys_at_least: Option<String>,
    },
}

impl Claim {
    /// The claim's identifier.
    pub fn id(&self) -> &str {
        match self {
            Claim::Ratio { id, .. } | Claim::Level { id, .. } | Claim::Stance { id, .. } => id,
        }
    }
}

/// A trade figure with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// The period.
    pub period: Period,
    /// Value in USD.
    pub value: f64,
    /// Who reported it (a statistics office, a ministry, BACI).
    pub reporter: String,
    /// Where it is published, if known.
    pub source_url: Option<String>,
}

/// Where numeric claims get their figures.
pub trait FigureSource {
    /// Every figure for the flow or turnover between the two countries.
    fn figures(&self, exporter: &str, importer: &str, measure: Measure) -> Vec<Figure>;
}

/// The judgement on a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every bearing figure agrees.
    Supported,
    /// No bearing figure agrees.
    Contradicted,
    /// Some agree, some do not.
    Mixed,
    /// Nothing bears on it.
    NotEnoughData,
}

impl Verdict {
    /// The name used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::Contradicted => "contradicted",
            Verdict::Mixed => "mixed",
            Verdict::NotEnoughData => "not_enough_data",
        }
    }

    fn from_counts(agree: usize, total: usize) -> Verdict {
        match (agree, total) {
            (_, 0) => Verdict::NotEnoughData,
            (a, t) if a == t => Verdict::Supported,
            (0, _) => Verdict::Contradicted,
            _ => Verdict::Mixed,
        }
    }
}

/// One piece of evidence: what was observed and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// What the figure is (`2022/2021 turnover, KAZ official figure`).
    pub label: String,
    /// The observed value (a ratio, USD, or a stance value).
    pub observed: String,
    /// Whether it agrees with the claim.
    pub agrees: bool,
    /// Sources.
    pub sources: Vec<String>,
}

/// A judged claim.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimResult {
    /// The claim's id.
    pub id: String,
    /// The statement.
    pub text: String,
    /// Who made it.
    pub said_by: Option<String>,
    /// The judgement.
    pub verdict: Verdict,
    /// What the judgement rests on.
    pub evidence: Vec<Evidence>,
}

/// Why a claims file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// Not valid TOML or not the claims schema.
    #[error("{file}: {message}")]
    Parse {
        /// File name.
        file: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A claim refers to something unknown or malformed.
    #[error("{file}: claim `{id}`: {message}")]
    Invalid {
        /// File name.
        file: String,
        /// Claim id.
        id: String,
        /// What is wrong.
        message: String,
    },
}

/// Parses and checks a claims file.
pub fn parse_claims(
    file: &str,
    text: &str,
    registry: &Registry,
) -> Result<ClaimsFile, ClaimsError> {
    let parsed: ClaimsFile = toml::from_str(text).map_err(|e| ClaimsError::Parse {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    let invalid = |id: &str, message: String| ClaimsError::Invalid {
        file: file.to_string(),
        id: id.to_string(),
        message,
    };
    let mut seen = std::collections::HashSet::new();
    for c in &parsed.claims {
        if !seen.insert(c.id()) {
            return Err(invalid(c.id(), "appears twice".into()));
        }
        let known = |code: &str| registry.state(code).is_some();
        match c {
            Claim::Ratio {
                id,
                exporter,
                importer,
                numerator,
                denominator,
                tolerance,
                ..
            } => {
                for code in [exporter, importer] {
                    if !known(code) {
                        return Err(invalid(id, format!("unknown country `{code}`")));
                    }
                }
                for p in [numerator, denominator] {
                    Period::parse(p).ok_or_else(|| {
                        invalid(id, format!("`{p}` is not a period (YYYY or YYYY-MM)"))
                    })?;
                }
                if *tolerance < 0.0 {
                    return Err(invalid(id, "tolerance must not be negative".into()));
                }
            }
            Claim::Level {
                id,
                exporter,
                importer,
                periods,
                tolerance,
                ..
            } => {
                for code in [exporter, importer] {
                    if !known(code) {
                        return Err(invalid(id, format!("unknown country `{code}`")));
                    }
                }
                for p in periods {
                    Period::parse(p).ok_or_else(|| {
                        invalid(id, format!("`{p}` is not a period (YYYY or YYYY-MM)"))
                    })?;
                }
                if *tolerance < 0.0 {
                    return Err(invalid(id, "tolerance must not be negative".into()));
                }
            }
            Claim::Stance {
                id,
                on,
                authority,
                actors,
                recognition,
                envoys_at_least,
                ..
            } => {
                dyad_core::date::parse_day(on).map_err(|e| invalid(id, e.to_string()))?;
                if registry.authority(authority).is_none() {
                    return Err(invalid(id, format!("unknown authority `{authority}`")));
                }
                if let Some(a) = actors.iter().find(|a| !known(a)) {
                    return Err(invalid(id, format!("unknown actor `{a}`")));
                }
                if let Some(r) = recognition {
                    parse_recognition(r).ok_or_else(|| {
                        invalid(id, format!("recognition `{r}`: expected none or de_jure"))
                    })?;
                }
                if let Some(e) = envoys_at_least {
                    parse_envoys(e).ok_or_else(|| {
                        invalid(id, format!("envoys_at_least `{e}`: expected received, below_ambassador or ambassador"))
                    })?;
                }
            }
        }
    }
    Ok(parsed)
}

fn parse_recognition(s: &str) -> Option<Recognition> {
    [Recognition::None, Recognition::DeJure]
        .into_iter()
        .find(|r| r.as_str() == s)
}

fn parse_envoys(s: &str) -> Option<Envoys> {
    [
        Envoys::None,
        Envoys::Received,
        Envoys::BelowAmbassador,
        Envoys::Ambassador,
    ]
    .into_iter()
    .find(|e| e.as_str() == s)
}

fn agrees(observed: f64, expected: f64, tolerance: f64) -> bool {
    expected != 0.0 && (observed / expected - 1.0).abs() <= tolerance
}

fn sources_of(f: &Figure) -> Vec<String> {
    f.source_url.iter().cloned().collect()
}

fn usd(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("USD {:.1}M", v / 1e6)
    } else {
        format!("USD {v:.0}")
    }
}

/// Judges every claim: numeric ones against `figures`, stance ones against the ledger's `acts`.
pub fn check_claims(
    file: &ClaimsFile,
    figures: &dyn FigureSource,
    acts: &[Act],
    registry: &Registry,
) -> Vec<ClaimResult> {
    file.claims
        .iter()
        .map(|c| check_claim(c, figures, acts, registry))
        .collect()
}

fn check_claim(
    claim: &Claim,
    figures: &dyn FigureSource,
    acts: &[Act],
    registry: &Registry,
) -> ClaimResult {
    let mut evidence = Vec::new();
    let (id, text, said_by) = match claim {
        Claim::Ratio {
            id, text, said_by, ..
        }
        | Claim::Level {
            id, text, said_by, ..
        }
        | Claim::Stance {
            id, text, said_by, ..
        } => (id.clone(), text.clone(), said_by.clone()),
    };
    match claim {
        Claim::Ratio {
            exporter,
            importer,
            measure,
            numerator,
            denominator,
            expected,
            tolerance,
            ..
        } => {
            let (pn, pd) = (
                Period::parse(numerator).expect("checked"),
                Period::parse(denominator).expect("checked"),
            );
            let all = figures.figures(exporter, importer, *measure);
            let nums: Vec<&Figure> = all.iter().filter(|f| f.period == pn).collect();
            let dens: Vec<&Figure> = all.iter().filter(|f| f.period == pd).collect();
            // Compare like with like: figures from the same reporter where there are any.
            let same: Vec<(&Figure, &Figure)> = nums
                .iter()
                .flat_map(|n| {
                    dens.iter()
                        .filter(|d| d.reporter == n.reporter)
                        .map(move |d| (*n, *d))
                })
                .collect();
            let pairs = if same.is_empty() {
                nums.iter()
                    .flat_map(|n| dens.iter().map(move |d| (*n, *d)))
                    .collect()
            } else {
                same
            };
            for (n, d) in pairs.into_iter().filter(|(_, d)| d.value > 0.0) {
                let r = n.value / d.value;
                let mut sources = sources_of(n);
                sources.extend(
                    sources_of(d)
                        .into_iter()
                        .filter(|s| !sources_of(n).contains(s)),
                );
                evidence.push(Evidence {
                    label: format!(
                        "{pn}/{pd}: {} / {} ({})",
                        usd(n.value),
                        usd(d.value),
                        n.reporter
                    ),
                    observed: format!("{r:.3}"),
                    agrees: agrees(r, *expected, *tolerance),
                    sources,
                });
            }
        }
        Claim::Level {
            exporter,
            importer,
            measure,
            periods,
            expected,
            tolerance,
            ..
        } => {
            let wanted: Vec<Period> = periods
                .iter()
                .map(|p| Period::parse(p).expect("checked"))
                .collect();
            for f in figures.figures(exporter, importer, *measure) {
                if wanted.is_empty() || wanted.contains(&f.period) {
                    evidence.push(Evidence {
                        label: format!("{} ({})", f.period, f.reporter),
                        observed: usd(f.value),
                        agrees: agrees(f.value, *expected, *tolerance),
                        sources: sources_of(&f),
                    });
                }
            }
        }
        Claim::Stance {
            on,
            authority,
            actors,
            recognition,
            envoys_at_least,
            ..
        } => {
            let day = dyad_core::date::parse_day(on).expect("checked");
            let auth = registry.authority(authority).expect("checked");
            for actor in actors {
                let s = dyad_core::fold(actor, auth, acts, day);
                let mut ok = true;
                let mut observed = Vec::new();
                if let Some(r) = recognition.as_deref().and_then(parse_recognition) {
                    ok &= s.recognition.value == r;
                    observed.push(format!("recognition {}", s.recognition.value.as_str()));
                }
                if let Some(e) = envoys_at_least.as_deref().and_then(parse_envoys) {
                    ok &= s.envoys.value >= e;
                    observed.push(format!("envoys {}", s.envoys.value.as_str()));
                }
                let sources = acts
                    .iter()
                    .filter(|a| s.cited().contains(a.id.as_str()))
                    .map(|a| a.source_url.clone())
                    .collect();
                evidence.push(Evidence {
                    label: format!("{actor} on {on}"),
                    observed: observed.join(", "),
                    agrees: ok,
                    sources,
                });
            }
        }
    }
    let agree = evidence.iter().filter(|e| e.agrees).count();
    ClaimResult {
        id,
        text,
        said_by,
        verdict: Verdict::from_counts(agree, evidence.len()),
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Vec<(Measure, Figure)>);
    impl FigureSource for Fixed {
        fn figures(&self, _: &str, _: &str, m: Measure) -> Vec<Figure> {
            self.0
                .iter()
                .filter(|(mm, _)| *mm == m)
                .map(|(_, f)| f.clone())
                .collect()
        }
    }

    fn fig(year: i32, value: f64, reporter: &str) -> Figure {
        Figure {
            period: Period::Year(year),
            value,
            reporter: reporter.into(),
            source_url: Some(format!("https://example.org/{year}")),
        }
    }

    const FILE: &str = r#"
[[claim]]
id = "doubled"
text = "turnover doubled"
kind = "ratio"
exporter = "KAZ"
importer = "AFG"
measure = "turnover"
numerator = "2022"
denominator = "2021"
expected = 2.0
tolerance = 0.15

[[claim]]
id = "small"
text = "imports about 4M"
kind = "level"
exporter = "AFG"
importer = "KAZ"
measure = "flow"
expected = 4e6
tolerance = 0.5
"#;

    #[test]
    fn ratio_and_level_verdicts() {
        let reg = Registry::bundled();
        let file = parse_claims("c.toml", FILE, &reg).unwrap();
        let data = Fixed(vec![
            (Measure::Turnover, fig(2021, 100.0, "A")),
            (Measure::Turnover, fig(2022, 210.0, "A")),
            (Measure::Flow, fig(2022, 3.0e6, "A")),
            (Measure::Flow, fig(2023, 20.0e6, "A")),
        ]);
        let r = check_claims(&file, &data, &[], &reg);
        assert_eq!(r[0].verdict, Verdict::Supported);
        assert_eq!(r[0].evidence[0].observed, "2.100");
        assert_eq!(r[1].verdict, Verdict::Mixed);
        let none = check_claims(&file, &Fixed(vec![]), &[], &reg);
        assert!(none.iter().all(|c| c.verdict == Verdict::NotEnoughData));
        let wrong = Fixed(vec![
            (Measure::Turnover, fig(2021, 100.0, "A")),
            (Measure::Turnover, fig(2022, 100.0, "A")),
        ]);
        assert_eq!(
            check_claims(&file, &wrong, &[], &reg)[0].verdict,
            Verdict::Contradicted
        );
    }

    #[test]
    fn bad_files_are_named() {
        let reg = Registry::bundled();
        let e = parse_claims("c.toml", "[[claim]]\nid = 1\n", &reg)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml: "), "{e}");
        let bad = FILE.replace("\"KAZ\"", "\"XXX\"");
        let e = parse_claims("c.toml", &bad, &reg).unwrap_err().to_string();
        assert_eq!(e, "c.toml: claim `doubled`: unknown country `XXX`");
        let bad = FILE.replace("\"2021\"", "\"21\"");
        assert!(parse_claims("c.toml", &bad, &reg)
            .unwrap_err()
            .to_string()
            .contains("`21` is not a period"));
    }
}
