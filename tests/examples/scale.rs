//! The scale run of issue 20 (target 3): N logged-in `webwx-hyper` sessions in this
//! process, long-polling a `webwx sim` process on 127.0.0.1.
//!
//! ```text
//! cargo run --release -p webwx-tests --example scale -- --sessions 10000 --rate 1000
//! ```
//!
//! Measures the resident memory per idle session, the idle CPU of both processes, one
//! long-lived session fed past its seen-id set's capacity, and the latency from a
//! message's injection (`POST /_sim/messages`) to its `Message` event in the client at
//! `--rate` messages a second across all sessions (see `webwx_tests::scale`). The last
//! line is `sessions=N idle_rss_kib_per_session=X p50_ms=Y p99_ms=Z`.
//!
//! The simulator is this same executable started again with `WEBWX_SCALE_SIM=1` (then it
//! is `webwx sim`, taking its flags), so nothing else needs building.
#![forbid(unsafe_code)]

use std::time::Duration;

use clap::Parser;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use std::alloc::System;
use webwx_tests::scale::{self, Params};

/// Counts what this process allocates, for the heap figures beside the RSS ones (the
/// resident memory of one session is lost in the noise of thousands).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes allocated and not freed so far (as asked for: without the allocator's own
/// rounding and headers).
fn heap_bytes() -> u64 {
    let s = GLOBAL.stats();
    s.bytes_allocated.saturating_sub(s.bytes_deallocated) as u64
}

/// Set in the environment of the simulator process this example starts.
const SIM_ENV: &str = "WEBWX_SCALE_SIM";

/// The scale run's flags.
#[derive(Debug, Parser)]
#[command(name = "scale")]
struct Cli {
    /// Sessions logged in at once.
    #[arg(long, default_value_t = 1_000)]
    sessions: usize,
    /// Messages injected per second across all sessions.
    #[arg(long, default_value_t = 1_000.0)]
    rate: f64,
    /// Messages injected in all (default: 10 seconds' worth at --rate).
    #[arg(long)]
    messages: Option<usize>,
    /// Friends and official accounts per simulated account.
    #[arg(long, default_value_t = 12)]
    contacts: usize,
    /// Groups per simulated account.
    #[arg(long, default_value_t = 1)]
    groups: usize,
    /// The simulator's long-poll hold, milliseconds (the real server's is 25 s).
    #[arg(long, default_value_t = 25_000)]
    hold_ms: u64,
    /// Seconds the sessions sit idle while the CPU is measured.
    #[arg(long, default_value_t = 10)]
    idle_secs: u64,
    /// Messages fed to the long-lived session (0: none).
    #[arg(long, default_value_t = webwx_core::session::SeenIds::CAPACITY + 100)]
    long_lived: usize,
    /// Worker threads of the clients' runtime.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Idle keep-alive connections kept per host (default: the transport's default).
    #[arg(long)]
    max_idle_per_host: Option<usize>,
}

/// The simulator's own flags when this executable runs as `webwx sim`.
#[derive(Debug, Parser)]
#[command(name = "scale-sim")]
struct SimCli {
    #[command(flatten)]
    sim: webwx_sim::SimArgs,
}

fn main() {
    let open_files = scale::raise_open_files();
    if std::env::var_os(SIM_ENV).is_some() {
        if let Err(e) = webwx_sim::run_cli(SimCli::parse().sim) {
            eprintln!("scale (simulator): {e}");
            std::process::exit(1);
        }
        return;
    }
    let cli = Cli::parse();
    let p = Params {
        messages: cli.messages.unwrap_or((cli.rate * 10.0).round() as usize),
        contacts: cli.contacts,
        groups: cli.groups,
        hold_ms: cli.hold_ms,
        idle: Duration::from_secs(cli.idle_secs),
        long_lived_messages: cli.long_lived,
        workers: cli.workers,
        max_idle_per_host: cli.max_idle_per_host,
        heap_bytes: Some(heap_bytes),
        ..Params::full(cli.sessions, cli.rate)
    };
    eprintln!(
        "scale: {} sessions, {} messages at {}/s, hold {} ms, idle connections per host {:?}, \
         open files limit {open_files}, load {}",
        p.sessions,
        p.messages,
        p.rate,
        p.hold_ms,
        p.max_idle_per_host,
        scale::load_average()
    );
    let exe = std::env::current_exe().expect("this executable's path");
    let mut cmd = std::process::Command::new(exe);
    cmd.env(SIM_ENV, "1");
    let sim = scale::start_sim(cmd, &p);
    let figures = scale::run(&sim, &p);
    drop(sim);
    println!("{figures}");
    println!("{}", figures.summary());
}
