//! The soak under faults (issue 19): many sessions against a `webwx sim` process with
//! faults on every endpoint at a 20% rate. `cargo test` runs a scaled-down version (10
//! sessions and 1,000 messages each on webwx-hyper, 4 sessions on webwx-ureq); with
//! `WEBWX_SOAK=full` (`scripts/soak`) it runs the full one: 5,000 messages across 50
//! sessions on webwx-hyper, 1,000 across 10 on webwx-ureq; with `WEBWX_SOAK=memory` a
//! long one for the memory (8,000 messages for each of 10 sessions, measured after the
//! first 4,500 of each, when every bounded cache is full). Each prints its
//! figures.

use std::path::Path;

use webwx_tests::soak::{self, Params};

/// `WEBWX_SOAK=full` or `memory` (scripts/soak); the CI size otherwise.
fn params(ci: Params, full: Params) -> Params {
    let p = match std::env::var("WEBWX_SOAK").as_deref() {
        Ok("full") => full,
        Ok("memory") => Params::memory(),
        _ => ci,
    };
    sized(p)
}

/// `WEBWX_SOAK_SESSIONS` / `WEBWX_SOAK_MESSAGES` override the size of a run.
fn sized(mut p: Params) -> Params {
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    if let Some(n) = var("WEBWX_SOAK_SESSIONS") {
        p.sessions = n;
    }
    if let Some(n) = var("WEBWX_SOAK_MESSAGES") {
        p.messages = n;
    }
    p
}

fn sim_exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_soak-sim"))
}

fn check(p: &Params, report: soak::Report) {
    let f = &report.figures;
    eprintln!("{f}");
    assert!(
        report.violations.is_empty(),
        "{} broken promises:\n{}",
        report.violations.len(),
        report.violations.join("\n")
    );
    assert_eq!(f.delivered, f.injected);
    assert_eq!((f.duplicates, f.lost, f.out_of_order), (0, 0, 0));
    assert_eq!(f.sent + f.send_failed, f.sends);
    // Memory stays flat: after the warm-up, only the bounded caches that were not full
    // yet may grow, plus 16 MiB of slack (allocator, the test's own bookkeeping of every
    // message id); a leak of a few hundred bytes per message or request crosses it.
    let bound = f.rss_start_kib + p.cache_growth_kib() + 16 * 1024;
    assert!(
        f.rss_end_kib <= bound,
        "RSS grew from {} KiB to {} KiB (bound {bound} KiB)",
        f.rss_start_kib,
        f.rss_end_kib
    );
}

#[test]
fn soak_hyper() {
    let p = params(Params::ci(), Params::full());
    check(&p, soak::run(&webwx_tests::Hyper::new(), sim_exe(), &p));
}

#[test]
fn soak_ureq() {
    let p = params(
        Params {
            sessions: 4,
            messages: 400,
            warm_up: 40,
            sends_per_session: 5,
            fatal_every: 2,
            ..Params::ci()
        },
        Params {
            sessions: 10,
            messages: 1_000,
            warm_up: 100,
            ..Params::full()
        },
    );
    check(&p, soak::run(&webwx_tests::Ureq::new(), sim_exe(), &p));
}
