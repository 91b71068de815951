//! `webwx_hyper::start_saving` against the simulator: each `SessionChanged` carries the
//! session state as it stood at that event. A consumer that takes its events slowly (as
//! the gateway's store does) still gets, with each state, exactly the messages handed out
//! before it: the state's seen ids hold every message already taken and none still on
//! its way — what saving the session beside its events needs.

use std::time::{Duration, Instant};

use webwx_core::{Client, Event};
use webwx_hyper::prelude::*;
use webwx_sim::InjectMessage;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn states_come_in_step_with_the_events() {
    let sim = webwx_tests::harness::sim(|c| c.auto_scan = true);
    let client = Client::new(webwx_tests::harness::config(&sim.base, 11));
    let transport = webwx_hyper::Transport::new(&webwx_hyper::Options::default()).unwrap();
    let (handle, mut events) = webwx_hyper::start_saving(client, transport).unwrap();
    handle.login().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let friend = loop {
        let (e, _) = tokio::time::timeout(Duration::from_secs(10), events.next_with_state())
            .await
            .expect("an event")
            .expect("the session runs");
        if e == Event::Ready {
            break sim.friend();
        }
        assert!(Instant::now() < deadline);
    };
    const MESSAGES: usize = 40;
    // Injected while the consumer takes events (the session takes a step whenever the
    // consumer has taken the last step's state, so steps interleave with the injection).
    let (ids, known) = std::sync::mpsc::channel();
    let control = sim.control.clone();
    let injector = std::thread::spawn(move || {
        for i in 0..MESSAGES {
            let id = control
                .inject_message(InjectMessage {
                    from: friend.clone(),
                    content: format!("n{i}"),
                    ..InjectMessage::default()
                })
                .unwrap();
            ids.send(id).unwrap();
            if i % 5 == 4 {
                std::thread::sleep(Duration::from_millis(30));
            }
        }
    });
    // The ids injected so far: the checks below hold for every one of them.
    let mut injected: Vec<String> = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    let (mut states, mut ahead) = (0, 0);
    while injected.len() < MESSAGES
        || taken.iter().filter(|id| injected.contains(id)).count() < MESSAGES
    {
        let (e, state) = tokio::time::timeout(Duration::from_secs(10), events.next_with_state())
            .await
            .expect("an event")
            .expect("the session runs");
        injected.extend(known.try_iter());
        match e {
            Event::Message(m) => {
                taken.push(m.id.clone());
                // A slow consumer: the session runs ahead meanwhile.
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
            Event::SessionChanged => {
                let state = state.expect("start_saving attaches the state");
                states += 1;
                for id in &injected {
                    assert_eq!(
                        state.seen.contains(id),
                        taken.contains(id),
                        "message {id}: the state and the events taken disagree"
                    );
                }
                // What a snapshot taken now would hold instead (for the record).
                let now = handle.snapshot();
                if injected
                    .iter()
                    .any(|id| now.seen.contains(id) && !taken.contains(id))
                {
                    ahead += 1;
                }
            }
            _ => {}
        }
    }
    injector.join().unwrap();
    assert!(states > 1, "several sync steps, {states}");
    eprintln!("{states} states in step; a snapshot taken by the consumer was ahead {ahead} times");
    handle.shutdown();
}

/// The next event of `events` (bounded wait), with its state and token if any.
async fn next(
    events: &mut webwx_hyper::Events,
) -> (
    Event,
    Option<(webwx_core::SessionState, webwx_hyper::SaveToken)>,
) {
    tokio::time::timeout(Duration::from_secs(10), events.next_to_save())
        .await
        .expect("an event")
        .expect("the session runs")
}

/// The commit barrier: the `webwxsync` that would acknowledge a step to the server (which
/// then drops the step's messages) waits until the host releases the step's state with
/// `SaveToken::saved`. A host that dies before its commit loses nothing: a session
/// resumed from the last state it saved gets the unsaved step's messages again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_webwxsync_waits_until_the_state_is_saved() {
    let sim = webwx_tests::harness::sim(|c| c.auto_scan = true);
    let config = || webwx_tests::harness::config(&sim.base, 12);
    let transport = webwx_hyper::Transport::new(&webwx_hyper::Options::default()).unwrap();
    let (handle, mut events) =
        webwx_hyper::start_saving(Client::new(config()), transport.clone()).unwrap();
    handle.login().unwrap();
    // Up to `Ready`, every state is saved at once; `saved` is the last one.
    let mut saved = None;
    loop {
        let (e, to_save) = next(&mut events).await;
        if let Some((state, token)) = to_save {
            saved = Some(state);
            token.saved();
        }
        if e == Event::Ready {
            break;
        }
    }
    let friend = sim.friend();
    let inject = |content: &str| {
        sim.control
            .inject_message(InjectMessage {
                from: friend.clone(),
                content: content.into(),
                ..InjectMessage::default()
            })
            .unwrap()
    };

    // Message 1 arrives; the host takes its state and has not saved it yet.
    let first = inject("first");
    let mut got_first = false;
    let token = loop {
        match next(&mut events).await {
            (Event::Message(m), _) if m.id == first => got_first = true,
            (Event::SessionChanged, Some((state, token))) => {
                if got_first {
                    assert!(state.seen.contains(&first));
                    break token;
                }
                saved = Some(state);
                token.saved();
            }
            _ => {}
        }
    };
    let syncs = || sim.control.state().counters.get("syncs").copied();
    let syncs_before = syncs();

    // Message 2 is on the server; the synccheck (which acknowledges nothing) goes on and
    // sees it, but the webwxsync that would fetch it — and acknowledge message 1 — waits.
    // A wait for something not to happen: a slower machine can only make the webwxsync
    // later, so the margin makes this pass more easily, never fail.
    let second = inject("second");
    let early = tokio::time::timeout(Duration::from_millis(1500), async {
        loop {
            if let (Event::Message(m), _) = next(&mut events).await
                && m.id == second
            {
                return;
            }
        }
    })
    .await;
    assert!(
        early.is_err(),
        "message 2 came before the state of message 1 was saved: the webwxsync went"
    );
    assert_eq!(
        syncs(),
        syncs_before,
        "no webwxsync while the state is unsaved"
    );

    // The host dies before its commit: the token is never released.
    handle.shutdown();
    drop(token);
    drop(events);
    handle.finished().await;

    // Resumed from the last state it saved (before message 1): nothing is lost. Saving
    // each state at once (the token released) lets the webwxsync go.
    let saved = saved.expect("a saved state");
    assert!(!saved.seen.contains(&first));
    let (handle, mut events) =
        webwx_hyper::start_saving(Client::restore(config(), saved), transport).unwrap();
    handle.resume().unwrap();
    let (mut again_first, mut again_second) = (false, false);
    while !(again_first && again_second) {
        match next(&mut events).await {
            (Event::Message(m), _) if m.id == first => again_first = true,
            (Event::Message(m), _) if m.id == second => again_second = true,
            (Event::LoggedOut { reason }, _) => panic!("logged out: {reason:?}"),
            (_, Some((_, token))) => token.saved(),
            _ => {}
        }
    }
    assert!(
        syncs() > syncs_before,
        "the released barrier let webwxsync go"
    );
    handle.shutdown();
}
