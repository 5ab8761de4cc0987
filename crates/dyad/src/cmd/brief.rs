//! `dyad brief ACTOR AUTHORITY [--out FILE.html|.md]`: a one-page sourced brief.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use dyad_brief::brief::{build, BriefRequest};
use dyad_view::brief as render;
use time::Date;

use crate::context::{self, LedgerArgs};
use crate::output::write_atomic;

/// Arguments of `dyad brief`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Acting state, e.g. KAZ.
    pub actor: String,
    /// Authority, e.g. AFG-IEA.
    pub authority: String,
    /// Write to this file: `.html` (one self-contained page) or `.md` (charts as SVG files beside
    /// it). Without it, Markdown goes to standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The day of the stance (YYYY-MM-DD; default today).
    #[arg(long, value_parser = context::parse_day)]
    pub on: Option<Date>,
    /// Also write each chart as PNG beside the output file.
    #[arg(long)]
    pub png: bool,
    /// A claims file (TOML) to check in the brief; the bundled claims are used for KAZ and AFG.
    #[arg(long)]
    pub claims: Option<PathBuf>,
}

/// Runs `dyad brief`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let db = super::trade::open(ledger_args)?;
    let claims = match &args.claims {
        Some(p) => Some((
            p.display().to_string(),
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
        )),
        None => None,
    };
    let req = BriefRequest {
        actor: args.actor.clone(),
        authority: args.authority.clone(),
        on: args.on.unwrap_or_else(context::today),
        png: args.png,
        claims,
    };
    let brief = build(&ledger, &db, &req)?;
    let Some(path) = &args.out else {
        if args.png {
            bail!("--png needs --out FILE: the images are written beside it");
        }
        out.write_all(render::markdown(&brief, "brief").as_bytes())?;
        return Ok(());
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("brief")
        .to_string();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => write_atomic(path, render::html_page(&brief).as_bytes())?,
        Some("md") => {
            for (name, svg, _) in brief.charts() {
                write_atomic(&dir.join(format!("{stem}-{name}.svg")), svg.as_bytes())?;
            }
            write_atomic(path, render::markdown(&brief, &stem).as_bytes())?;
        }
        _ => bail!("--out {}: expected a .html or .md file", path.display()),
    }
    for (name, _, png) in brief.charts() {
        if let Some(png) = png {
            write_atomic(&dir.join(format!("{stem}-{name}.png")), png)?;
        }
    }
    writeln!(out, "wrote {}", path.display())?;
    Ok(())
}
