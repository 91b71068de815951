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

/// The directive of `rust_log` that turns on debug or trace logs of a crate other than
/// webwx's own (a bare level applies to every crate): their wire dumps (ureq, hyper,
/// rustls, h2) carry headers with every credential.
pub fn third_party_verbose(rust_log: &str) -> Option<&str> {
    rust_log.split(',').map(str::trim).find(|&d| {
        if d.is_empty() {
            return false;
        }
        let (target, level) = match d.rsplit_once('=') {
            Some((t, l)) => (t, l.trim()),
            // A bare level, or a bare target (which means trace).
            None if is_level(d) => ("", d),
            None => (d, "trace"),
        };
        let target = target.split('[').next().unwrap_or_default().trim();
        let krate = target.split("::").next().unwrap_or_default();
        let verbose = matches!(
            level.to_ascii_lowercase().as_str(),
            "debug" | "trace" | "4" | "5"
        );
        verbose && !OURS.contains(&krate)
    })
}

fn is_level(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "off" | "error" | "warn" | "info" | "debug" | "trace" | "0" | "1" | "2" | "3" | "4" | "5"
    )
}

/// Installs the subscriber (stderr, no ANSI colors when stderr is not a terminal). When
/// `RUST_LOG` turns on another crate's debug or trace logs, says once on stderr that they
/// carry secrets.
pub fn init(verbose: u8) {
    if let Ok(rust_log) = std::env::var("RUST_LOG")
        && let Some(directive) = third_party_verbose(&rust_log)
    {
        crate::terminal::err(&format!(
            "webwx: warning: RUST_LOG directive {directive:?} turns on debug logs of other crates (ureq, hyper, rustls): their wire dumps carry skey, sid, pass_ticket and cookies; never share these logs"
        ));
    }
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(verbose))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(true)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::third_party_verbose;

    #[test]
    fn warns_only_for_other_crates_at_debug_or_trace() {
        for loud in [
            "trace",
            "DEBUG",
            "webwx=info,ureq=trace",
            "hyper",
            "warn,rustls::conn=debug",
            "h2[stream]=trace",
            "info,hyper_util=5",
        ] {
            assert!(third_party_verbose(loud).is_some(), "{loud}");
        }
        assert_eq!(
            third_party_verbose("webwx=trace, ureq=debug"),
            Some("ureq=debug")
        );
        for quiet in [
            "",
            "info",
            "warn,webwx=trace,webwx_core=debug,webwx_ureq::driver=trace",
            "ureq=info,hyper=warn",
            "webwx_sim",
            "off",
        ] {
            assert_eq!(third_party_verbose(quiet), None, "{quiet}");
        }
    }
}
