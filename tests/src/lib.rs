//! # webwx-tests
//!
//! One conformance suite for every transport: the same scenarios, written once against
//! the small [`Driver`]/[`Session`] pair, run against `webwx-sim` on 127.0.0.1 for
//! `webwx-ureq` and `webwx-hyper` (`tests/ureq.rs`, `tests/hyper.rs`). Every wait is
//! bounded; the simulator holds long-polls for [`harness::HOLD_MS`] and the clients time
//! out after [`harness::CLIENT_TIMEOUT`], so no test ever waits out a real long-poll.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod driver;
pub mod harness;
pub mod scale;
pub mod scenarios;
pub mod soak;

pub use driver::{Driver, Hyper, HyperSession, NoEvent, Session, Ureq, UreqSession};

/// Expands to one `#[test]` per scenario for the driver built by `$driver`.
#[macro_export]
macro_rules! conformance_suite {
    ($driver:expr) => {
        $crate::conformance_suite!(@tests $driver;
            qr_login_messages_remote_logout,
            requested_logout,
            remote_logout_codes,
            big_address_book,
            restore_without_qr,
            home_domains,
            sync_faults_lose_nothing,
            send_text_and_revoke,
            send_media_and_download,
            friend_and_group_operations,
            through_the_relay,
            many_sessions_at_once,
            hung_requests_time_out,
            commands_do_not_wait_for_the_long_poll,
            one_shot_commands_beside_a_running_session,
            dropping_everything_stops_the_session,
            login_faults_are_retried,
            push_login,
            desktop_login_where_web_is_refused,
            boundary_commands,
            slow_consumer_loses_nothing,
            downloads_stream_to_a_writer,
        );
    };
    (@tests $driver:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let started = std::time::Instant::now();
                $crate::scenarios::$name(&$driver);
                eprintln!("{} took {:?}", stringify!($name), started.elapsed());
            }
        )*
    };
}
