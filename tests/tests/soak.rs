//! The soak under faults (issue 19): many sessions against a `webwx sim` process with
//! faults on every endpoint at a 20% rate. `cargo test` runs a scaled-down version (10
//! sessions and 500 messages each on webwx-hyper, 4 sessions on webwx-ureq); with
//! `WEBWX_SOAK=full` (`scripts/soak`) it runs the full one: 5,000 messages across 50
//! sessions on webwx-hyper, 1,000 across 10 on webwx-ureq. Each prints its figures.

use std::path::Path;

use webwx_tests::soak::{self, Params};

fn full() -> bool {
    std::env::var("WEBWX_SOAK").is_ok_and(|v| v == "full")
}

fn sim_exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_soak-sim"))
}

fn check(report: soak::Report) {
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
    // Memory stays flat: what the run kept after the sessions were up is the events'
    // bookkeeping, not a growing client. A wide bound (allocator slack, the runtime's
    // worker stacks) that a leak per message or per request would still cross.
    assert!(
        f.rss_end_kib <= f.rss_start_kib + 64 * 1024,
        "RSS grew from {} KiB to {} KiB",
        f.rss_start_kib,
        f.rss_end_kib
    );
}

#[test]
fn soak_hyper() {
    let p = if full() { Params::full() } else { Params::ci() };
    check(soak::run(&webwx_tests::Hyper::new(), sim_exe(), &p));
}

#[test]
fn soak_ureq() {
    let p = if full() {
        Params {
            sessions: 10,
            messages: 1_000,
            ..Params::full()
        }
    } else {
        Params {
            sessions: 4,
            messages: 200,
            sends_per_session: 5,
            fatal_every: 2,
            ..Params::ci()
        }
    };
    check(soak::run(&webwx_tests::Ureq::new(), sim_exe(), &p));
}
