//! The scenarios, written once against [`Driver`] and run for every transport.

use std::collections::HashSet;
use std::time::Duration;

use webwx_core::client::CommandEvent;
use webwx_core::{Client, Event, LogoutReason, Ret, SessionState};
use webwx_sim::{AccountSpec, FaultKind, FaultSpec};

use crate::driver::{Driver, Session};
use crate::harness::{
    HOLD_MS, Run, Sim, WAIT, a_friend, config, inject_text, qr_login, sim, start, text_of,
};

/// Three long-poll holds: long enough for a stray duplicate to show up.
fn settle() -> Duration {
    Duration::from_millis(3 * HOLD_MS + 200)
}

/// Injects `n` texts `"{tag} {i}"` from `from` (one at a time, while the client syncs)
/// and checks they arrive exactly once and in order, with nothing extra after.
fn messages_exactly_once<S: Session>(run: &mut Run<S>, sim: &Sim, from: &str, tag: &str, n: usize) {
    let injector = {
        let control = sim.control.clone();
        let from = from.to_owned();
        let tag = tag.to_owned();
        std::thread::spawn(move || {
            let mut ids = Vec::with_capacity(n);
            for i in 0..n {
                let id = control
                    .inject_message(webwx_sim::InjectMessage {
                        from: from.clone(),
                        content: format!("{tag} {i}"),
                        ..Default::default()
                    })
                    .expect("inject");
                ids.push(id);
                if i % 97 == 0 {
                    std::thread::sleep(Duration::from_millis(3));
                }
            }
            ids
        })
    };
    let got = run.messages_from(from, n, Duration::from_secs(30) + WAIT);
    let ids = injector.join().expect("injector");
    let texts: Vec<&str> = got
        .iter()
        .map(|m| text_of(m).unwrap_or("<not text>"))
        .collect();
    for (i, t) in texts.iter().enumerate() {
        assert_eq!(
            *t,
            format!("{tag} {i}"),
            "message {i} out of order or wrong"
        );
    }
    let got_ids: Vec<&str> = got.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(got_ids, ids.iter().map(String::as_str).collect::<Vec<_>>());
    let unique: HashSet<&str> = got_ids.iter().copied().collect();
    assert_eq!(unique.len(), n, "duplicate MsgIds");
    let extra: Vec<_> = run
        .during(settle())
        .into_iter()
        .filter(|e| matches!(e, Event::Message(m) if m.from == from))
        .collect();
    assert!(extra.is_empty(), "{} messages arrived twice", extra.len());
}

/// QR login with its events (QR, scanned, logged in), init, contacts, 1,000 messages
/// exactly once and in order, then a logout from the phone: exactly one `LoggedOut`
/// and the events end.
pub fn qr_login_messages_remote_logout<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    let mut run = start(d, &sim, 1);
    let me = qr_login(&mut run, &sim);
    assert!(me.starts_with('@'));
    let summary = run
        .seen
        .iter()
        .find_map(|e| match e {
            Event::ContactsLoaded(s) => Some(*s),
            _ => None,
        })
        .expect("ContactsLoaded before Ready");
    let on_sim = sim.control.contacts(None).expect("contacts");
    let friends = on_sim.iter().filter(|c| c.kind == "friend").count();
    let groups = on_sim.iter().filter(|c| c.kind == "group").count();
    assert_eq!(summary.friends, friends, "friends: {summary:?}");
    assert_eq!(summary.groups, groups, "groups: {summary:?}");
    let known = run.session.with(|c, _| c.contacts().len());
    assert!(known >= on_sim.len(), "{known} < {}", on_sim.len());

    let friend = a_friend(&sim, None);
    messages_exactly_once(&mut run, &sim, &friend, "hello", 1_000);

    sim.control
        .remote_logout(None, 1101)
        .expect("remote logout");
    let rest = run.until_end(WAIT);
    let logouts = run.logouts();
    assert_eq!(logouts.len(), 1, "exactly one LoggedOut: {logouts:?}");
    assert!(
        matches!(logouts[0], LogoutReason::Remote { .. }),
        "{:?}",
        logouts[0]
    );
    assert!(
        matches!(rest.last(), Some(Event::LoggedOut { .. })),
        "LoggedOut is last"
    );
    assert!(run.session.is_finished() || run.ended);
}

/// A logout we ask for: one `LoggedOut(Requested)`, the server sees the session end,
/// and the events end.
pub fn requested_logout<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    let mut run = start(d, &sim, 2);
    qr_login(&mut run, &sim);
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
    assert_eq!(run.logouts(), vec![LogoutReason::Requested]);
    let state = sim.control.state();
    assert!(state.accounts.iter().all(|a| !a.logged_in), "{state:?}");
    // The saved state no longer holds credentials.
    assert!(run.session.snapshot().credentials.is_none());
}

/// A 10,000-contact account: the address book arrives through Seq paging, whole.
pub fn big_address_book<D: Driver>(d: &D) {
    let sim = sim(|c| c.contact_page = 1_000);
    sim.control
        .prepare_account(AccountSpec {
            contacts: Some(10_000),
            groups: Some(20),
            ..Default::default()
        })
        .expect("prepare");
    let mut run = start(d, &sim, 3);
    qr_login(&mut run, &sim);
    let on_sim = sim.control.contacts(None).expect("contacts");
    assert!(on_sim.len() >= 10_000, "{}", on_sim.len());
    let known: HashSet<String> = run.session.with(|c, _| {
        c.contacts()
            .all()
            .into_iter()
            .map(|c| c.user_name.clone())
            .collect()
    });
    let missing: Vec<_> = on_sim
        .iter()
        .filter(|c| !known.contains(&c.user_name))
        .take(5)
        .map(|c| c.user_name.clone())
        .collect();
    assert!(missing.is_empty(), "contacts missing, e.g. {missing:?}");
    run.session.with(|c, _| c.shutdown());
    run.until_end(WAIT);
}

/// Save the session, drop everything, restore it: no QR code, the same account, and
/// messages keep flowing exactly once (none of the old ones again).
pub fn restore_without_qr<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    let mut run = start(d, &sim, 4);
    let me = qr_login(&mut run, &sim);
    let friend = a_friend(&sim, None);
    messages_exactly_once(&mut run, &sim, &friend, "before", 20);
    let saved = run.session.snapshot().to_json();
    run.session.with(|c, _| c.shutdown());
    run.until_end(WAIT);
    assert!(run.logouts().is_empty(), "a shutdown is not a logout");
    drop(run);

    let state = SessionState::from_json(&saved).expect("the saved session loads");
    let client = Client::restore(config(&sim.base, 99), state);
    let mut run = Run::new(d.start(client));
    run.session
        .with(|c, now| c.resume(now))
        .expect("the login starts");
    run.expect("Ready", WAIT, |e| matches!(e, Event::Ready).then_some(()));
    assert_eq!(
        run.session
            .with(|c, _| c.state().self_user_name().map(str::to_owned)),
        Some(me)
    );
    messages_exactly_once(&mut run, &sim, &friend, "after", 50);
    assert!(
        !run.seen
            .iter()
            .any(|e| matches!(e, Event::QrCode { .. } | Event::ResumeFailed { .. })),
        "a restored session needs no QR"
    );
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
    assert_eq!(run.logouts(), vec![LogoutReason::Requested]);
}

