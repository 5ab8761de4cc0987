//! `dyad gravity`: PPML / OLS gravity estimation with high-dimensional fixed effects.
//!
//! Reads a CSV file, fits the fixest-style formula with `dyad_analysis::gravity`, and prints the
//! coefficient table (table / CSV) or the full fit (JSON). See `docs/gravity.md`.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use anyhow::{Context, Result};
use dyad_analysis::gravity::{self, Frame, GravityFit, Model, Options, VcovSpec};

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
    /// Input CSV file with a header row.
    pub file: std::path::PathBuf,
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
}

/// JSON output: the fit plus where it came from.
#[derive(serde::Serialize)]
struct JsonOut<'a> {
    file: String,
    #[serde(flatten)]
    fit: &'a GravityFit,
    read_seconds: f64,
}

/// Runs `dyad gravity`.
pub fn run(args: Args, out: &mut dyn Write) -> Result<()> {
    let format = Format::resolve(args.format);
    let formula = gravity::parse_formula(&args.formula)?;
    let vcov: VcovSpec = match &args.vcov {
        Some(v) => v.parse()?,
        None => VcovSpec::Default,
    };
    let ext = args
        .file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (num, fac) = gravity::needed_columns(&formula, &vcov);
    let num: Vec<&str> = num.iter().map(String::as_str).collect();
    let fac: Vec<&str> = fac.iter().map(String::as_str).collect();
    let tty = std::io::stderr().is_terminal();
    let t_read = Instant::now();
    if tty {
        eprint!("reading {} …", args.file.display());
    }
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let frame = if ext == "parquet" {
        read_parquet(file, &num, &fac)
    } else {
        Frame::read_csv(std::io::BufReader::with_capacity(1 << 20, file), &num, &fac)
            .map_err(anyhow::Error::from)
    }
    .with_context(|| format!("reading {}", args.file.display()))?;
    let read_seconds = t_read.elapsed().as_secs_f64();
    if tty {
        eprint!("\r\x1b[2K");
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
                file: args.file.display().to_string(),
                fit: &fit,
                read_seconds,
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

/// Reads the needed columns of a Parquet file (such as a `dyad trade` export) into a frame:
/// numbers as f64 (nulls are missing), fixed-effect columns as text labels.
fn read_parquet(file: std::fs::File, numeric: &[&str], factors: &[&str]) -> Result<Frame> {
    use dyad_trade::datafusion::arrow::array::{Array, Float64Array, StringArray};
    use dyad_trade::datafusion::arrow::compute::cast;
    use dyad_trade::datafusion::arrow::datatypes::DataType;
    use dyad_trade::datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let reader = ParquetRecordBatchReaderBuilder::try_new(file)?.build()?;
    let mut nums: Vec<Vec<f64>> = vec![Vec::new(); numeric.len()];
    let mut labels: Vec<Vec<String>> = vec![Vec::new(); factors.len()];
    let mut rows = 0;
    for batch in reader {
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
                    "unknown column `{name}`; the file has: {}",
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
            let c = cast(column(name)?, &DataType::Utf8)?;
            let a = c
                .as_any()
                .downcast_ref::<StringArray>()
                .expect("cast to Utf8");
            out.extend((0..a.len()).map(|i| {
                if a.is_null(i) {
                    String::new()
                } else {
                    a.value(i).to_string()
                }
            }));
        }
        rows += batch.num_rows();
    }
    let mut frame = Frame::new(rows);
    for (name, values) in numeric.iter().zip(nums) {
        frame.add_numeric(name, values);
    }
    for (name, values) in factors.iter().zip(&labels) {
        frame.add_labels(name, values);
    }
    Ok(frame)
}
