//! The world map's shapes: Natural Earth 1:110m countries, projected and simplified at build
//! time by `assets/make_world.mjs` into `assets/world.json`, embedded here.

use std::sync::OnceLock;

use dyad_core::Registry;
use serde::Deserialize;

/// The embedded shapes (see `assets/README.md` for their source and how to rebuild them).
const WORLD_JSON: &str = include_str!("../assets/world.json");

/// One drawable area of the map.
#[derive(Debug, Clone)]
pub struct Country {
    /// dyad's code for it (ISO alpha-3, or `XKX` for Kosovo), if it has one.
    pub code: Option<String>,
    /// Name to show: the registry's, or Natural Earth's for areas dyad does not list.
    pub name: String,
    /// SVG path data in map units.
    pub d: String,
}

/// The whole map.
#[derive(Debug, Clone)]
pub struct World {
    /// Width of the map in its units.
    pub width: u32,
    /// Height of the map in its units.
    pub height: u32,
    /// Outline of the globe, drawn behind the countries.
    pub sphere: String,
    /// Every area, sorted by Natural Earth name.
    pub countries: Vec<Country>,
}

#[derive(Deserialize)]
struct RawWorld {
    width: u32,
    height: u32,
    sphere: String,
    countries: Vec<RawCountry>,
}

#[derive(Deserialize)]
struct RawCountry {
    id: Option<String>,
    name: String,
    d: String,
}

/// Areas Natural Earth draws without an ISO numeric code, that dyad knows by another code.
/// Kosovo has no ISO 3166-1 entry; dyad uses the user-assigned `XKX`, as states.csv does.
/// Northern Cyprus and Somaliland are recognised by no state dyad lists as their own actor, so
/// they are drawn without data.
const UNNUMBERED: [(&str, &str); 1] = [("Kosovo", "XKX")];

/// The map, parsed once.
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let raw: RawWorld = serde_json::from_str(WORLD_JSON).expect("assets/world.json is valid");
        let registry = Registry::bundled();
        let countries = raw
            .countries
            .into_iter()
            .map(|c| {
                let state = match &c.id {
                    Some(id) => id.parse::<u16>().ok().and_then(|n| registry.by_numeric(n)),
                    None => UNNUMBERED
                        .iter()
                        .find(|(name, _)| *name == c.name)
                        .and_then(|(_, code)| registry.state(code)),
                };
                Country {
                    code: state.map(|s| s.code.clone()),
                    name: state.map_or(c.name, |s| s.name.clone()),
                    d: c.d,
                }
            })
            .collect();
        World {
            width: raw.width,
            height: raw.height,
            sphere: raw.sphere,
            countries,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_numbered_shape_maps_to_a_state() {
        let raw: RawWorld = serde_json::from_str(WORLD_JSON).unwrap();
        let w = world();
        assert_eq!(w.countries.len(), raw.countries.len());
        let unmapped: Vec<&str> = w
            .countries
            .iter()
            .zip(&raw.countries)
            .filter(|(c, r)| c.code.is_none() && r.id.is_some())
            .map(|(_, r)| r.name.as_str())
            .collect();
        assert!(
            unmapped.is_empty(),
            "numeric ids not in states.csv: {unmapped:?}"
        );
        let kaz = w
            .countries
            .iter()
            .find(|c| c.code.as_deref() == Some("KAZ"))
            .expect("Kazakhstan is drawn");
        assert_eq!(kaz.name, "Kazakhstan");
        assert!(kaz.d.starts_with('M'));
        assert!(w.countries.iter().any(|c| c.code.as_deref() == Some("XKX")));
        // Shapes with no code keep Natural Earth's name.
        assert!(w
            .countries
            .iter()
            .any(|c| c.code.is_none() && c.name == "Somaliland"));
    }
}
