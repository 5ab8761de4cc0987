//! BACI file names (`docs/FORMATS.md` section 1) and the files of one release.

use std::collections::BTreeMap;
use std::path::Path;

use crate::container::Container;
use crate::error::{io, Result, TradeError};

/// The parts of a BACI file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaciName {
    /// `BACI_HS17_Y2022_V202401.csv` (or `..._V202401b.csv`): flows of one year.
    Flows {
        /// `HS17`.
        classification: String,
        /// 2022.
        year: i32,
        /// `V202401`.
        release: String,
    },
    /// `country_codes_V202401.csv`.
    Countries {
        /// `V202401`.
        release: String,
    },
    /// `product_codes_HS17_V202401.csv`.
    Products {
        /// `HS17`.
        classification: String,
        /// `V202401`.
        release: String,
    },
}

/// `V{YYYYMM}` (FORMATS.md section 1), or the same with one lowercase letter after it: CEPII
/// published a corrected January 2024 release as `V202401b` (`BACI_HS96_V202401b.zip` holding
/// `BACI_HS96_Y1998_V202401b.csv`, `country_codes_V202401b.csv`,
/// `product_codes_HS96_V202401b.csv`, as saved in public analysis repositories), which is a
/// release of its own: its files must not be mixed with `V202401`'s.
fn is_release(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('V') else {
        return false;
    };
    let digits = rest
        .strip_suffix(|c: char| c.is_ascii_lowercase())
        .unwrap_or(rest);
    digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_hs(c: &str) -> bool {
    c.len() == 4 && c.starts_with("HS") && c[2..].bytes().all(|b| b.is_ascii_digit())
}

/// Recognises a BACI file name (the last path component; case of the `.csv` ignored).
pub fn parse_name(path: &str) -> Option<BaciName> {
    let base = path.rsplit(['/', '\\']).next()?;
    let stem = base
        .strip_suffix(".csv")
        .or_else(|| base.strip_suffix(".CSV"))?;
    let parts: Vec<&str> = stem.split('_').collect();
    match parts.as_slice() {
        ["BACI", c, y, v] if is_hs(c) && is_release(v) => {
            let year = y.strip_prefix('Y')?;
            if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(BaciName::Flows {
                classification: c.to_string(),
                year: year.parse().ok()?,
                release: v.to_string(),
            })
        }
        ["country", "codes", v] if is_release(v) => Some(BaciName::Countries {
            release: v.to_string(),
        }),
        ["product", "codes", c, v] if is_hs(c) && is_release(v) => Some(BaciName::Products {
            classification: c.to_string(),
            release: v.to_string(),
        }),
        _ => None,
    }
}

/// One flow file of a release.
#[derive(Debug, Clone)]
pub struct FlowFile {
    /// Member name inside the container.
    pub name: String,
    /// HS revision, e.g. `HS17`.
    pub classification: String,
    /// Year in the file name.
    pub year: i32,
}

/// A BACI release found in a folder, a zip, or beside a single flow file.
#[derive(Debug, Clone)]
pub struct Release {
    /// Where the files are.
    pub container: Container,
    /// `V202401`.
    pub release: String,
    /// The flow files to read, by classification and year.
    pub flows: Vec<FlowFile>,
    /// Member name of the country dictionary.
    pub countries: String,
    /// Member names of the product dictionaries, by classification.
    pub products: BTreeMap<String, String>,
}

impl Release {
    /// Finds the release at `path`: a folder, a `.zip`, or one `BACI_*.csv` file (whose
    /// dictionaries must sit beside it).
    pub fn find(path: &Path) -> Result<Release> {
        let (container, only) = if path.is_dir() {
            (Container::Dir(path.to_path_buf()), None)
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
        {
            (Container::Zip(path.to_path_buf()), None)
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !matches!(parse_name(&name), Some(BaciName::Flows { .. })) {
                return Err(TradeError::Other(format!(
                    "{}: not a BACI release: expected a folder, a .zip or a file named like \
                     BACI_HS17_Y2022_V202401.csv",
                    path.display()
                )));
            }
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (Container::Dir(dir.to_path_buf()), Some(name))
        };
        std::fs::metadata(path).map_err(io(path))?;
        let mut releases = BTreeMap::<String, Vec<String>>::new();
        let mut flows = Vec::new();
        let mut countries = None;
        let mut products = BTreeMap::new();
        for name in container.names()? {
            let Some(parsed) = parse_name(&name) else {
                continue;
            };
            let release = match &parsed {
                BaciName::Flows { release, .. }
                | BaciName::Countries { release }
                | BaciName::Products { release, .. } => release.clone(),
            };
            match parsed {
                BaciName::Flows {
                    classification,
                    year,
                    ..
                } => {
                    let base = name.rsplit('/').next().unwrap_or(&name);
                    if only.as_deref().is_some_and(|o| o != base) {
                        continue;
                    }
                    flows.push(FlowFile {
                        name: name.clone(),
                        classification,
                        year,
                    });
                }
                BaciName::Countries { .. } => countries = Some(name.clone()),
                BaciName::Products { classification, .. } => {
                    products.insert(classification, name.clone());
                }
            }
            releases.entry(release).or_default().push(name);
        }
        let where_ = container.label("");
        if flows.is_empty() {
            return Err(TradeError::Other(format!(
                "{where_}: no BACI flow file (BACI_HSxx_Yyyyy_Vyyyymm.csv) found"
            )));
        }
        if releases.len() > 1 {
            let list: Vec<String> = releases
                .iter()
                .map(|(v, names)| format!("{v} ({})", names.join(", ")))
                .collect();
            return Err(TradeError::Other(format!(
                "{where_}: files from {} releases: {}; never mix releases (codes and values \
                 change between them)",
                releases.len(),
                list.join("; ")
            )));
        }
        let release = releases.into_keys().next().expect("one release");
        let countries = countries.ok_or_else(|| {
            TradeError::Other(format!(
                "{where_}: the release has no country dictionary country_codes_{release}.csv"
            ))
        })?;
        for f in &flows {
            if !products.contains_key(&f.classification) {
                return Err(TradeError::Other(format!(
                    "{where_}: no product dictionary product_codes_{}_{release}.csv for {}",
                    f.classification, f.name
                )));
            }
        }
        flows.sort_by(|a, b| (&a.classification, a.year).cmp(&(&b.classification, b.year)));
        Ok(Release {
            container,
            release,
            flows,
            countries,
            products,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            parse_name("x/BACI_HS17_Y2022_V202401.csv"),
            Some(BaciName::Flows {
                classification: "HS17".into(),
                year: 2022,
                release: "V202401".into()
            })
        );
        assert_eq!(
            parse_name("country_codes_V202201.csv"),
            Some(BaciName::Countries {
                release: "V202201".into()
            })
        );
        assert!(parse_name("BACI_HS17_Y22_V202401.csv").is_none());
        assert!(parse_name("Readme.txt").is_none());
    }

    /// The names of recent releases, as saved by their users (see `is_release`).
    #[test]
    fn recent_release_names() {
        assert_eq!(
            parse_name("BACI_HS22_V202501/BACI_HS22_Y2022_V202501.csv"),
            Some(BaciName::Flows {
                classification: "HS22".into(),
                year: 2022,
                release: "V202501".into()
            })
        );
        assert_eq!(
            parse_name("BACI_HS96_V202401b\\BACI_HS96_Y1998_V202401b.csv"),
            Some(BaciName::Flows {
                classification: "HS96".into(),
                year: 1998,
                release: "V202401b".into()
            })
        );
        assert_eq!(
            parse_name("country_codes_V202401b.csv"),
            Some(BaciName::Countries {
                release: "V202401b".into()
            })
        );
        assert_eq!(
            parse_name("product_codes_HS17_V202401b.csv"),
            Some(BaciName::Products {
                classification: "HS17".into(),
                release: "V202401b".into()
            })
        );
        // Not release names: a capital or a second letter, a digit short or over, a signed year,
        // and a user's renamed copy.
        for name in [
            "country_codes_V202401B.csv",
            "country_codes_V202401bb.csv",
            "country_codes_V20240b.csv",
            "country_codes_V2024011.csv",
            "country_codes_Vb.csv",
            "BACI_HS17_Y+022_V202401.csv",
            "BACI_HS22_Y2022_V202401b_final.csv",
        ] {
            assert_eq!(parse_name(name), None, "{name}");
        }
    }
}
