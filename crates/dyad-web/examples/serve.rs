//! The web server alone, without the rest of the `dyad` CLI: `dyad serve` runs the same
//! [`dyad_web::serve_blocking`]; this runs it without building the CLI's own code, for running
//! or benchmarking the server while working on this crate.
//!
//! `cargo run --release -p dyad-web --example serve -- [ADDR] [HOME]`

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let addr = match addr.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("serve: `{addr}` is not an address such as 127.0.0.1:8080: {e}");
            std::process::exit(2);
        }
    };
    let home = args.next().map(std::path::PathBuf::from);
    if let Err(e) = dyad_web::serve_blocking(addr, home, dyad_web::Limits::default()) {
        eprintln!("serve: {e}");
        std::process::exit(1);
    }
}