/// After a logout, the saved session's account logs in again by push login (the phone
/// confirms; no QR shown).
pub fn push_login<D: Driver>(d: &D) {
    let sim = sim(|c| c.auto_scan = true);
    let mut run = start(d, &sim, 5);
    run.session
        .with(|c, now| c.login(now))
        .expect("the login starts");
    let me = run.logged_in();
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
    let saved = run.session.snapshot();
    assert!(saved.last_uin.is_some(), "the account is remembered");
    drop(run);

    let client = Client::restore(config(&sim.base, 55), saved);
    let mut run = Run::new(d.start(client));
    run.session
        .with(|c, now| c.push_login(now))
        .expect("the login starts");
    run.expect("PushLoginSent", WAIT, |e| {
        matches!(e, Event::PushLoginSent).then_some(())
    });
    let again = run.logged_in();
    assert!(
        !run.seen
            .iter()
            .any(|e| matches!(e, Event::QrCode { .. } | Event::PushLoginFailed { .. })),
        "push login showed no QR: {:?}",
        run.seen
            .iter()
            .map(crate::harness::describe)
            .collect::<Vec<_>>()
    );
    let uin_before = sim.control.state().accounts.len();
    assert_eq!(uin_before, 1, "the same account logged in again");
    let _ = (me, again);
    let friend = a_friend(&sim, None);
    inject_text(&sim, &friend, "welcome back");
    let m = run.messages_from(&friend, 1, WAIT);
    assert_eq!(text_of(&m[0]), Some("welcome back"));
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
}

/// Each home domain routes login, content, file and push requests to the right hosts
/// (the simulator answers 404 on a wrong host): login, messages (push host), a file
/// upload and a file download (file host), logout.
pub fn home_domains<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    for (i, home) in [
        "wx.qq.com",
        "wx2.qq.com",
        "wx8.qq.com",
        "web.wechat.com",
        "web2.wechat.com",
    ]
    .into_iter()
    .enumerate()
    {
        let uin = sim
            .control
            .prepare_account(AccountSpec {
                home: Some(home.to_owned()),
                ..Default::default()
            })
            .expect("prepare");
        let mut run = start(d, &sim, 10 + i as u64);
        qr_login(&mut run, &sim);
        let hosts = run.session.snapshot().hosts;
        assert_eq!(hosts.content, home, "{home}");
        assert_eq!(hosts, webwx_core::Hosts::for_content_host(home), "{home}");
        let friend = a_friend(&sim, Some(uin));
        sim.control
            .inject_message(webwx_sim::InjectMessage {
                uin: Some(uin),
                from: friend.clone(),
                content: format!("hi on {home}"),
                ..Default::default()
            })
            .expect("inject");
        let m = run.messages_from(&friend, 1, WAIT);
        assert_eq!(text_of(&m[0]), Some(format!("hi on {home}").as_str()));
        // The file host: an upload, then a download of an incoming file.
        let data = bytes(i as u64 + 100, 40_000, b"PK\x03\x04");
        let h = run
            .session
            .send_bytes(&friend, "home.zip", data.clone())
            .expect("file accepted");
        let ids = wait_all_sent(&mut run, &[&h]);
        let rec = sim.control.sent();
        let rec = rec.iter().find(|r| r.msg_id == ids[0]).expect("recorded");
        assert_eq!(
            rec.media_md5.as_deref(),
            Some(webwx_core::upload::md5_hex(&data).as_str()),
            "{home}"
        );
        use base64::Engine as _;
        sim.control
            .inject_message(webwx_sim::InjectMessage {
                uin: Some(uin),
                from: friend.clone(),
                msg_type: Some(49),
                media_b64: Some(base64::engine::general_purpose::STANDARD.encode(&data)),
                file_name: Some("back.zip".into()),
                ..Default::default()
            })
            .expect("inject a file");
        let m = run.messages_from(&friend, 1, WAIT).remove(0);
        let what = webwx_core::Download::for_message(&m).expect("a file download");
        let id = run
            .session
            .with(move |c, now| c.download(now, what))
            .expect("download accepted");
        let got = run.expect("the file download", WAIT, |e| match e {
            Event::Command(CommandEvent::Downloaded { download, media }) if *download == id => {
                Some(media.bytes.clone())
            }
            Event::Command(CommandEvent::DownloadFailed { download, error }) if *download == id => {
                panic!("{home}: download failed: {error}")
            }
            _ => None,
        });
        assert_eq!(
            webwx_core::upload::md5_hex(&got),
            webwx_core::upload::md5_hex(&data),
            "{home}"
        );
        run.session.with(|c, now| c.logout(now));
        run.until_end(WAIT);
        assert_eq!(run.logouts(), vec![LogoutReason::Requested], "{home}");
    }
    let wrong = sim.control.state().counters.get("wrong_host").copied();
    assert!(
        wrong.unwrap_or(0) == 0,
        "requests on a wrong host: {wrong:?}"
    );
}

/// Resets, 5xx answers and garbage on synccheck and webwxsync in the middle of a stream
/// of messages: every message arrives exactly once, in order, and the session lives.
pub fn sync_faults_lose_nothing<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    let mut run = start(d, &sim, 6);
    qr_login(&mut run, &sim);
    let friend = a_friend(&sim, None);
    for (endpoint, kind, round) in [
        ("synccheck", FaultKind::Reset, "a"),
        ("synccheck", FaultKind::ServerError, "b"),
        ("synccheck", FaultKind::Garbage, "c"),
        ("webwxsync", FaultKind::Reset, "d"),
        ("webwxsync", FaultKind::ServerError, "e"),
        ("webwxsync", FaultKind::Garbage, "f"),
        ("synccheck", FaultKind::Truncate, "g"),
        ("webwxsync", FaultKind::Truncate, "h"),
    ] {
        sim.control
            .add_fault(FaultSpec::new(endpoint, kind, 2))
            .expect("fault");
        messages_exactly_once(&mut run, &sim, &friend, &format!("{round}:{endpoint}"), 30);
    }
    assert!(run.logouts().is_empty(), "{:?}", run.logouts());
    let fired = sim.control.state().counters.get("faults_fired").copied();
    assert!(fired.unwrap_or(0) >= 16, "faults fired: {fired:?}");
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
}

/// Send a text: `Sent` with the server's MsgID; the simulator recorded it; revoke it.
pub fn send_text_and_revoke<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    let mut run = start(d, &sim, 7);
    qr_login(&mut run, &sim);
    let friend = a_friend(&sim, None);
    let to = friend.clone();
    let local = run
        .session
        .with(move |c, now| c.send_text(now, &to, "hello from the suite"))
        .expect("send accepted");
    let msg_id = run.expect("Sent", WAIT, |e| match e {
        Event::Command(CommandEvent::Sent { local_id, msg_id }) if *local_id == local => {
            Some(msg_id.clone())
        }
        Event::Command(CommandEvent::SendFailed { error, .. }) => panic!("send failed: {error}"),
        _ => None,
    });
    let sent = sim.control.sent();
    let rec = sent
        .iter()
        .find(|r| r.msg_id == msg_id)
        .expect("the simulator recorded the send");
    assert_eq!(rec.to, friend);
    assert_eq!(rec.content, "hello from the suite");
    assert_eq!(rec.client_msg_id, local.0);

    let to = friend.clone();
    let id = msg_id.clone();
    let op = run
        .session
        .with(move |c, now| c.revoke(now, &id, &to))
        .expect("revoke accepted");
    run.expect("revoke done", WAIT, |e| match e {
        Event::Command(CommandEvent::OpDone { op: o, .. }) if *o == op => Some(()),
        Event::Command(CommandEvent::OpFailed { op: o, error, .. }) if *o == op => {
            panic!("revoke failed: {error}")
        }
        _ => None,
    });
    assert!(
        sim.control
            .sent()
            .iter()
            .any(|r| r.msg_id == msg_id && r.revoked),
        "the simulator saw the revoke"
    );
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
}

