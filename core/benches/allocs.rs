//! Allocations per entry of the typed parse, counted by a counting global allocator
//! (`stats_alloc`), on the bodies of the `parse` bench: a webwxsync answer with 1,000
//! mixed messages (parse alone, then parse + `Message::from_raw`, then the lazy parse
//! that types one message at a time as `webwx decode sync` does), 5,000 contacts, and
//! 50 groups of 500 members; beside `from_slice::<Value>` on the same bytes.
//!
//! `cargo bench -p webwx-core --bench allocs` prints one line per case.
#![forbid(unsafe_code)]

mod bodies;

use bodies::*;
use serde_json::Value;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::hint::black_box;
use webwx_core::endpoint::{batchgetcontact, getcontact, sync};
use webwx_core::message::{Message, NoGroupNames, SelfInfo};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations and bytes allocated while `f` runs.
fn count(f: impl FnOnce() -> usize) -> (usize, usize) {
    let region = Region::new(GLOBAL);
    black_box(f());
    let stats = region.change();
    (
        stats.allocations + stats.reallocations,
        stats.bytes_allocated,
    )
}

fn line(case: &str, entries: usize, (allocs, bytes): (usize, usize)) {
    println!(
        "{case:<44} {:>8.1} allocations/entry {:>9.0} bytes/entry",
        allocs as f64 / entries as f64,
        bytes as f64 / entries as f64
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too (quick).
    let me = SelfInfo {
        user_name: ME,
        nick_name: "小桔同学",
    };
    let sync_resp = response(sync_body(MESSAGES));
    line(
        "webwxsync 1,000: sync::parse",
        MESSAGES,
        count(|| sync::parse(&sync_resp).map_or(0, |r| r.add_msg_list.len())),
    );
    line(
        "webwxsync 1,000: parse + Message::from_raw",
        MESSAGES,
        count(|| parse_and_classify(&sync_resp)),
    );
    line(
        "webwxsync 1,000: parse_lazy + from_raw each",
        MESSAGES,
        count(|| {
            let lazy = sync::parse_lazy(&sync_resp).expect("parses");
            (0..lazy.messages.len())
                .filter_map(|i| lazy.message(i)?.ok())
                .map(|raw| Message::from_raw(raw, &me, &NoGroupNames))
                .filter(|m| !m.id.is_empty())
                .count()
        }),
    );
    line(
        "webwxsync 1,000: from_slice::<Value>",
        MESSAGES,
        count(|| serde_json::from_slice::<Value>(sync_resp.body()).map_or(0, |_| 1)),
    );

    let contact_resp = response(contact_body(CONTACTS));
    line(
        "webwxgetcontact 5,000: getcontact::parse",
        CONTACTS,
        count(|| getcontact::parse(&contact_resp).map_or(0, |r| r.member_list.len())),
    );
    line(
        "webwxgetcontact 5,000: from_slice::<Value>",
        CONTACTS,
        count(|| serde_json::from_slice::<Value>(contact_resp.body()).map_or(0, |_| 1)),
    );

    let batch_resp = response(batch_body(GROUPS, MEMBERS));
    line(
        "batchgetcontact 50x500: batchgetcontact::parse",
        GROUPS * MEMBERS,
        count(|| batchgetcontact::parse(&batch_resp).map_or(0, |r| r.contact_list.len())),
    );
    line(
        "batchgetcontact 50x500: from_slice::<Value>",
        GROUPS * MEMBERS,
        count(|| serde_json::from_slice::<Value>(batch_resp.body()).map_or(0, |_| 1)),
    );
}
