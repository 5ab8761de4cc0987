//! fixest-like formula syntax: `y ~ x1 + log(x2) | fe1 + fe2^fe3`.

use super::GravityError;

/// A transformation applied to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// The column as is.
    Identity,
    /// Natural logarithm; non-positive values become missing (dropped).
    Log,
    /// `log(1 + x)`.
    Log1p,
}

/// One variable of the formula: a column and a transformation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Column name in the data.
    pub column: String,
    /// Transformation applied to it.
    pub transform: Transform,
}

impl Term {
    /// The display name, as written in fixest (`log(dist_km)`).
    pub fn label(&self) -> String {
        match self.transform {
            Transform::Identity => self.column.clone(),
            Transform::Log => format!("log({})", self.column),
            Transform::Log1p => format!("log1p({})", self.column),
        }
    }
}

/// A fixed-effect term: one column, or the interaction `a^b^...` of several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeTerm {
    /// Columns combined (one for a plain fixed effect).
    pub columns: Vec<String>,
}

impl FeTerm {
    /// The display name (`exporter^year`).
    pub fn label(&self) -> String {
        self.columns.join("^")
    }
}

/// A parsed formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    /// Left-hand side.
    pub lhs: Term,
    /// Regressors.
    pub rhs: Vec<Term>,
    /// Fixed effects.
    pub fe: Vec<FeTerm>,
}

fn bad(formula: &str, why: impl Into<String>) -> GravityError {
    GravityError::Formula {
        formula: formula.to_string(),
        reason: why.into(),
    }
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

fn strip_backticks(s: &str) -> &str {
    s.strip_prefix('`')
        .and_then(|t| t.strip_suffix('`'))
        .unwrap_or(s)
}

fn parse_term(formula: &str, s: &str) -> Result<Term, GravityError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(bad(formula, "empty term"));
    }
    if let Some(open) = s.find('(') {
        let func = s[..open].trim();
        let rest = &s[open + 1..];
        let inner = rest
            .strip_suffix(')')
            .ok_or_else(|| bad(formula, format!("unbalanced parentheses in `{s}`")))?
            .trim();
        let transform = match func {
            "log" => Transform::Log,
            "log1p" => Transform::Log1p,
            _ => {
                return Err(bad(
                    formula,
                    format!("unknown function `{func}` (supported: log, log1p)"),
                ))
            }
        };
        let col = strip_backticks(inner);
        if col.contains(['(', ')']) || col.is_empty() {
            return Err(bad(
                formula,
                format!("`{s}`: expected a column name inside {func}()"),
            ));
        }
        return Ok(Term {
            column: col.to_string(),
            transform,
        });
    }
    if s.contains(')') {
        return Err(bad(formula, format!("unbalanced parentheses in `{s}`")));
    }
    let col = strip_backticks(s);
    if col != s || is_ident(col) {
        Ok(Term {
            column: col.to_string(),
            transform: Transform::Identity,
        })
    } else {
        Err(bad(
            formula,
            format!("`{s}` is not a column name (quote odd names with backticks)"),
        ))
    }
}

/// Splits on `sep` outside parentheses and backticks.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut tick = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '`' => tick = !tick,
            '(' if !tick => depth += 1,
            ')' if !tick => depth -= 1,
            c if c == sep && depth == 0 && !tick => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Parses `y ~ x1 + log(x2) | fe1 + a^b`.
pub fn parse(formula: &str) -> Result<Formula, GravityError> {
    let parts = split_top(formula, '~');
    if parts.len() != 2 {
        return Err(bad(
            formula,
            "expected exactly one `~` (as in `y ~ x | fe`)",
        ));
    }
    let lhs = parse_term(formula, parts[0])?;
    let bars = split_top(parts[1], '|');
    if bars.len() > 2 {
        return Err(bad(
            formula,
            "expected at most one `|` before the fixed effects",
        ));
    }
    let mut rhs = Vec::new();
    for t in split_top(bars[0], '+') {
        let t = t.trim();
        if t == "1" || t == "0" {
            continue;
        }
        let term = parse_term(formula, t)?;
        if rhs.contains(&term) {
            return Err(bad(
                formula,
                format!("regressor `{}` appears twice", term.label()),
            ));
        }
        rhs.push(term);
    }
    if rhs.is_empty() {
        return Err(bad(formula, "no regressor on the right-hand side"));
    }
    let mut fe = Vec::new();
    if bars.len() == 2 {
        for t in split_top(bars[1], '+') {
            let t = t.trim();
            if t.is_empty() {
                return Err(bad(formula, "empty fixed-effect term"));
            }
            let mut columns = Vec::new();
            for c in split_top(t, '^') {
                let c = c.trim();
                let col = strip_backticks(c);
                if col == c && !is_ident(col) {
                    return Err(bad(
                        formula,
                        format!("fixed effect `{t}`: `{c}` is not a column name"),
                    ));
                }
                columns.push(col.to_string());
            }
            let term = FeTerm { columns };
            if fe.contains(&term) {
                return Err(bad(formula, format!("fixed effect `{t}` appears twice")));
            }
            fe.push(term);
        }
    }
    Ok(Formula { lhs, rhs, fe })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gravity_formula() {
        let f = parse("Euros ~ log(dist_km) | Origin + Destination + Product + Year").unwrap();
        assert_eq!(f.lhs.column, "Euros");
        assert_eq!(f.rhs.len(), 1);
        assert_eq!(f.rhs[0].label(), "log(dist_km)");
        assert_eq!(f.fe.len(), 4);
        assert_eq!(f.fe[3].label(), "Year");
    }

    #[test]
    fn parses_interactions_and_log_lhs() {
        let f = parse("log(value) ~ rta + contig | exporter^year + importer^year").unwrap();
        assert_eq!(f.lhs.transform, Transform::Log);
        assert_eq!(f.rhs.len(), 2);
        assert_eq!(f.fe[0].columns, vec!["exporter", "year"]);
    }

    #[test]
    fn rejects_bad_formulas() {
        for bad in [
            "y x",
            "y ~",
            "y ~ x | a | b",
            "y ~ exp(x)",
            "y ~ log(x",
            "y ~ x + x",
            "y ~ x | a + ",
            "y ~ 2x",
        ] {
            assert!(parse(bad).is_err(), "{bad} should fail");
        }
    }
}
