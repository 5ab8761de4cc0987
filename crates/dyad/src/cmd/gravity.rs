//! `dyad gravity`: PPML / OLS gravity estimation with high-dimensional fixed effects.
//!
//! Reads a CSV or Parquet file (or the rows of a SQL query over the home's trade store), adds the
//! ledger's political variables when asked, fits the fixest-style formula with
//! `dyad_analysis::gravity`, and prints the coefficient table (table / CSV) or the full fit
//! (JSON). See `docs/gravity.md`.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use anyhow::{Context, Result};
use dyad_analysis::gravity::{self, FactorBuilder, Frame, GravityFit, Model, Options, VcovSpec};
use dyad_analysis::politics::{self, Coverage, Keys, Politics};
use dyad_trade::datafusion::arrow::record_batch::RecordBatch;

use crate::context::LedgerArgs;
use crate::output::{Format, Table};

/// Estimator choice on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelArg {
    /// Poisson pseudo-maximum likelihood (fixest `fepois`).
    Poisson,
    /// Least squares (fixest `feols`); use `log(y)` on the left for log-linear gravity.
    Ols,
}

/// Arguments of `dyad gravity`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input file: CSV with a header row, or Parquet (`.parquet`). Not needed with `--sql`.
    #[arg(required_unless_present = "sql")]
    pub file: Option<std::path::PathBuf>,
    /// Estimate on the rows of this read-only SQL query over the home's trade store (tables as
    /// in `dyad sql`) instead of a file.
    #[arg(long, conflicts_with = "file")]
    pub sql: Option<String>,
    /// Add the ledger's political variables (`exp_recognises`, `imp_hosts_envoys`, … see
    /// `docs/gravity.md`), computed for each row from its exporter, importer and time columns.
    /// Other key columns are given as `--politics=EXPORTER,IMPORTER,TIME`.
    #[arg(
        long,
        value_name = "EXPORTER,IMPORTER,TIME",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "exporter,importer,year"
    )]
    pub politics: Option<Keys>,
    /// With `--politics`, the day of the year a bare year stands for (MM-DD).
    #[arg(
        long,
        value_name = "MM-DD",
        default_value = "12-31",
        value_parser = parse_month_day,
        requires = "politics"
    )]
    pub politics_day: (time::Month, u8),
    /// fixest-style formula, e.g. `Euros ~ log(dist_km) | Origin + Destination + Product + Year`;
    /// interactions as `exporter^year`.
    #[arg(long, short = 'f')]
    pub formula: String,
    /// Estimator.
    #[arg(long, value_enum, default_value = "poisson")]
    pub model: ModelArg,
    /// Variance: `iid`, `hetero`, `cluster` (first fixed effect; the default with fixed
    /// effects), `twoway` (first two), or `cluster:VAR[+VAR]` (VAR may be `a^b`).
    #[arg(long)]
    pub vcov: Option<String>,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Also drop singletons (observations alone in a fixed-effect group), as ppmlhdfe does.
    #[arg(long)]
    pub drop_singletons: bool,
    /// IRLS tolerance on |dev − dev_old| / (0.1 + |dev|).
    #[arg(long, default_value_t = 1e-8)]
    pub tol: f64,
    /// Fixed-effect sweep tolerance.
    #[arg(long, default_value_t = 1e-6)]
    pub fe_tol: f64,
    /// Maximum IRLS iterations.
    #[arg(long, default_value_t = 25)]
    pub max_iter: usize,
    /// Threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    // With `--sql`, where the query runs.
    #[command(flatten)]
    pub cluster: super::cluster::ClusterArgs,
}

/// Parses `MM-DD` (e.g. `06-30`).
pub fn parse_month_day(s: &str) -> Result<(time::Month, u8), String> {
    let bad = || format!("`{s}`: expected a month and day as MM-DD, e.g. 12-31");
    let (m, d) = s.split_once('-').ok_or_else(bad)?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    let d: u8 = d.parse().map_err(|_| bad())?;
    let month = time::Month::try_from(m).map_err(|_| bad())?;
    // 2024 is a leap year, so 02-29 is accepted (and read as the 28th in other years).
    time::Date::from_calendar_date(2024, month, d).map_err(|_| bad())?;
    Ok((month, d))
}

