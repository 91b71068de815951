//! `webwx sim` as a process of its own for the soak (`tests/tests/soak.rs`): the same
//! entry point as the `webwx sim` subcommand and the `webwx-sim` binary
//! ([`webwx_sim::run_cli`]), built with this crate so that its tests can start it.
#![forbid(unsafe_code)]

use clap::Parser;

/// The simulator's flags, as `webwx sim` takes them.
#[derive(Debug, Parser)]
#[command(name = "soak-sim")]
struct Cli {
    #[command(flatten)]
    sim: webwx_sim::SimArgs,
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = webwx_sim::run_cli(cli.sim) {
        eprintln!("soak-sim: {e}");
        std::process::exit(1);
    }
}
