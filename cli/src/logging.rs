//! Logs through `tracing` to stderr: `-v` info, `-vv` debug, `-vvv` trace for webwx's own
//! crates (client, transports, simulator, this binary); other crates stay at `warn` so
//! that no third-party debug output (headers, cookies) can leak a secret. `RUST_LOG`, when
//! set, replaces this filter entirely.

use tracing_subscriber::EnvFilter;

/// The crates whose logs `-v` turns up.
const OURS: [&str; 6] = [
    "webwx",
    "webwx_core",
    "webwx_transport",
    "webwx_ureq",
    "webwx_hyper",
    "webwx_sim",
];

/// The filter for `verbose` `-v`s.
pub fn filter(verbose: u8) -> EnvFilter {
    if let Ok(f) = EnvFilter::try_from_default_env() {
        return f;
    }
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let mut directives = String::from("warn");
    for krate in OURS {
        directives.push_str(&format!(",{krate}={level}"));
    }
    EnvFilter::new(directives)
}

/// Installs the subscriber (stderr, no ANSI colors when stderr is not a terminal).
pub fn init(verbose: u8) {
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(verbose))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(true)
        .try_init();
}