/// JSON output: the fit plus where it came from.
#[derive(serde::Serialize)]
struct JsonOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sql: Option<&'a str>,
    #[serde(flatten)]
    fit: &'a GravityFit,
    #[serde(skip_serializing_if = "Option::is_none")]
    politics: Option<&'a Coverage>,
    read_seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    politics_seconds: Option<f64>,
}

/// Runs `dyad gravity`.
pub async fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let format = Format::resolve(args.format);
    let formula = gravity::parse_formula(&args.formula)?;
    let vcov: VcovSpec = match &args.vcov {
        Some(v) => v.parse()?,
        None => VcovSpec::Default,
    };
    let (num, mut fac) = gravity::needed_columns(&formula, &vcov);
    // Political variables are computed, not read: read the panel's keys in their place.
    let (political, num): (Vec<String>, Vec<String>) = match &args.politics {
        Some(_) => num.into_iter().partition(|n| politics::is_variable(n)),
        None => (Vec::new(), num),
    };
    // A file may carry its own column named like a political variable; if it does not, say how
    // to get it.
    let hint = match &args.politics {
        None => num.iter().find(|n| politics::is_variable(n)).map(|n| {
            format!("`{n}` is one of dyad's political variables: add --politics to compute it from the ledger")
        }),
        Some(_) => None,
    };
    if let Some(keys) = &args.politics {
        for k in [&keys.exporter, &keys.importer, &keys.time] {
            if !fac.contains(k) {
                fac.push(k.clone());
            }
        }
    }
    let num: Vec<&str> = num.iter().map(String::as_str).collect();
    let fac: Vec<&str> = fac.iter().map(String::as_str).collect();
    let tty = std::io::stderr().is_terminal();
    let t_read = Instant::now();
    let input = match (&args.file, &args.sql) {
        (Some(f), _) => f.display().to_string(),
        (None, Some(q)) => format!("sql: {q}"),
        (None, None) => unreachable!("clap requires a file or --sql"),
    };
    if tty {
        eprint!("reading {input} …");
    }
    let read = match (&args.file, &args.sql) {
        (Some(path), _) => read_file(path, &num, &fac, args.threads),
        (None, Some(query)) => match super::trade::open_on(ledger_args, &args.cluster) {
            Ok(db) => db
                .sql(query)
                .await
                .map_err(anyhow::Error::from)
                .and_then(|batches| frame_from_batches(batches.into_iter().map(Ok), &num, &fac))
                .context("reading the query's rows"),
            Err(e) => Err(e).context("reading the query's rows"),
        },
        (None, None) => unreachable!("clap requires a file or --sql"),
    };
    let mut frame = match (read, hint) {
        (Ok(f), _) => f,
        (Err(e), Some(hint)) => return Err(e.context(hint)),
        (Err(e), None) => return Err(e),
    };
    let read_seconds = t_read.elapsed().as_secs_f64();
    let t_politics = Instant::now();
    let coverage = match &args.politics {
        Some(keys) => {
            let ledger = ledger_args.open()?;
            let acts = ledger.acts(None, None, ledger_args.known_on)?;
            let (month, day) = args.politics_day;
            let registry = ledger.registry();
            let areas = dyad_trade::codes::AreaCodes::new(registry);
            let p = Politics::new(registry, &acts)
                .with_year_day(month, day)
                .with_resolver(Box::new(move |c| {
                    dyad_trade::codes::resolve_country(registry, &areas, c).ok()
                }));
            Some(
                p.add_to_frame(&mut frame, keys, &political)
                    .with_context(|| format!("adding political variables to {input}"))?,
            )
        }
        None => None,
    };
    let politics_seconds = coverage
        .as_ref()
        .map(|_| t_politics.elapsed().as_secs_f64());
    if tty {
        eprint!("\r\x1b[2K");
    }
    if let Some(cov) = &coverage {
        for w in cov.notes() {
            eprintln!("note: {w}");
        }
    }
    let opts = Options {
        model: match args.model {
            ModelArg::Poisson => Model::Poisson,
            ModelArg::Ols => Model::Ols,
        },
        vcov,
        glm_tol: args.tol,
        fe_tol: args.fe_tol,
        max_iter: args.max_iter,
        drop_singletons: args.drop_singletons,
        threads: args.threads,
        ..Options::default()
    };
    let t_fit = Instant::now();
    let mut progress = |i: &gravity::IterationInfo| {
        if tty {
            eprint!(
                "\r\x1b[2KIRLS iteration {}: deviance {:.6e}, change {:.2e}, {} sweeps, {:.1} s",
                i.iteration,
                i.deviance,
                i.criterion,
                i.fe_sweeps,
                t_fit.elapsed().as_secs_f64()
            );
        }
    };
    let result = gravity::estimate_with_progress(&frame, &formula, &opts, &mut progress);
    if tty {
        eprint!("\r\x1b[2K");
    }
    let fit = result?;
    for w in &fit.warnings {
        eprintln!("warning: {w}");
    }
    match format {
        Format::Json => {
            let j = JsonOut {
                file: args.file.as_ref().map(|f| f.display().to_string()),
                sql: args.sql.as_deref(),
                fit: &fit,
                politics: coverage.as_ref(),
                read_seconds,
                politics_seconds,
            };
            serde_json::to_writer_pretty(&mut *out, &j)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut t = Table::new([
                "term",
                "estimate",
                "std_error",
                "t_value",
                "p_value",
                "vcov",
                "n_obs",
                "n_dropped",
                "iterations",
                "deviance",
                "loglik",
                "pseudo_r2",
            ]);
            let dropped = fit.dropped.missing + fit.dropped.separated + fit.dropped.singletons;
            for c in &fit.coefficients {
                t.push([
                    c.term.clone(),
                    c.estimate.to_string(),
                    c.std_error.to_string(),
                    c.t_value.to_string(),
                    c.p_value.to_string(),
                    fit.vcov_type.clone(),
                    fit.n_obs.to_string(),
                    dropped.to_string(),
                    fit.iterations.to_string(),
                    fit.deviance.to_string(),
                    fit.loglik.to_string(),
                    fit.pseudo_r2.to_string(),
                ]);
            }
            t.write(Format::Csv, out)?;
        }
        Format::Table => write_summary(&fit, out)?,
    }
    Ok(())
}

