//! The scale run (issue 20; `examples/scale.rs` at full size) in small: 20 webwx-hyper
//! sessions against a `webwx sim` process, 60 messages at 200/s round-robin, and a
//! long-lived session fed 40. Every injected message arrives once, in its session, and
//! the figures the example prints are there.

use std::path::Path;
use std::process::Command;

use webwx_tests::scale::{self, Params};

#[test]
fn scale_smoke() {
    let p = Params::smoke();
    let sim = scale::start_sim(Command::new(Path::new(env!("CARGO_BIN_EXE_soak-sim"))), &p);
    let f = scale::run(&sim, &p);
    eprintln!("{f}\n{}", f.summary());
    assert_eq!(f.sessions, 20);
    assert_eq!(f.injected, 60);
    assert_eq!(
        (f.delivered, f.lost, f.duplicates, f.misrouted),
        (60, 0, 0, 0),
        "every injected message arrives once, in the session it was sent to"
    );
    // The address book: 4 friends and officials, 1 group, the 3 special accounts.
    assert!(f.contacts_per_session >= 8, "{}", f.contacts_per_session);
    let l = f.long_lived.as_ref().expect("a long-lived session");
    assert_eq!(l.messages, 40);
    assert!(l.seen_ids >= 40, "{l:?}");
    assert!(f.rss_idle_kib > f.rss_base_kib, "{f}");
    assert!(f.latency_ms.iter().all(|ms| ms.is_finite() && *ms >= 0.0));
    assert!(f.latency_ms[0] <= f.latency_ms[2] && f.latency_ms[2] <= f.latency_ms[3]);
    let last = f.summary();
    assert!(
        last.starts_with("sessions=20 idle_rss_kib_per_session=") && last.contains(" p99_ms="),
        "{last}"
    );
}
