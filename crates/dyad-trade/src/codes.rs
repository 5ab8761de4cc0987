//! Trade area codes (BACI's and UN Comtrade's numeric "country codes") resolved to the ISO3 codes
//! of dyad's registry.
//!
//! The two sources share one family of numeric area codes. Most are ISO 3166-1 numeric codes, but
//! some are Comtrade's own (842 USA incl. Puerto Rico, 251 France incl. Monaco, 699 India, ...),
//! some are historical or "not elsewhere specified" areas, and 490 "Other Asia, nes" stands for
//! Taiwan. Those exceptions are data, in `data/area_codes.csv` (see `data/README.md`), so that a
//! reader never matches on names, which are mis-encoded in some releases.

use std::collections::BTreeMap;

use dyad_core::table::{read_rows, Columns};
use dyad_core::{InputErrors, Registry};

/// The committed table of area codes that are not plain ISO 3166-1 numeric codes.
pub const AREA_CODES: &str = include_str!("../data/area_codes.csv");

/// The highest area code accepted; Comtrade's codes are three digits.
pub const MAX_AREA_CODE: u16 = 999;

/// How an area code relates to an ISO 3166-1 country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    /// The ISO numeric code of a country in the registry.
    Iso,
    /// Comtrade's own code for a country, possibly with dependencies (842 USA).
    OwnCode,
    /// A historical area, mapped to its successor's ISO3 where one exists (58 Belgium-Luxembourg).
    Historical,
    /// "Other Asia, nes" (490): Taiwan's trade, flagged.
    OtherAsia,
    /// A "not elsewhere specified" area with no country.
    Nes,
}

/// What an area code stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    /// The numeric code as written in the source.
    pub code: u16,
    /// ISO3 code of the country in dyad's registry, when the area corresponds to one.
    pub iso3: Option<String>,
    /// How the code relates to the country.
    pub kind: AreaKind,
    /// A name for display (from the committed table or the registry).
    pub name: String,
}

/// Area code → area, for every code dyad can resolve without a release dictionary.
#[derive(Debug, Clone)]
pub struct AreaCodes {
    table: BTreeMap<u16, Area>,
}

const AREA_COLUMNS: Columns<'static> = Columns {
    required: &["code", "iso3", "kind", "name"],
    optional: &[],
    aliases: &[],
};

impl AreaCodes {
    /// The committed exceptions plus every ISO numeric code of `registry`.
    pub fn new(registry: &Registry) -> AreaCodes {
        let mut table = BTreeMap::new();
        for s in registry.states() {
            if let Some(n) = s.numeric {
                table.insert(
                    n,
                    Area {
                        code: n,
                        iso3: Some(s.code.clone()),
                        kind: AreaKind::Iso,
                        name: s.name.clone(),
                    },
                );
            }
        }
        for a in parse_area_codes("<bundled>/area_codes.csv", AREA_CODES.as_bytes(), registry)
            .expect("bundled area_codes.csv is valid")
        {
            table.insert(a.code, a);
        }
        AreaCodes { table }
    }

    /// The area a code stands for, if known.
    pub fn get(&self, code: u16) -> Option<&Area> {
        self.table.get(&code)
    }

    /// Every known area, by code.
    pub fn iter(&self) -> impl Iterator<Item = &Area> {
        self.table.values()
    }
}

/// Parses the committed area table, checking every ISO3 against the registry.
fn parse_area_codes(
    file: &str,
    bytes: &[u8],
    registry: &Registry,
) -> Result<Vec<Area>, InputErrors> {
    let mut out = Vec::new();
    read_rows(file, bytes, AREA_COLUMNS, |row| {
        let code: u16 = row
            .get("code")
            .parse()
            .ok()
            .filter(|&c| c <= MAX_AREA_CODE)
            .ok_or_else(|| row.error("code", "expected a number from 0 to 999"))?;
        let iso3 = match row.get("iso3") {
            "" => None,
            c if registry.state(c).is_some() => Some(c.to_string()),
            c => return Err(row.error("iso3", format!("`{c}` is not in the registry"))),
        };
        let kind = match row.get("kind") {
            "own_code" => AreaKind::OwnCode,
            "historical" => AreaKind::Historical,
            "other_asia" => AreaKind::OtherAsia,
            "nes" => AreaKind::Nes,
            k => return Err(row.error("kind", format!("unknown kind `{k}`"))),
        };
        out.push(Area {
            code,
            iso3,
            kind,
            name: row.get("name").to_string(),
        });
        Ok(())
    })?;
    Ok(out)
}

/// Resolves a user's country argument (`KAZ`, `kaz`, or an area code such as `842`) to the ISO3
/// code stored in the `exporter`/`importer` columns.
pub fn resolve_country(
    registry: &Registry,
    areas: &AreaCodes,
    text: &str,
) -> Result<String, String> {
    let t = text.trim();
    if let Ok(n) = t.parse::<u16>() {
        return areas
            .get(n)
            .and_then(|a| a.iso3.clone())
            .ok_or_else(|| format!("area code {n} does not correspond to a country"));
    }
    let up = t.to_ascii_uppercase();
    if registry.state(&up).is_some() {
        Ok(up)
    } else {
        Err(format!(
            "unknown country `{t}` (expected an ISO alpha-3 code such as KAZ)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comtrade_own_codes_resolve_as_formats_md_lists_them() {
        let reg = Registry::bundled();
        let areas = AreaCodes::new(&reg);
        // FORMATS.md section 1.2: codes that are not ISO numeric, and their countries.
        for (code, iso) in [
            (842, "USA"),
            (251, "FRA"),
            (699, "IND"),
            (757, "CHE"),
            (579, "NOR"),
            (381, "ITA"),
            (380, "ITA"),
            (4, "AFG"),
            (398, "KAZ"),
        ] {
            assert_eq!(
                areas.get(code).unwrap().iso3.as_deref(),
                Some(iso),
                "{code}"
            );
        }
        let other_asia = areas.get(490).unwrap();
        assert_eq!(other_asia.iso3.as_deref(), Some("TWN"));
        assert_eq!(other_asia.kind, AreaKind::OtherAsia);
        assert_eq!(areas.get(697).unwrap().iso3, None);
        assert!(areas.get(999).is_none());
    }

    #[test]
    fn country_arguments() {
        let reg = Registry::bundled();
        let areas = AreaCodes::new(&reg);
        assert_eq!(resolve_country(&reg, &areas, "kaz").unwrap(), "KAZ");
        assert_eq!(resolve_country(&reg, &areas, "842").unwrap(), "USA");
        assert!(resolve_country(&reg, &areas, "XYZ").is_err());
        assert!(resolve_country(&reg, &areas, "697").is_err());
    }
}