/// A session that ends by remote logout with code `ret` on its next poll reports that
/// code once.
pub fn remote_logout_codes<D: Driver>(d: &D) {
    let sim = sim(|c| c.auto_scan = true);
    for (i, code) in [1100i64, 1101, 1102].into_iter().enumerate() {
        let mut run = start(d, &sim, 20 + i as u64);
        run.session
            .with(|c, now| c.login(now))
            .expect("the login starts");
        run.logged_in();
        sim.control
            .remote_logout(None, code)
            .expect("remote logout");
        run.until_end(WAIT);
        assert_eq!(
            run.logouts(),
            vec![LogoutReason::Remote {
                ret: Ret::from_code(code)
            }],
            "{code}"
        );
    }
}

/// Deterministic test bytes.
fn bytes(seed: u64, n: usize, head: &[u8]) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = head.to_vec();
    while out.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(n);
    out
}

/// Waits until every upload in `handles` ended in `Sent` (in any order); their MsgIDs.
fn wait_all_sent<S: Session>(
    run: &mut Run<S>,
    handles: &[&webwx_core::UploadHandle],
) -> Vec<String> {
    let mut ids: Vec<Option<String>> = vec![None; handles.len()];
    // A `Sent` that an earlier wait already took from the events counts too.
    for e in &run.seen {
        if let Some((i, msg_id)) = send_ended(handles, e) {
            ids[i] = Some(msg_id);
        }
    }
    while ids.iter().any(Option::is_none) {
        let (i, msg_id) = run.expect("the sends to end", Duration::from_secs(20), |e| {
            send_ended(handles, e)
        });
        ids[i] = Some(msg_id);
    }
    ids.into_iter().flatten().collect()
}

/// The index and MsgID when `e` is the `Sent` of one of `handles`; panics on its
/// `SendFailed`.
fn send_ended(handles: &[&webwx_core::UploadHandle], e: &Event) -> Option<(usize, String)> {
    match e {
        Event::Command(CommandEvent::Sent { local_id, msg_id }) => {
            let i = handles.iter().position(|h| h.local_id == *local_id)?;
            Some((i, msg_id.clone()))
        }
        Event::Command(CommandEvent::SendFailed { local_id, error })
            if handles.iter().any(|h| h.local_id == *local_id) =>
        {
            panic!("a send failed: {error}")
        }
        _ => None,
    }
}

/// An image, a video and a file (from memory and from disk) sent in chunks: each
/// reaches the simulator with the right md5, kind and name, with progress along the way.
/// Then an image, a video, a voice clip and a file arrive and each downloads intact.
pub fn send_media_and_download<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    let mut run = start(d, &sim, 8);
    qr_login(&mut run, &sim);
    let friend = a_friend(&sim, None);

    let image = bytes(1, 600_000, b"\x89PNG\r\n\x1a\n");
    let video = bytes(2, 1_200_000, b"\0\0\0\x18ftypmp42");
    let file = bytes(3, 300_000, b"%PDF-1.4\n");
    let dir = std::env::temp_dir().join(format!("webwx-tests-{}-{}", D::NAME, std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("report.pdf");
    std::fs::write(&path, &file).expect("write the file");

    let h_img = run
        .session
        .send_bytes(&friend, "photo.png", image.clone())
        .expect("image accepted");
    let h_vid = run
        .session
        .send_bytes(&friend, "clip.mp4", video.clone())
        .expect("video accepted");
    let h_file = run
        .session
        .send_path(&friend, &path)
        .expect("file accepted");
    let ids = wait_all_sent(&mut run, &[&h_img, &h_vid, &h_file]);
    let (id_img, id_vid, id_file) = (&ids[0], &ids[1], &ids[2]);
    let _ = std::fs::remove_dir_all(&dir);

    let sent = sim.control.sent();
    for (id, data, ty, name) in [
        (id_img, &image, 3, "photo.png"),
        (id_vid, &video, 43, "clip.mp4"),
        (id_file, &file, 6, "report.pdf"),
    ] {
        let rec = sent
            .iter()
            .find(|r| &r.msg_id == id)
            .unwrap_or_else(|| panic!("{name} not recorded"));
        assert_eq!(
            rec.media_md5.as_deref(),
            Some(webwx_core::upload::md5_hex(data).as_str()),
            "{name}"
        );
        assert_eq!(rec.msg_type, ty, "{name}");
        assert_eq!(rec.to, friend, "{name}");
        if ty == 6 {
            assert_eq!(rec.file_name.as_deref(), Some(name));
        }
    }
    let progress: Vec<(u64, u64)> = run
        .commands()
        .into_iter()
        .filter_map(|c| match c {
            CommandEvent::UploadProgress {
                upload,
                sent,
                total,
                ..
            } if upload == h_vid.upload => Some((sent, total)),
            _ => None,
        })
        .collect();
    assert!(progress.len() >= 3, "video progress: {progress:?}");
    assert_eq!(progress.last(), Some(&(1_200_000, 1_200_000)));
    assert!(
        !run.commands()
            .iter()
            .any(|c| matches!(c, CommandEvent::UploadNeedsData { .. })),
        "the driver answers the requests for bytes of its own uploads"
    );

    // Downloads of each kind.
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let incoming = [
        (3u32, bytes(4, 70_000, b"\x89PNG\r\n\x1a\n"), "in.png"),
        (43, bytes(5, 900_000, b"\0\0\0\x18ftypmp42"), "in.mp4"),
        (34, bytes(6, 20_000, b"ID3"), "in.mp3"),
        (49, bytes(7, 150_000, b"PK\x03\x04"), "notes.zip"),
    ];
    for (ty, data, name) in &incoming {
        sim.control
            .inject_message(webwx_sim::InjectMessage {
                from: friend.clone(),
                msg_type: Some(*ty),
                media_b64: Some(b64(data)),
                file_name: Some((*name).to_owned()),
                voice_length: (*ty == 34).then_some(3_000),
                play_length: (*ty == 43).then_some(5),
                ..Default::default()
            })
            .expect("inject media");
    }
    let msgs = run.messages_from(&friend, incoming.len(), WAIT);
    for (m, (ty, data, name)) in msgs.iter().zip(&incoming) {
        let what = webwx_core::Download::for_message(m)
            .unwrap_or_else(|| panic!("no download for type {ty} ({:?})", m.kind));
        let id = run
            .session
            .with(move |c, now| c.download(now, what))
            .expect("download accepted");
        let media = run.expect(&format!("download of {name}"), WAIT, |e| match e {
            Event::Command(CommandEvent::Downloaded { download, media }) if *download == id => {
                Some(media.clone())
            }
            Event::Command(CommandEvent::DownloadFailed { download, error }) if *download == id => {
                panic!("download of {name} failed: {error}")
            }
            _ => None,
        });
        assert_eq!(media.bytes.len(), data.len(), "{name}");
        assert_eq!(
            webwx_core::upload::md5_hex(&media.bytes),
            webwx_core::upload::md5_hex(data),
            "{name}"
        );
        assert!(!media.file_name.is_empty());
    }
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
}

/// Runs the operation `f` returns and waits for its outcome.
fn op<S: Session>(
    run: &mut Run<S>,
    what: &str,
    f: impl FnOnce(
        &mut webwx_core::CommandView<'_>,
        webwx_core::Now,
    ) -> Result<webwx_core::OpId, webwx_core::CommandError>
    + Send
    + 'static,
) -> webwx_core::OpOutcome {
    let id = run
        .session
        .with(f)
        .unwrap_or_else(|e| panic!("{what} refused: {e}"));
    run.expect(what, WAIT, |e| match e {
        Event::Command(CommandEvent::OpDone { op, outcome, .. }) if *op == id => {
            Some(outcome.clone())
        }
        Event::Command(CommandEvent::OpFailed { op, error, .. }) if *op == id => {
            panic!("{what} failed: {error}")
        }
        _ => None,
    })
}

/// Friend and group operations, each checked on the simulator: accept a friend request,
/// create a group, add and remove members, rename it, set a remark, pin and unpin.
pub fn friend_and_group_operations<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    let mut run = start(d, &sim, 9);
    qr_login(&mut run, &sim);
    let friends: Vec<String> = sim
        .control
        .contacts(None)
        .expect("contacts")
        .into_iter()
        .filter(|c| c.kind == "friend")
        .map(|c| c.user_name)
        .take(3)
        .collect();
    assert_eq!(friends.len(), 3);
    let sim_contact = |name: &str| {
        sim.control
            .contacts(None)
            .expect("contacts")
            .into_iter()
            .find(|c| c.user_name == name)
    };

    // A stranger asks to be friends; we accept.
    sim.control
        .inject_message(webwx_sim::InjectMessage {
            from: "fmessage".into(),
            msg_type: Some(37),
            nick_name: Some("Suite Stranger".into()),
            content: "hi, it's the suite".into(),
            ..Default::default()
        })
        .expect("inject a friend request");
    let request = run.messages_where(1, WAIT, |m| {
        matches!(
            m.kind,
            webwx_core::message::MessageKind::FriendRequest { .. }
        )
    });
    let request = request[0].clone();
    op(&mut run, "accept friend", move |c, now| {
        c.accept_friend_request(now, &request)
    });
    let now_friends = sim.control.contacts(None).expect("contacts");
    assert!(
        now_friends
            .iter()
            .any(|c| c.nick_name == "Suite Stranger" && c.kind == "friend"),
        "the stranger is a friend now"
    );

    // Add a group member who is not a friend yet (webwxverifyuser Opcode 2).
    let all = sim.control.contacts(None).expect("contacts");
    let stranger = all
        .iter()
        .filter_map(|c| c.members.as_ref())
        .flatten()
        .find(|m| !all.iter().any(|c| c.user_name == m.user_name) && m.user_name.starts_with('@'))
        .map(|m| m.user_name.clone())
        .expect("a group member who is not a contact");
    let s = stranger.clone();
    op(&mut run, "add friend", move |c, now| {
        c.add_friend(now, &s, "hello from the suite")
    });
    assert_eq!(
        sim_contact(&stranger).map(|c| c.kind).as_deref(),
        Some("friend"),
        "the group member is a friend now"
    );

    // Create a group with two friends, add the third, remove the first, rename it.
    let members = [friends[0].clone(), friends[1].clone()];
    let outcome = op(&mut run, "create group", move |c, now| {
        let refs: Vec<&str> = members.iter().map(String::as_str).collect();
        c.create_group(now, "suite group", &refs)
    });
    let webwx_core::OpOutcome::GroupCreated { group, failed, .. } = outcome else {
        panic!("create group: {outcome:?}")
    };
    assert!(failed.is_empty(), "{failed:?}");
    let member_names = |g: &str| -> Vec<String> {
        sim_contact(g)
            .and_then(|c| c.members)
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.user_name)
            .collect()
    };
    let m = member_names(&group);
    assert!(m.contains(&friends[0]) && m.contains(&friends[1]), "{m:?}");
    // The new group reaches the client's contacts through the sync (ModContactList).
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let known = group.clone();
        if run
            .session
            .with(move |c, _| c.contacts().get(&known).is_some())
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the new group never reached the contacts"
        );
        let _ = run.next(Duration::from_millis(50));
    }

    let (g, f) = (group.clone(), friends[2].clone());
    op(&mut run, "add member", move |c, now| {
        c.add_members(now, &g, &[&f])
    });
    assert!(member_names(&group).contains(&friends[2]));

    let (g, f) = (group.clone(), friends[0].clone());
    op(&mut run, "remove member", move |c, now| {
        c.remove_members(now, &g, &[&f])
    });
    assert!(!member_names(&group).contains(&friends[0]));

    let g = group.clone();
    op(&mut run, "rename group", move |c, now| {
        c.rename_group(now, &g, "renamed by the suite")
    });
    assert_eq!(
        sim_contact(&group).map(|c| c.nick_name).as_deref(),
        Some("renamed by the suite")
    );

    let f = friends[1].clone();
    op(&mut run, "set remark", move |c, now| {
        c.set_remark(now, &f, "best friend")
    });
    assert_eq!(
        sim_contact(&friends[1]).map(|c| c.remark_name).as_deref(),
        Some("best friend")
    );

    let f = friends[1].clone();
    op(&mut run, "pin", move |c, now| c.pin(now, &f));
    assert_eq!(sim_contact(&friends[1]).map(|c| c.pinned), Some(true));
    let f = friends[1].clone();
    op(&mut run, "unpin", move |c, now| c.unpin(now, &f));
    assert_eq!(sim_contact(&friends[1]).map(|c| c.pinned), Some(false));

    assert!(run.logouts().is_empty(), "{:?}", run.logouts());
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
}

