//! A generator of BACI-format releases for benchmarks and tests: synthetic flows with the shape
//! of the real thing, never to be mistaken for data.
//!
//! The country dictionary is BACI's own V202201 dictionary (238 areas, with its BOM and CRLF);
//! the ~5,000 HS6 codes are made up from chapters 01-97 and described as "generated product";
//! exporters, importers and products are drawn with heavy-tailed (Zipf-like) weights and values
//! are log-normal, all from a fixed seed, so the same arguments give the same bytes.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{io, Result, TradeError};

/// BACI's V202201 country dictionary, copied unmodified (see `data/README.md`).
pub const BACI_COUNTRIES_V202201: &[u8] = include_bytes!("../data/baci_country_codes_V202201.csv");

/// The release name of generated files: all zeros, so it cannot pass for a CEPII release.
pub const GENERATED_RELEASE: &str = "V000000";
/// The HS revision of generated files.
pub const GENERATED_HS: &str = "HS17";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Rows per year (approximately: pairs are capped at the number of products).
    pub rows_per_year: u64,
    /// First year.
    pub first_year: i32,
    /// Last year.
    pub last_year: i32,
    /// Number of HS6 codes.
    pub products: usize,
    /// Seed of the random numbers.
    pub seed: u64,
}

/// SplitMix64: small, fast and fully determined by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-300), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The area codes of the V202201 dictionary.
fn area_codes() -> Vec<u16> {
    let text = String::from_utf8_lossy(BACI_COUNTRIES_V202201);
    text.lines()
        .skip(1)
        .filter_map(|l| l.split(',').next()?.trim().parse().ok())
        .collect()
}

/// Made-up HS6 codes: `n` codes spread over chapters 01-97 (77 is unused in the HS).
pub fn product_codes(n: usize) -> Vec<String> {
    let chapters: Vec<u32> = (1..=97).filter(|&c| c != 77).collect();
    let per = n.div_ceil(chapters.len());
    let mut out = Vec::with_capacity(n);
    'outer: for &c in &chapters {
        for k in 0..per {
            if out.len() == n {
                break 'outer;
            }
            let heading = 1 + (k / 9) as u32;
            let sub = 10 * (1 + (k % 9) as u32);
            out.push(format!("{c:02}{heading:02}{sub:02}"));
        }
    }
    out
}

/// Writes a release folder: one `BACI_HS17_Y{year}_V000000.csv` per year and its dictionaries.
/// Returns the flow files and their row counts.
pub fn generate(dir: &Path, spec: &Spec) -> Result<Vec<(PathBuf, u64)>> {
    if spec.first_year > spec.last_year || spec.products == 0 || spec.products > 9000 {
        return Err(TradeError::Other(
            "nothing to generate: check the years and the number of products (1 to 9000)".into(),
        ));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let countries = dir.join(format!("country_codes_{GENERATED_RELEASE}.csv"));
    std::fs::write(&countries, BACI_COUNTRIES_V202201).map_err(io(&countries))?;
    let codes = product_codes(spec.products);
    let pfile = dir.join(format!(
        "product_codes_{GENERATED_HS}_{GENERATED_RELEASE}.csv"
    ));
    let mut text = String::from("code,description\n");
    for c in &codes {
        text.push_str(&format!("{c},\"generated product {c}, not real\"\n"));
    }
    std::fs::write(&pfile, text).map_err(io(&pfile))?;

    let areas = area_codes();
    let mut rng = Rng(spec.seed);
    // Heavy-tailed sizes: a few large traders, a long tail of small ones.
    let mut weight: Vec<f64> = (0..areas.len())
        .map(|r| 1.0 / (r as f64 + 1.0).powf(0.9))
        .collect();
    for i in (1..weight.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        weight.swap(i, j);
    }
    let total_w: f64 = weight.iter().sum();
    let pair_norm: f64 = total_w * total_w - weight.iter().map(|w| w * w).sum::<f64>();
    // A pair cannot trade more products than exist: scale the uncapped targets until the capped
    // ones add up to the rows asked for (or every pair is full).
    let cap = codes.len() as f64;
    let target = |scale: f64, a: usize, b: usize| {
        (scale * spec.rows_per_year as f64 * weight[a] * weight[b] / pair_norm).min(cap)
    };
    let n_areas = areas.len();
    let capped_sum = |scale: f64| {
        let mut sum = 0.0;
        for a in 0..n_areas {
            for b in 0..n_areas {
                if a != b {
                    sum += target(scale, a, b);
                }
            }
        }
        sum
    };
    let mut scale = 1.0;
    for _ in 0..50 {
        let sum = capped_sum(scale);
        if sum <= 0.0 || (sum - spec.rows_per_year as f64).abs() < 0.5 {
            break;
        }
        scale *= spec.rows_per_year as f64 / sum;
    }
    let mut out = Vec::new();
    for year in spec.first_year..=spec.last_year {
        let path = dir.join(format!(
            "BACI_{GENERATED_HS}_Y{year}_{GENERATED_RELEASE}.csv"
        ));
        let file = std::fs::File::create(&path).map_err(io(&path))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        let wr = |w: &mut BufWriter<std::fs::File>, s: &[u8]| w.write_all(s).map_err(io(&path));
        wr(&mut w, b"t,i,j,k,v,q\n")?;
        let mut rows = 0u64;
        let mut cum = 0.0f64;
        let mut line = String::with_capacity(64);
        for (a, &i) in areas.iter().enumerate() {
            for (b, &j) in areas.iter().enumerate() {
                if a == b {
                    continue;
                }
                let before = cum.round() as u64;
                cum += target(scale, a, b);
                let n = (cum.round() as u64 - before).min(codes.len() as u64);
                if n == 0 {
                    continue;
                }
                // n distinct products: a random start and a stride coprime with the count.
                let len = codes.len() as u64;
                let start = rng.below(len);
                let mut stride = if len > 1 { 1 + rng.below(len - 1) } else { 1 };
                while gcd(stride, len) != 1 {
                    stride += 1;
                }
                let mut picks: Vec<u64> = (0..n).map(|s| (start + s * stride) % len).collect();
                picks.sort_unstable();
                for p in picks {
                    // BACI lists only non-zero flows: at least 0.001 thousand USD.
                    let v = (rng.normal() * 2.2 + 3.0).exp().max(0.001);
                    line.clear();
                    use std::fmt::Write as _;
                    let _ = write!(line, "{year},{i},{j},{},{v:.3},", codes[p as usize]);
                    if rng.unit() < 0.03 {
                        line.push_str("NA\n");
                    } else {
                        let price = (rng.normal() * 1.0 + 1.0).exp();
                        let _ = writeln!(line, "{:.3}", v / price);
                    }
                    wr(&mut w, line.as_bytes())?;
                    rows += 1;
                }
            }
        }
        w.flush().map_err(io(&path))?;
        out.push((path, rows));
    }
    Ok(out)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
