//! Parsing throughput: a webwxsync answer with 1,000 mixed messages (parsed, then every
//! message typed with `Message::from_raw`), a webwxgetcontact answer with 5,000 contacts
//! and a webwxbatchgetcontact answer with 50 groups of 500 members — each beside
//! `serde_json::from_slice::<Value>` on the same bytes, the yardstick the typed parse
//! must beat. Bodies: `benches/bodies/`.
//!
//! `cargo bench -p webwx-core --bench parse -- --warm-up-time 1 --measurement-time 3`
//! reports MB/s (`bytes`) and messages or contacts per second (`elements`).
//! Allocations per message: `cargo bench -p webwx-core --bench allocs`.

mod bodies;

use bodies::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use std::hint::black_box;
use webwx_core::endpoint::{batchgetcontact, getcontact, sync};

/// What a case does with the response: the number of entries it made.
type Case<'a> = &'a dyn Fn(&http::Response<Vec<u8>>) -> usize;

fn value(resp: &http::Response<Vec<u8>>) -> usize {
    serde_json::from_slice::<Value>(resp.body())
        .map(|v| v.as_object().map_or(0, |o| o.len()))
        .unwrap_or(0)
}

/// One group: the typed parse (and for sync the typing of every message), the typed
/// parse alone, and `from_slice::<Value>`, by bytes and by entries.
fn group(
    c: &mut Criterion,
    name: &str,
    resp: &http::Response<Vec<u8>>,
    entries: u64,
    typed: Case<'_>,
    parse_only: Option<Case<'_>>,
) {
    let mut g = c.benchmark_group(name);
    for (unit, throughput) in [
        ("bytes", Throughput::Bytes(resp.body().len() as u64)),
        ("elements", Throughput::Elements(entries)),
    ] {
        g.throughput(throughput);
        g.bench_function(format!("typed/{unit}"), |b| {
            b.iter(|| typed(black_box(resp)))
        });
        if let Some(parse_only) = parse_only {
            g.bench_function(format!("typed_parse_only/{unit}"), |b| {
                b.iter(|| parse_only(black_box(resp)))
            });
        }
        g.bench_function(format!("value/{unit}"), |b| {
            b.iter(|| value(black_box(resp)))
        });
    }
    g.finish();
}

fn bench(c: &mut Criterion) {
    let sync_resp = response(sync_body(MESSAGES));
    assert_eq!(parse_and_classify(&sync_resp), MESSAGES);
    group(
        c,
        "webwxsync_1000_messages",
        &sync_resp,
        MESSAGES as u64,
        &parse_and_classify,
        Some(&|r| sync::parse(r).map_or(0, |p| p.add_msg_list.len())),
    );

    let contact_resp = response(contact_body(CONTACTS));
    assert_eq!(
        getcontact::parse(&contact_resp)
            .expect("the bench body parses")
            .member_list
            .len(),
        CONTACTS
    );
    group(
        c,
        "webwxgetcontact_5000_contacts",
        &contact_resp,
        CONTACTS as u64,
        &|r| getcontact::parse(r).map_or(0, |p| p.member_list.len()),
        None,
    );

    let batch_resp = response(batch_body(GROUPS, MEMBERS));
    let members = |r: &http::Response<Vec<u8>>| {
        batchgetcontact::parse(r).map_or(0, |p| {
            p.contact_list
                .iter()
                .map(|c| c.member_list.len())
                .sum::<usize>()
        })
    };
    assert_eq!(members(&batch_resp), GROUPS * MEMBERS);
    group(
        c,
        "webwxbatchgetcontact_50x500_members",
        &batch_resp,
        (GROUPS * MEMBERS) as u64,
        &members,
        None,
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