/// The whole session as a browser would run it: through webwx-hyper's relay with the
/// forbidden headers renamed to `x-wx-*` (cookies travel as `x-wx-cookie` and come back
/// in `x-wx-set-cookie`): QR login, 200 messages exactly once, a send, a logout.
pub fn through_the_relay<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    let relay = crate::harness::Relay::to(&sim.base);
    let client = Client::new(config(&relay.base, 31).rename_headers(true));
    let mut run = Run::new(d.start(client));
    qr_login(&mut run, &sim);
    let friend = a_friend(&sim, None);
    messages_exactly_once(&mut run, &sim, &friend, "relayed", 200);
    let to = friend.clone();
    let local = run
        .session
        .with(move |c, now| c.send_text(now, &to, "through the relay"))
        .expect("send accepted");
    run.expect("Sent", WAIT, |e| match e {
        Event::Command(CommandEvent::Sent { local_id, .. }) if *local_id == local => Some(()),
        Event::Command(CommandEvent::SendFailed { error, .. }) => panic!("send failed: {error}"),
        _ => None,
    });
    assert!(
        sim.control
            .sent()
            .iter()
            .any(|r| r.content == "through the relay")
    );
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
    assert_eq!(run.logouts(), vec![LogoutReason::Requested]);
    drop(relay);
}

/// Eight sessions at once in one process (one simulator, eight accounts): each logs in,
/// gets exactly its own 50 messages in order, and logs out.
pub fn many_sessions_at_once<D: Driver>(d: &D) {
    const N: usize = 8;
    let sim = sim(|c| c.auto_scan = true);
    let mut runs: Vec<Run<D::Session>> = (0..N).map(|i| start(d, &sim, 40 + i as u64)).collect();
    for run in &runs {
        run.session
            .with(|c, now| c.login(now))
            .expect("the login starts");
    }
    let names: Vec<String> = runs.iter_mut().map(|r| r.logged_in()).collect();
    let accounts = sim.control.state().accounts;
    let uins: Vec<u64> = names
        .iter()
        .map(|n| {
            accounts
                .iter()
                .find(|a| &a.user_name == n)
                .expect("an account per session")
                .uin
        })
        .collect();
    let friends: Vec<String> = uins.iter().map(|u| a_friend(&sim, Some(*u))).collect();
    let injector = {
        let control = sim.control.clone();
        let (uins, friends) = (uins.clone(), friends.clone());
        std::thread::spawn(move || {
            for i in 0..50 {
                for (u, f) in uins.iter().zip(&friends) {
                    control
                        .inject_message(webwx_sim::InjectMessage {
                            uin: Some(*u),
                            from: f.clone(),
                            content: format!("{u} {i}"),
                            ..Default::default()
                        })
                        .expect("inject");
                }
            }
        })
    };
    for ((run, u), f) in runs.iter_mut().zip(&uins).zip(&friends) {
        let got = run.messages_from(f, 50, Duration::from_secs(20));
        let texts: Vec<String> = got
            .iter()
            .filter_map(|m| text_of(m).map(str::to_owned))
            .collect();
        let want: Vec<String> = (0..50).map(|i| format!("{u} {i}")).collect();
        assert_eq!(texts, want, "session of {u}");
    }
    injector.join().expect("injector");
    for run in &runs {
        run.session.with(|c, now| c.logout(now));
    }
    for run in &mut runs {
        run.until_end(WAIT);
        assert_eq!(run.logouts(), vec![LogoutReason::Requested]);
    }
}

