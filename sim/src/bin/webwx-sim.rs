//! `webwx-sim`: the simulator on its own (the `webwx sim` subcommand does the same).
#![forbid(unsafe_code)]

use clap::Parser;

/// A faithful local WeChat Web (wx.qq.com) server.
#[derive(Debug, Parser)]
#[command(name = "webwx-sim", version, about)]
struct Cli {
    #[command(flatten)]
    sim: webwx_sim::SimArgs,
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = webwx_sim::run_cli(cli.sim) {
        eprintln!("webwx-sim: {e}");
        std::process::exit(1);
    }
}