/// Six significant digits, as fixest prints.
fn sig(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&mag) {
        format!("{x:.5e}")
    } else {
        let decimals = (5 - mag).max(0) as usize;
        format!("{x:.decimals$}")
    }
}

fn write_summary(fit: &GravityFit, out: &mut dyn Write) -> Result<()> {
    let what = match fit.model {
        Model::Poisson => "Poisson (PPML)",
        Model::Ols => "OLS",
    };
    writeln!(out, "{what} estimation: {}", fit.formula)?;
    let d = &fit.dropped;
    writeln!(
        out,
        "Observations: {} used of {} ({} missing, {} separated by the fixed effects, {} singletons removed)",
        fit.n_obs, fit.n_input, d.missing, d.separated, d.singletons
    )?;
    if !fit.fixed_effects.is_empty() {
        let fe: Vec<String> = fit
            .fixed_effects
            .iter()
            .map(|f| format!("{}: {}", f.name, f.groups))
            .collect();
        writeln!(out, "Fixed effects: {}", fe.join(", "))?;
    }
    writeln!(
        out,
        "Standard errors: {} (t with {} df)",
        fit.vcov_type, fit.df_t
    )?;
    let mut t = Table::new(["term", "estimate", "std. error", "t value", "Pr(>|t|)"]);
    for c in &fit.coefficients {
        t.push([
            c.term.clone(),
            sig(c.estimate),
            sig(c.std_error),
            sig(c.t_value),
            format!("{:.3e}", c.p_value),
        ]);
    }
    t.write(Format::Table, out)?;
    match fit.model {
        Model::Poisson => writeln!(
            out,
            "Iterations: {}   Deviance: {:.6e}   Log-likelihood: {:.6e}   Pseudo R2: {}   Adj. pseudo R2: {}",
            fit.iterations,
            fit.deviance,
            fit.loglik,
            sig(fit.pseudo_r2),
            sig(fit.adj_pseudo_r2)
        )?,
        Model::Ols => writeln!(
            out,
            "RMSE: {}   R2: {}   Within R2: {}   Log-likelihood: {}",
            sig((fit.deviance / fit.n_obs as f64).sqrt()),
            sig(fit.r2.unwrap_or(f64::NAN)),
            sig(fit.within_r2.unwrap_or(f64::NAN)),
            sig(fit.loglik)
        )?,
    }
    Ok(())
}