/// Requests that hang: a synccheck that never answers is abandoned at the client's
/// long-poll timeout and polled again; a send that never answers times out and is
/// retried with the same ClientMsgId (recorded once). Nothing is lost meanwhile.
pub fn hung_requests_time_out<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    let mut run = start(d, &sim, 32);
    qr_login(&mut run, &sim);
    let friend = a_friend(&sim, None);
    sim.control
        .add_fault(FaultSpec::new("synccheck", FaultKind::Hang, 1))
        .expect("fault");
    sim.control
        .add_fault(FaultSpec::new("webwxsendmsg", FaultKind::Hang, 1))
        .expect("fault");
    let started = std::time::Instant::now();
    let to = friend.clone();
    let local = run
        .session
        .with(move |c, now| c.send_text(now, &to, "despite a hang"))
        .expect("send accepted");
    messages_exactly_once(&mut run, &sim, &friend, "hang", 20);
    run.expect_seen("Sent", WAIT, |e| match e {
        Event::Command(CommandEvent::Sent { local_id, .. }) if *local_id == local => Some(()),
        Event::Command(CommandEvent::SendFailed { error, .. }) => panic!("send failed: {error}"),
        _ => None,
    });
    let elapsed = started.elapsed();
    assert!(
        elapsed >= crate::harness::CLIENT_TIMEOUT,
        "a hang was waited out ({elapsed:?})"
    );
    let records: Vec<_> = sim
        .control
        .sent()
        .into_iter()
        .filter(|r| r.client_msg_id == local.0)
        .collect();
    assert_eq!(records.len(), 1, "the retried send is recorded once");
    assert!(run.logouts().is_empty());
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
}

/// The synccheck long-poll never holds up a command: with the simulator holding polls
/// for 1.5 s, a text and a two-chunk image sent mid-hold complete well within it.
pub fn commands_do_not_wait_for_the_long_poll<D: Driver>(d: &D) {
    // The synccheck is held for 8 s: a send that waited for the long-poll could not
    // finish before the hold ends. The margins are wide so that a loaded machine does not
    // make this a timing test.
    let sim = sim(|c| c.hold_ms = 8_000);
    let cfg = config(&sim.base, 33).long_poll_timeout(Duration::from_secs(10));
    let mut run = Run::new(d.start(Client::new(cfg)));
    qr_login(&mut run, &sim);
    let friend = a_friend(&sim, None);
    // Let the first synccheck settle into its hold.
    let _ = run.during(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let to = friend.clone();
    let local = run
        .session
        .with(move |c, now| c.send_text(now, &to, "no waiting"))
        .expect("send accepted");
    let h = run
        .session
        .send_bytes(
            &friend,
            "quick.png",
            bytes(9, 700_000, b"\x89PNG\r\n\x1a\n"),
        )
        .expect("image accepted");
    run.expect("Sent", WAIT, |e| match e {
        Event::Command(CommandEvent::Sent { local_id, .. }) if *local_id == local => Some(()),
        _ => None,
    });
    let text_took = started.elapsed();
    wait_all_sent(&mut run, &[&h]);
    let image_took = started.elapsed();
    let hold_left = Duration::from_millis(8_000 - 300);
    assert!(
        text_took < hold_left,
        "text took {text_took:?}: it waited for the long-poll"
    );
    assert!(
        image_took < hold_left,
        "image took {image_took:?}: it waited for the long-poll"
    );
    run.session.with(|c, _| c.shutdown());
    run.until_end(WAIT);
}

/// `webwx send` from a saved session while the bot runs: a second client restored from
/// the snapshot resumes for commands only (no QR, no sync loop), sends a text and a
/// file, and stops; the running session keeps its messages exactly once.
pub fn one_shot_commands_beside_a_running_session<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    let mut bot = start(d, &sim, 34);
    qr_login(&mut bot, &sim);
    let friend = a_friend(&sim, None);
    messages_exactly_once(&mut bot, &sim, &friend, "first", 10);

    let saved = SessionState::from_json(&bot.session.snapshot().to_json()).expect("reload");
    let mut cli = Run::new(d.start(Client::restore(config(&sim.base, 35), saved)));
    cli.session
        .with(|c, now| c.resume_for_commands(now))
        .expect("the login starts");
    cli.expect("Ready", WAIT, |e| matches!(e, Event::Ready).then_some(()));
    let to = friend.clone();
    let local = cli
        .session
        .with(move |c, now| c.send_text(now, &to, "from the command line"))
        .expect("send accepted");
    let h = cli
        .session
        .send_bytes(&friend, "cli.txt", b"sent by webwx send".to_vec())
        .expect("file accepted");
    cli.expect("Sent", WAIT, |e| match e {
        Event::Command(CommandEvent::Sent { local_id, .. }) if *local_id == local => Some(()),
        Event::Command(CommandEvent::SendFailed { error, .. }) => panic!("send failed: {error}"),
        _ => None,
    });
    wait_all_sent(&mut cli, &[&h]);
    cli.session.with(|c, _| c.shutdown());
    cli.until_end(WAIT);
    assert!(
        !cli.seen
            .iter()
            .any(|e| matches!(e, Event::QrCode { .. } | Event::Message(_))),
        "commands only: no login, no sync loop"
    );

    messages_exactly_once(&mut bot, &sim, &friend, "second", 30);
    assert!(bot.logouts().is_empty(), "{:?}", bot.logouts());
    bot.session.with(|c, now| c.logout(now));
    bot.until_end(WAIT);
}

/// Dropping the handle and the events stops the session: no request is sent after.
pub fn dropping_everything_stops_the_session<D: Driver>(d: &D) {
    let sim = sim(|_| {});
    let mut run = start(d, &sim, 36);
    qr_login(&mut run, &sim);
    let _ = run.during(Duration::from_millis(2 * HOLD_MS));
    drop(run);
    let requests = || {
        sim.control
            .state()
            .counters
            .get("requests")
            .copied()
            .unwrap_or(0)
    };
    // Whatever was in flight finishes, however long a loaded machine takes to stop the
    // loop: wait (up to WAIT) until no request arrives for 5 holds in a row. A running
    // session polls at least once a hold, so it never gets there.
    let deadline = std::time::Instant::now() + WAIT;
    let mut before = requests();
    let mut still = 0;
    while still < 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "the dropped session kept sending requests"
        );
        std::thread::sleep(Duration::from_millis(HOLD_MS));
        let now = requests();
        if now == before {
            still += 1;
        } else {
            (before, still) = (now, 0);
        }
    }
    // And none comes later: a stopped loop has no timer left to wake it.
    std::thread::sleep(Duration::from_millis(10 * HOLD_MS));
    assert_eq!(requests(), before, "requests after the session was dropped");
    let state = sim.control.state();
    assert!(
        state.accounts.iter().all(|a| a.logged_in),
        "dropping is not a logout: the saved session stays valid"
    );
}

/// Resets, 5xx answers and garbage during the login and startup steps (jslogin, the
/// login poll, newloginpage, init, contacts) are retried: the login still succeeds.
pub fn login_faults_are_retried<D: Driver>(d: &D) {
    let sim = sim(|c| c.auto_scan = true);
    for (endpoint, kind) in [
        ("jslogin", FaultKind::ServerError),
        ("login", FaultKind::Reset),
        ("webwxnewloginpage", FaultKind::Truncate),
        ("webwxinit", FaultKind::Garbage),
        ("webwxgetcontact", FaultKind::ServerError),
    ] {
        sim.control
            .add_fault(FaultSpec::new(endpoint, kind, 1))
            .expect("fault");
    }
    let mut run = start(d, &sim, 37);
    run.session
        .with(|c, now| c.login(now))
        .expect("the login starts");
    run.logged_in();
    let fired = sim.control.state().counters.get("faults_fired").copied();
    assert_eq!(fired, Some(5), "every fault hit once");
    let friend = a_friend(&sim, None);
    messages_exactly_once(&mut run, &sim, &friend, "after faults", 5);
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
    assert_eq!(run.logouts(), vec![LogoutReason::Requested]);
}

