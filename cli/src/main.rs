//! `webwx`: the WeChat Web (wx.qq.com) personal-account protocol from the command line.
//!
//! ```text
//! webwx demo                         whole session against an embedded simulator, no setup
//! webwx login [--session F] [--desktop] [--echo] [--json] [--origin URL]
//! webwx send --session F --to NAME (--text T | --file P) [--origin URL]
//! webwx decode KIND FILE             parse a captured response, print typed JSON
//! webwx sim ...                      the simulator
//! webwx relay --listen ADDR [--static DIR] [--cors-origin O] [--upstream URL]   the browser relay
//! webwx serve [--listen ADDR] [--db sqlite:PATH] [--token T] [--webhook URL]...  the gateway
//! ```
//!
//! Exit codes: 0 success, 1 failure, 2 bad usage.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Every print goes through `terminal` (remote text is cleaned there).
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod commands;
mod config;
mod decode;
mod demo;
mod files;
mod input;
mod logging;
mod login;
mod oneshot;
mod print;
mod progress;
mod qr;
mod redacting;
mod relay;
mod rendered;
mod resume;
mod send;
mod serve;
mod session_file;
mod terminal;

use clap::Parser;

use args::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    logging::init(cli.verbose);
    let code = match cli.command {
        Command::Decode(a) => decode::run(&a),
        Command::Sim(a) => match webwx_sim::run_cli(a) {
            Ok(()) => 0,
            Err(e) => {
                crate::terminal::err(&format!("webwx sim: {e}"));
                1
            }
        },
        Command::Demo(a) => demo::run(&a),
        Command::Login(a) => login::run(&a),
        Command::Send(a) => send::run(&a),
        Command::Contacts(a) => oneshot::contacts(&a),
        Command::Group(a) => oneshot::group(&a),
        Command::Friend(a) => oneshot::friend(&a),
        Command::Revoke(a) => oneshot::revoke(&a),
        Command::Relay(a) => relay::run(&a),
        Command::Serve(a) => serve::run(&a),
    };
    std::process::exit(code);
}