/// Reads the needed columns of a CSV or (by extension) Parquet file into a frame, on up to
/// `threads` threads (0 = all cores).
fn read_file(
    path: &std::path::Path,
    numeric: &[&str],
    factors: &[&str],
    threads: usize,
) -> Result<Frame> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let is_parquet = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    if is_parquet {
        use dyad_trade::datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        use dyad_trade::datafusion::parquet::arrow::ProjectionMask;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
        // Only the needed columns are decoded, and batches are folded in as they come.
        let fields = builder.schema().fields();
        let roots = numeric
            .iter()
            .chain(factors)
            .map(|name| {
                fields.iter().position(|f| f.name() == name).ok_or_else(|| {
                    let known: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
                    anyhow::anyhow!(
                        "unknown column `{name}`; the input has: {}",
                        known.join(", ")
                    )
                })
            })
            .collect::<Result<Vec<usize>>>()?;
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let reader = builder.with_projection(mask).build()?;
        frame_from_batches(
            reader.map(|b| b.map_err(anyhow::Error::from)),
            numeric,
            factors,
        )
    } else {
        let regular = file.metadata().is_ok_and(|m| m.is_file());
        if regular {
            // Read a few MiB at a time, each block cut at line ends into one chunk per thread.
            Frame::read_csv_seek(file, numeric, factors, threads).map_err(anyhow::Error::from)
        } else {
            // A pipe or device cannot be read again from its start: all of it in memory.
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut &file, &mut bytes)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Frame::read_csv_bytes(&bytes, numeric, factors, threads).map_err(anyhow::Error::from)
        }
    }
    .with_context(|| format!("reading {}", path.display()))
}