/// An account the server refuses on the web (1203) gets in through the desktop (UOS)
/// variant: the refusal is reported once with the server's message; the same account then
/// logs in with `Config::desktop(true)` (`mod=desktop` plus the UOS headers).
pub fn desktop_login_where_web_is_refused<D: Driver>(d: &D) {
    let sim = sim(|c| c.auto_scan = true);
    let spec = AccountSpec {
        desktop_only: true,
        ..Default::default()
    };
    sim.control.prepare_account(spec.clone()).expect("prepare");
    let mut run = start(d, &sim, 61);
    run.session
        .with(|c, now| c.login(now))
        .expect("the login starts");
    run.until_end(WAIT);
    match run.logouts().as_slice() {
        [LogoutReason::LoginRefused { ret, message }] => {
            assert_eq!(*ret, webwx_core::Ret::LOGIN_REFUSED);
            assert!(!message.is_empty(), "the server's message is kept");
        }
        other => panic!("one LoginRefused expected, got {other:?}"),
    }
    drop(run);

    sim.control.prepare_account(spec).expect("prepare");
    let client = Client::new(config(&sim.base, 62).desktop(true));
    let mut run = Run::new(d.start(client));
    run.session
        .with(|c, now| c.login(now))
        .expect("the login starts");
    run.logged_in();
    let friend = a_friend(&sim, None);
    inject_text(&sim, &friend, "hello desktop");
    let m = run.messages_from(&friend, 1, WAIT);
    assert_eq!(text_of(&m[0]), Some("hello desktop"));
    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
}

/// Runs one boundary command through the driver's `submit` and waits for its answer.
fn command<S: Session>(run: &Run<S>, json: serde_json::Value) -> webwx_core::boundary::Answer {
    use webwx_transport::Session as _;
    let request = webwx_core::boundary::Request::from_value(json.clone())
        .unwrap_or_else(|(_, e)| panic!("{json}: {e}"));
    let answer = run
        .session
        .handle()
        .submit(request)
        .wait_timeout(WAIT)
        .unwrap_or_else(|_| panic!("no answer to {json} within {WAIT:?}"));
    run.exchanges
        .borrow_mut()
        .push((json, serde_json::to_value(&answer).unwrap()));
    answer
}

/// The result of a command that must succeed.
fn ok<S: Session>(run: &Run<S>, json: serde_json::Value) -> serde_json::Value {
    let a = command(run, json.clone());
    let v = serde_json::to_value(&a).unwrap();
    assert!(v.get("result").is_some(), "{json} -> {v}");
    assert_eq!(v["answer"], json["id"], "the id comes back");
    v["result"].clone()
}

/// The whole command surface of the JSON boundary through the driver (`submit`, one
/// answer per command on completion), each checked on the simulator: sends by nick name
/// (text, a file from base64 and from a path, an emoticon, a forward), revoke, mark read,
/// downloads (inline and saved), friends, groups, remarks, pins, member lists, a cancelled
/// upload, an unknown name, and a logout that answers when the session is over.
pub fn boundary_commands<D: Driver>(d: &D) {
    boundary_transcript(d);
}

/// What [`boundary_commands`] saw cross the boundary: every event (in order) and every
/// (request, answer) pair, as JSON.
pub struct Transcript {
    /// The events.
    pub events: Vec<Event>,
    /// The commands and their answers.
    pub exchanges: Vec<(serde_json::Value, serde_json::Value)>,
}

