//! Minimal driver of `dyad_analysis::gravity` (the code behind `dyad gravity`) for benchmarks,
//! built without the whole CLI. Accepts the subset of `dyad gravity`'s arguments the bench uses
//! and prints the same JSON:
//!
//! `gravity_cli gravity FILE --formula F [--vcov V] [--threads N] [--format json]`

use dyad_analysis::gravity::{
    estimate_with_progress, needed_columns, parse_formula, Frame, Options, VcovSpec,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = None;
    let mut formula = None;
    let mut vcov = VcovSpec::Default;
    let mut threads = 0;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "gravity" => {}
            "--formula" | "-f" => formula = it.next().cloned(),
            "--vcov" => vcov = it.next().expect("--vcov value").parse().expect("vcov"),
            "--threads" => {
                threads = it
                    .next()
                    .expect("--threads value")
                    .parse()
                    .expect("threads")
            }
            "--format" => {
                it.next();
            }
            other => file = Some(other.to_string()),
        }
    }
    let (Some(file), Some(formula)) = (file, formula) else {
        eprintln!("usage: gravity_cli gravity FILE --formula F [--vcov V] [--threads N]");
        std::process::exit(2);
    };
    let t0 = std::time::Instant::now();
    let f = parse_formula(&formula).expect("formula");
    let (num, fac) = needed_columns(&f, &vcov);
    let num: Vec<&str> = num.iter().map(String::as_str).collect();
    let fac: Vec<&str> = fac.iter().map(String::as_str).collect();
    // As `dyad gravity` reads a CSV file.
    let frame = Frame::read_csv_seek(
        std::fs::File::open(&file).expect("open"),
        &num,
        &fac,
        threads,
    )
    .expect("csv");
    let read_seconds = t0.elapsed().as_secs_f64();
    let opts = Options {
        vcov,
        threads,
        ..Options::default()
    };
    let fit = estimate_with_progress(&frame, &f, &opts, &mut |_| {}).expect("fit");
    let mut j = serde_json::to_value(&fit).expect("json");
    j["file"] = file.into();
    j["read_seconds"] = read_seconds.into();
    println!("{}", serde_json::to_string_pretty(&j).expect("json"));
}