/// Turns Arrow record batches (a Parquet file, a `--sql` answer) into a frame: numbers as f64
/// (nulls are missing), fixed-effect and key columns as factors of their text, interned straight
/// from the arrays (integers by value, strings by their bytes): no string is made per cell.
fn frame_from_batches(
    batches: impl IntoIterator<Item = Result<RecordBatch>>,
    numeric: &[&str],
    factors: &[&str],
) -> Result<Frame> {
    use dyad_trade::datafusion::arrow::array::{Array, Float64Array, Int64Array, StringArray};
    use dyad_trade::datafusion::arrow::compute::cast;
    use dyad_trade::datafusion::arrow::datatypes::DataType;

    let mut nums: Vec<Vec<f64>> = vec![Vec::new(); numeric.len()];
    let mut labels: Vec<FactorBuilder> = factors.iter().map(|_| FactorBuilder::default()).collect();
    let mut rows = 0;
    for batch in batches {
        let batch = batch?;
        let column = |name: &str| {
            batch.column_by_name(name).ok_or_else(|| {
                let known: Vec<String> = batch
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect();
                anyhow::anyhow!(
                    "unknown column `{name}`; the input has: {}",
                    known.join(", ")
                )
            })
        };
        for (name, out) in numeric.iter().zip(&mut nums) {
            let c = cast(column(name)?, &DataType::Float64)
                .with_context(|| format!("column `{name}` is not numeric"))?;
            let a = c
                .as_any()
                .downcast_ref::<Float64Array>()
                .expect("cast to Float64");
            out.extend((0..a.len()).map(|i| if a.is_null(i) { f64::NAN } else { a.value(i) }));
        }
        for (name, out) in factors.iter().zip(&mut labels) {
            let col = column(name)?;
            // Integers are keyed by value (their text, the same as Arrow's cast to text, is made
            // once per level); anything else by the bytes of its text.
            let signed = matches!(
                col.data_type(),
                DataType::Int8
                    | DataType::Int16
                    | DataType::Int32
                    | DataType::Int64
                    | DataType::UInt8
                    | DataType::UInt16
                    | DataType::UInt32
            );
            if signed {
                let c = cast(col, &DataType::Int64)?;
                let a = c
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .expect("cast to Int64");
                for i in 0..a.len() {
                    out.push_int((!a.is_null(i)).then(|| a.value(i)));
                }
            } else {
                let c = cast(col, &DataType::Utf8)?;
                let a = c
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .expect("cast to Utf8");
                for i in 0..a.len() {
                    out.push((!a.is_null(i)).then(|| a.value(i).as_bytes()));
                }
            }
        }
        rows += batch.num_rows();
    }
    if rows == 0 {
        anyhow::bail!("the input has no rows");
    }
    let mut frame = Frame::new(rows);
    for (name, values) in numeric.iter().zip(nums) {
        frame.add_numeric(name, values);
    }
    for (name, b) in factors.iter().zip(labels) {
        frame.add_factor(name, b.finish());
    }
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use dyad_trade::datafusion::arrow::array::{
        Array, ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, StringArray,
        UInt8Array,
    };
    use dyad_trade::datafusion::arrow::compute::cast;
    use dyad_trade::datafusion::arrow::datatypes::{DataType, Int32Type};

    use super::*;

    /// The reader as it was: every label cast to text and copied into a `String`, then coded
    /// by `Frame::add_labels`.
    fn by_strings(batches: &[RecordBatch], numeric: &[&str], factors: &[&str]) -> Frame {
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let mut frame = Frame::new(rows);
        for name in numeric {
            let mut v = Vec::new();
            for b in batches {
                let c = cast(b.column_by_name(name).unwrap(), &DataType::Float64).unwrap();
                let a = c.as_any().downcast_ref::<Float64Array>().unwrap();
                v.extend((0..a.len()).map(|i| if a.is_null(i) { f64::NAN } else { a.value(i) }));
            }
            frame.add_numeric(name, v);
        }
        for name in factors {
            let mut v: Vec<String> = Vec::new();
            for b in batches {
                let c = cast(b.column_by_name(name).unwrap(), &DataType::Utf8).unwrap();
                let a = c.as_any().downcast_ref::<StringArray>().unwrap();
                v.extend((0..a.len()).map(|i| {
                    if a.is_null(i) {
                        String::new()
                    } else {
                        a.value(i).to_string()
                    }
                }));
            }
            frame.add_labels(name, &v);
        }
        frame
    }

    #[test]
    fn batches_give_the_frame_of_their_text() {
        let batch = |k: i64| {
            let year: ArrayRef = Arc::new(Int64Array::from(vec![
                Some(2021 + k),
                None,
                Some(-7),
                Some(2021),
            ]));
            let code: ArrayRef =
                Arc::new(Int32Array::from(vec![Some(4), Some(842), None, Some(4)]));
            let small: ArrayRef = Arc::new(UInt8Array::from(vec![1, 2, 1, 255]));
            let name: ArrayRef = Arc::new(StringArray::from(vec![
                Some("KAZ"),
                Some("NA"),
                None,
                Some(if k == 0 { "" } else { "Kyrgyzstan" }),
            ]));
            let dict: ArrayRef = Arc::new(
                vec![Some("AFG"), Some("KAZ"), None, Some("AFG")]
                    .into_iter()
                    .collect::<DictionaryArray<Int32Type>>(),
            );
            let real: ArrayRef = Arc::new(Float64Array::from(vec![
                Some(1.5),
                Some(2.0),
                None,
                Some(1e20),
            ]));
            RecordBatch::try_from_iter([
                ("year", year),
                ("code", code),
                ("small", small),
                ("name", name),
                ("dict", dict),
                ("real", real),
            ])
            .unwrap()
        };
        let batches = [batch(0), batch(1)];
        let numeric = ["year", "real"];
        let factors = ["year", "code", "small", "name", "dict", "real"];
        let fast = frame_from_batches(batches.iter().cloned().map(Ok), &numeric, &factors).unwrap();
        let slow = by_strings(&batches, &numeric, &factors);
        assert_eq!(fast.nrows(), 8);
        for n in numeric {
            let (a, b) = (fast.numeric(n).unwrap(), slow.numeric(n).unwrap());
            assert!(
                a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{n}"
            );
        }
        for n in factors {
            let (a, b) = (fast.factor(n).unwrap(), slow.factor(n).unwrap());
            assert_eq!(a.codes, b.codes, "{n}");
            assert_eq!(a.levels, b.levels, "{n}");
        }
    }
}