/// Runs [`boundary_commands`] and returns what crossed the boundary (the schema test
/// validates all of it).
pub fn boundary_transcript<D: Driver>(d: &D) -> Transcript {
    use serde_json::json;
    let sim = sim(|_| {});
    let mut run = start(d, &sim, 23);
    // Submitted before the login: waits for `Ready`.
    let early = {
        use webwx_transport::Session as _;
        run.session
            .handle()
            .submit(webwx_core::boundary::Command::send_text(
                "filehelper",
                "early",
            ))
    };
    qr_login(&mut run, &sim);
    let early = early
        .wait_timeout(WAIT)
        .expect("the early command answered");
    assert!(early.into_result().is_ok(), "sent once ready");

    let contacts = sim.control.contacts(None).expect("contacts");
    let friends: Vec<_> = contacts
        .iter()
        .filter(|c| {
            c.kind == "friend"
                && contacts
                    .iter()
                    .filter(|o| o.nick_name == c.nick_name)
                    .count()
                    == 1
        })
        .collect();
    assert!(friends.len() >= 3, "three friends with unique nick names");
    let (f0, f1, f2) = (friends[0].clone(), friends[1].clone(), friends[2].clone());

    // The address book as the session holds it: the simulator's, kind by kind.
    let user_names = |r: &serde_json::Value| -> HashSet<String> {
        r["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["user_name"].as_str().unwrap().to_owned())
            .collect()
    };
    for kind in ["friend", "group", "official"] {
        let r = ok(
            &run,
            json!({"id": kind, "cmd": "contacts", "kind": kind, "members": true}),
        );
        let expected: HashSet<String> = contacts
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.user_name.clone())
            .collect();
        assert_eq!(user_names(&r), expected, "{kind}");
        for c in r["contacts"].as_array().unwrap() {
            assert_eq!(c["kind"], kind);
            let sim = contacts
                .iter()
                .find(|s| s.user_name == c["user_name"])
                .unwrap();
            let nick = webwx_core::message::normalize_text(&sim.nick_name);
            assert_eq!(c["nick_name"], nick.as_str(), "names are normalized");
            if let Some(members) = &sim.members {
                let listed = c["members"].as_array().expect("members listed");
                assert_eq!(listed.len(), members.len(), "{}", sim.user_name);
            }
        }
    }
    let r = ok(
        &run,
        json!({"id": "search", "cmd": "contacts", "search": f0.nick_name.to_uppercase()}),
    );
    assert!(user_names(&r).contains(&f0.user_name), "{r}");
    let r = ok(&run, json!({"id": "me", "cmd": "me"}));
    assert_eq!(r["phase"], "ready");
    assert!(r["user_name"].as_str().is_some_and(|u| u.starts_with('@')));
    assert_eq!(
        r["contacts"]["friends"],
        expected_count(&contacts, "friend")
    );

    // A text by nick name.
    let r = ok(
        &run,
        json!({"id": 1, "cmd": "send_text", "to": f0.nick_name, "text": "by name"}),
    );
    assert_eq!(r["kind"], "sent");
    let msg_id = r["msg_id"].as_str().unwrap().to_owned();
    let sent = sim.control.sent();
    let rec = sent.iter().find(|s| s.msg_id == msg_id).expect("recorded");
    assert_eq!(
        (rec.to.as_str(), rec.content.as_str()),
        (f0.user_name.as_str(), "by name")
    );
    assert_eq!(r["local_id"], rec.client_msg_id.as_str());

    // Revoke it, mark the chat read.
    let r = ok(
        &run,
        json!({"id": "r", "cmd": "revoke", "to": f0.user_name, "msg_id": msg_id}),
    );
    assert_eq!(r, json!({"kind": "done", "op": "revoke"}));
    assert!(
        sim.control
            .sent()
            .iter()
            .any(|s| s.msg_id == msg_id && s.revoked)
    );
    ok(
        &run,
        json!({"id": 2, "cmd": "mark_read", "chat": f0.nick_name}),
    );

    // Files: from base64 and from a path; the simulator has their md5.
    let data = bytes(5, 700 * 1024, b"%PDF");
    let r = ok(
        &run,
        json!({"id": 3, "cmd": "send_file", "to": f1.nick_name, "file_name": "boundary.pdf",
               "data_b64": base64_encode(&data)}),
    );
    let rec = sim
        .control
        .sent()
        .into_iter()
        .find(|s| s.msg_id == r["msg_id"])
        .unwrap();
    assert_eq!(
        rec.media_md5.as_deref(),
        Some(webwx_core::upload::md5_hex(&data).as_str())
    );
    let dir = std::env::temp_dir().join(format!("webwx-suite-{}-{}", D::NAME, std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("from-path.txt");
    std::fs::write(&path, b"a file on disk").unwrap();
    let r = ok(
        &run,
        json!({"id": 4, "cmd": "send_file", "to": f1.user_name, "path": path}),
    );
    let rec = sim
        .control
        .sent()
        .into_iter()
        .find(|s| s.msg_id == r["msg_id"])
        .unwrap();
    assert_eq!(rec.file_name.as_deref(), Some("from-path.txt"));
    assert_eq!(
        rec.media_md5.as_deref(),
        Some(webwx_core::upload::md5_hex(b"a file on disk").as_str())
    );
    ok(
        &run,
        json!({"id": 5, "cmd": "send_emoticon", "to": f1.user_name,
               "md5": "0123456789abcdef0123456789abcdef"}),
    );

    // Forward and download what a friend sends, by its msg_id.
    let text_id = inject_text(&sim, &f2.user_name, "forward me");
    let image = bytes(6, 2000, b"\x89PNG\r\n\x1a\n");
    let image_id = sim
        .control
        .inject_message(webwx_sim::InjectMessage {
            from: f2.user_name.clone(),
            msg_type: Some(3),
            media_b64: Some(base64_encode(&image)),
            file_name: Some("photo.png".into()),
            ..Default::default()
        })
        .expect("inject an image");
    run.messages_where(2, WAIT, |m| m.id == text_id || m.id == image_id);
    let r = ok(
        &run,
        json!({"id": 6, "cmd": "forward", "to": f0.user_name, "msg_id": text_id}),
    );
    let rec = sim
        .control
        .sent()
        .into_iter()
        .find(|s| s.msg_id == r["msg_id"])
        .unwrap();
    assert_eq!(rec.content, "forward me");
    let r = ok(
        &run,
        json!({"id": 7, "cmd": "download", "msg_id": image_id, "inline": true}),
    );
    assert_eq!(r["len"], image.len());
    assert_eq!(r["data_b64"], base64_encode(&image));
    let r = ok(
        &run,
        json!({"id": 8, "cmd": "download", "msg_id": image_id, "save_to": dir}),
    );
    let saved = std::path::PathBuf::from(r["path"].as_str().unwrap());
    assert!(saved.starts_with(&dir), "{saved:?}");
    assert_eq!(std::fs::read(&saved).unwrap(), image);
    let again = ok(
        &run,
        json!({"id": 9, "cmd": "download", "msg_id": image_id, "save_to": dir}),
    );
    assert_ne!(again["path"], r["path"], "never overwritten");

    // Friends.
    sim.control
        .inject_message(webwx_sim::InjectMessage {
            from: "fmessage".into(),
            msg_type: Some(37),
            nick_name: Some("Boundary Stranger".into()),
            content: "let me in".into(),
            ..Default::default()
        })
        .expect("inject a friend request");
    let request = run.messages_where(1, WAIT, |m| {
        matches!(
            m.kind,
            webwx_core::message::MessageKind::FriendRequest { .. }
        )
    });
    ok(
        &run,
        json!({"id": 10, "cmd": "accept_friend", "msg_id": request[0].id}),
    );
    let all = sim.control.contacts(None).expect("contacts");
    assert!(
        all.iter()
            .any(|c| c.nick_name == "Boundary Stranger" && c.kind == "friend")
    );
    let stranger = all
        .iter()
        .filter_map(|c| c.members.as_ref())
        .flatten()
        .find(|m| !all.iter().any(|c| c.user_name == m.user_name) && m.user_name.starts_with('@'))
        .map(|m| m.user_name.clone())
        .expect("a group member who is not a contact");
    ok(
        &run,
        json!({"id": 11, "cmd": "add_friend", "user_name": stranger, "greeting": "hi"}),
    );

    // Groups.
    let r = ok(
        &run,
        json!({"id": 12, "cmd": "create_group", "topic": "boundary group",
               "members": [f0.nick_name, f1.user_name]}),
    );
    assert_eq!(r["kind"], "group_created");
    let group = r["group"].as_str().unwrap().to_owned();
    let deadline = std::time::Instant::now() + WAIT;
    while !{
        let g = group.clone();
        run.session.with(move |c, _| c.contacts().get(&g).is_some())
    } {
        assert!(
            std::time::Instant::now() < deadline,
            "the new group never arrived"
        );
        let _ = run.next(Duration::from_millis(50));
    }
    ok(
        &run,
        json!({"id": 13, "cmd": "add_members", "group": group, "members": [f2.nick_name]}),
    );
    ok(
        &run,
        json!({"id": 14, "cmd": "remove_members", "group": group, "members": [f0.user_name]}),
    );
    ok(
        &run,
        json!({"id": 15, "cmd": "rename_group", "group": group, "topic": "renamed"}),
    );
    let r = ok(
        &run,
        json!({"id": 16, "cmd": "fetch_group_members", "group": group}),
    );
    assert_eq!(r["kind"], "members_fetched");
    let members = sim
        .control
        .contacts(None)
        .unwrap()
        .into_iter()
        .find(|c| c.user_name == group)
        .and_then(|c| c.members)
        .unwrap();
    assert_eq!(r["members"], members.len());
    assert!(members.iter().any(|m| m.user_name == f2.user_name));
    assert!(!members.iter().any(|m| m.user_name == f0.user_name));

    // Remarks and pins.
    ok(
        &run,
        json!({"id": 17, "cmd": "set_remark", "user": f2.nick_name, "remark": "boundary"}),
    );
    ok(&run, json!({"id": 18, "cmd": "pin", "chat": f2.nick_name}));
    let info = |u: &str| {
        sim.control
            .contacts(None)
            .unwrap()
            .into_iter()
            .find(|c| c.user_name == u)
            .unwrap()
    };
    assert_eq!(
        (
            info(&f2.user_name).remark_name.as_str(),
            info(&f2.user_name).pinned
        ),
        ("boundary", true)
    );
    ok(
        &run,
        json!({"id": 19, "cmd": "unpin", "chat": f2.user_name}),
    );
    assert!(!info(&f2.user_name).pinned);

    // A name that names nobody: a typed error.
    let v = serde_json::to_value(command(
        &run,
        json!({"id": 20, "cmd": "send_text", "to": "Nobody At All", "text": "x"}),
    ))
    .unwrap();
    assert_eq!(v["error"]["kind"], "unknown_name", "{v}");

    // A cancelled upload: the send answers `cancelled` (or, if it was quicker, `sent`),
    // the cancel answers once either way.
    let big = bytes(7, 4 * 1024 * 1024, b"big");
    let pending = {
        use webwx_transport::Session as _;
        let req = webwx_core::boundary::Request::from_value(json!({
            "id": "big", "cmd": "send_file", "to": f1.user_name, "file_name": "big.bin",
            "data_b64": base64_encode(&big)}))
        .unwrap();
        run.session.handle().submit(req)
    };
    let cancel = serde_json::to_value(command(
        &run,
        json!({"id": 21, "cmd": "cancel_upload", "command": "big"}),
    ))
    .unwrap();
    let send =
        serde_json::to_value(pending.wait_timeout(WAIT).expect("the send answered")).unwrap();
    run.exchanges.borrow_mut().push((
        json!({"id": "big", "cmd": "send_file", "to": f1.user_name, "file_name": "big.bin",
               "data_b64": "AAAA"}),
        send.clone(),
    ));
    match cancel["result"]["kind"].as_str() {
        Some("upload_cancelled") => assert_eq!(send["error"]["kind"], "cancelled", "{send}"),
        _ => {
            assert_eq!(cancel["error"]["kind"], "unknown", "{cancel}");
            assert_eq!(send["result"]["kind"], "sent", "{send}");
        }
    }

    // Logout answers when the session is over.
    let r = ok(&run, json!({"id": 22, "cmd": "logout"}));
    assert_eq!(r, json!({"kind": "logged_out"}));
    run.until_end(WAIT);
    let late =
        serde_json::to_value(command(&run, json!({"cmd": "pin", "chat": "filehelper"}))).unwrap();
    assert_eq!(late["error"]["kind"], "session_ended");
    let _ = std::fs::remove_dir_all(&dir);
    Transcript {
        events: std::mem::take(&mut run.seen),
        exchanges: run.exchanges.take(),
    }
}

fn expected_count(contacts: &[webwx_sim::ContactInfo], kind: &str) -> usize {
    contacts.iter().filter(|c| c.kind == kind).count()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Backpressure: a host that stops taking events (a channel of 4, the simulator
/// delivering 10 messages per webwxsync) holds the sync loop back — the server keeps the
/// rest of the messages — while commands still answer; once it takes events again, every
/// message arrives exactly once and in order.
pub fn slow_consumer_loses_nothing<D: Driver>(d: &D) {
    const N: usize = 60;
    let sim = sim(|c| c.sync_batch = 10);
    let d = d.with_event_capacity(4);
    let mut run = start(&d, &sim, 29);
    qr_login(&mut run, &sim);
    let friend = a_friend(&sim, None);
    let delivered = || {
        sim.control
            .state()
            .counters
            .get("messages_delivered")
            .copied()
            .unwrap_or(0)
    };
    let before = delivered();
    let mut ids = Vec::new();
    for i in 0..N {
        ids.push(inject_text(&sim, &friend, &format!("slow {i}")));
    }
    // Nobody takes events: the first batch fills the channel and the sync loop stops.
    // (The wait is generous; what is checked is that delivery stops short of N.)
    let deadline = std::time::Instant::now() + WAIT;
    while delivered() == before {
        assert!(std::time::Instant::now() < deadline, "no webwxsync at all");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(8 * HOLD_MS));
    let held_at = delivered() - before;
    assert!(
        held_at < N as u64,
        "all {held_at} messages were fetched although nobody took the events"
    );
    // Commands go on meanwhile.
    let answer = {
        use webwx_transport::Session as _;
        run.session
            .handle()
            .submit(webwx_core::boundary::Command::send_text(
                "filehelper",
                "still here",
            ))
            .wait_timeout(WAIT)
            .expect("a command answers while the host is behind")
    };
    assert!(answer.into_result().is_ok());
    assert!(delivered() - before <= held_at + 1, "still held");
    eprintln!(
        "the server kept {} of {N} messages while the host was behind",
        N as u64 - held_at
    );
    // The host takes events again, slowly: everything arrives, once, in order.
    let mut got = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while got.len() < N {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match run.next(left) {
            Ok(Event::Message(m)) if m.from == friend => got.push(*m),
            Ok(_) => {}
            Err(e) => panic!("{e:?} after {} of {N} messages", got.len()),
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let got_ids: Vec<&str> = got.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(got_ids, ids.iter().map(String::as_str).collect::<Vec<_>>());
    for (i, m) in got.iter().enumerate() {
        assert_eq!(text_of(m), Some(format!("slow {i}").as_str()));
    }
    // (The simulator also delivers our own "still here" back, as to another device.)
    assert!(delivered() - before >= N as u64, "all fetched in the end");
    let extra = run
        .during(settle())
        .into_iter()
        .filter(|e| matches!(e, Event::Message(m) if m.from == friend))
        .count();
    assert_eq!(extra, 0, "nothing twice");
}

/// `download_to`: a 6 MiB video streamed to a writer by a driver whose whole-body limit
/// is 1 MiB (the ordinary download of it fails as too large), in writes of at most
/// 64 KiB, with the simulator's bytes (md5); a refused download never touches the writer;
/// a writer that fails mid-way ends the download with its error.
pub fn downloads_stream_to_a_writer<D: Driver>(d: &D) {
    use crate::driver::Sink;
    use webwx_transport::DownloadError;
    let sim = sim(|_| {});
    let d = d.with_options(crate::driver::options().max_body(1024 * 1024));
    let mut run = start(&d, &sim, 31);
    qr_login(&mut run, &sim);
    let friend = a_friend(&sim, None);
    let video = bytes(9, 6 * 1024 * 1024 + 123, b"\0\0\0\x18ftypmp42");
    sim.control
        .inject_message(webwx_sim::InjectMessage {
            from: friend.clone(),
            msg_type: Some(43),
            media_b64: Some(base64_encode(&video)),
            file_name: Some("big.mp4".into()),
            play_length: Some(30),
            ..Default::default()
        })
        .expect("inject a video");
    let m = run.messages_from(&friend, 1, WAIT).remove(0);
    let what = webwx_core::Download::for_message(&m).expect("a video download");

    // The whole-body way cannot hold it.
    let id = {
        let what = what.clone();
        run.session
            .with(move |c, now| c.download(now, what))
            .expect("download accepted")
    };
    let failed = run.expect("the whole-body download fails", WAIT, |e| match e {
        Event::Command(CommandEvent::DownloadFailed { download, error }) if *download == id => {
            Some(error.clone())
        }
        Event::Command(CommandEvent::Downloaded { download, .. }) if *download == id => {
            panic!("6 MiB read whole past a 1 MiB limit")
        }
        _ => None,
    });
    assert!(
        matches!(
            failed,
            webwx_core::CommandFailure::Transport {
                kind: webwx_core::TransportErrorKind::TooLarge
            }
        ),
        "{failed}"
    );

    // Streamed: every byte, in small writes.
    let mut sink = Sink::default();
    let done = run
        .session
        .download_to(what.clone(), &mut sink)
        .expect("the video streams");
    assert_eq!(done.len, video.len() as u64);
    assert_eq!(sink.len, video.len() as u64);
    assert_eq!(sink.md5_hex(), webwx_core::upload::md5_hex(&video));
    assert!(sink.max_write <= 64 * 1024, "a write of {}", sink.max_write);
    assert!(!done.file_name.is_empty());
    let downloaded = run
        .during(settle())
        .into_iter()
        .filter(|e| matches!(e, Event::Command(CommandEvent::Downloaded { .. })))
        .count();
    assert_eq!(downloaded, 0, "no Downloaded event for a streamed download");

    // A download the server refuses is judged by the core and never reaches the writer.
    let mut untouched = Sink::default();
    let e = run
        .session
        .download_to(
            webwx_core::Download::Video {
                msg_id: "4242424242".into(),
            },
            &mut untouched,
        )
        .expect_err("no such message");
    assert!(matches!(e, DownloadError::Failed(_)), "{e}");
    assert_eq!(untouched.len, 0);

    // A writer that fails mid-way: its error, and the download is not retried into it.
    let mut full = Sink::default();
    full.fail_after = Some(1024 * 1024);
    let e = run
        .session
        .download_to(what, &mut full)
        .expect_err("the writer fails");
    assert!(matches!(e, DownloadError::Write(_)), "{e}");
    assert!(full.len >= 1024 * 1024 && full.len < video.len() as u64);

    run.session.with(|c, now| c.logout(now));
    run.until_end(WAIT);
}
