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
            break sim
                .control
                .contacts(None)
                .unwrap()
                .into_iter()
                .find(|c| c.kind == "friend")
                .unwrap()
                .user_name;
        }
        assert!(Instant::now() < deadline);
    };
    const MESSAGES: usize = 40;
    let mut injected = Vec::new();
    for i in 0..MESSAGES {
        let id = sim
            .control
            .inject_message(InjectMessage {
                from: friend.clone(),
                content: format!("n{i}"),
                ..InjectMessage::default()
            })
            .unwrap();
        injected.push(id);
        if i % 5 == 4 {
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }
    let mut taken: Vec<String> = Vec::new();
    let (mut states, mut ahead) = (0, 0);
    while taken.iter().filter(|id| injected.contains(id)).count() < MESSAGES {
        let (e, state) = tokio::time::timeout(Duration::from_secs(10), events.next_with_state())
            .await
            .expect("an event")
            .expect("the session runs");
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
    assert!(states > 1, "several sync steps");
    eprintln!("{states} states in step; a snapshot taken by the consumer was ahead {ahead} times");
    handle.shutdown();
}
